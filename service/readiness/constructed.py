"""Simulated written responses: text that meets all, half or none of an item's rules.

Constructed responses are scored (provisionally) by regex rules, so a simulated response
is built from example strings that match the rules' own patterns. ``example_match`` walks
the parsed pattern and emits a string, trying a few strategies (fewest repeats; one
repeat with spaces) and keeping the first one the pattern really matches.
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import Any

import msgspec

from service.assessments.items import ConstructedResponseItem
from service.assessments.readability import words

# The stdlib's regex parser has no type stubs; it is imported by name so mypy sees Any.
_regex_parser: Any = importlib.import_module("re._parser")

PADDING_MARGIN = 5  # a few words beyond the minimum, so rounding in counting cannot bite
# Neutral padding; any sentence that happens to match one of an item's rules is not used
# for that item, so padding never earns (or loses) rule credit.
FILLER_SENTENCES: tuple[str, ...] = (
    "The record was reviewed today.",
    "This note covers the open items.",
    "The details are set out here.",
    "Each point is answered in turn.",
    "This summary is kept with the file.",
    "The office keeps a log of this work.",
)
_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": "1",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": " ",
}


class SimulatedTexts(msgspec.Struct, frozen=True):
    """Three written responses to one item: every rule met, about half met, none met."""

    strong: str
    partial: str
    weak: str


def example_match(pattern: str) -> str | None:
    """A string that ``pattern`` matches (case-insensitively), or None if none was found."""
    try:
        parsed = _regex_parser.parse(pattern)
    except re.error:
        return None
    for spaced in (False, True):
        text = _emit(list(parsed), spaced=spaced)
        if text is not None and re.search(pattern, text, re.IGNORECASE):
            return text
    return None


def _emit(tokens: list[tuple[Any, Any]], *, spaced: bool) -> str | None:
    parts = [_emit_token(str(op), arg, spaced=spaced) for op, arg in tokens]
    return None if any(p is None for p in parts) else "".join(p or "" for p in parts)


def _emit_token(name: str, arg: Any, *, spaced: bool) -> str | None:
    if name == "LITERAL":
        return chr(arg)
    if name == "ANY":
        return " " if spaced else "a"
    if name == "IN":
        return _class_char(arg)
    if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
        low, _high, body = arg
        part = _emit(list(body), spaced=spaced)
        return None if part is None else part * (max(low, 1) if spaced else low)
    if name == "SUBPATTERN":
        return _emit(list(arg[-1]), spaced=spaced)
    if name == "BRANCH":
        return _emit(list(arg[1][0]), spaced=spaced)
    if name == "AT":
        return ""  # anchors and \b emit nothing; the final re.search check judges them
    return None  # back-references, look-arounds and the like: give up


def _class_char(members: list[tuple[Any, Any]]) -> str | None:
    if members and str(members[0][0]) == "NEGATE":
        return None
    for op, arg in members:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return _CATEGORY_CHARS.get(str(arg))
    return None


def _rule_sentence(patterns: tuple[str, ...]) -> str | None:
    for pattern in patterns:
        example = example_match(pattern)
        if example is not None:
            return f"Please note: {example}."
    return None


def _neutral_filler(item: ConstructedResponseItem) -> tuple[str, ...]:
    def matches_a_rule(sentence: str) -> bool:
        return any(
            re.search(p, sentence, re.IGNORECASE) for rule in item.rules for p in rule.patterns
        )

    neutral = tuple(s for s in FILLER_SENTENCES if not matches_a_rule(s))
    return neutral or FILLER_SENTENCES[:1]


def _padded(sentences: list[str], item: ConstructedResponseItem) -> str:
    """Rule sentences as paragraphs, then filler until the scorer's word count is in range."""
    min_words, max_words = item.min_words, item.max_words
    filler_sentences = _neutral_filler(item)
    paragraphs = list(sentences)
    filler = 0
    while len(words("\n\n".join(paragraphs))) < min_words + PADDING_MARGIN:
        paragraphs.append(filler_sentences[filler % len(filler_sentences)])
        filler += 1
    while len(words("\n\n".join(paragraphs))) > max_words and len(paragraphs) > 1:
        paragraphs.pop()
    return "\n\n".join(paragraphs)


def constructed_answers(item: ConstructedResponseItem) -> SimulatedTexts:
    """Texts meeting all, about half and none of the item's required rules.

    The weak text also contains the first forbidden phrase that can be produced, so it
    loses whatever a forbidden rule costs.
    """
    # Exemplars (whose levels are a dict, so unhashable) play no part: cache without them.
    return _constructed_answers(msgspec.structs.replace(item, exemplars=()))


@cache
def _constructed_answers(item: ConstructedResponseItem) -> SimulatedTexts:
    required = [_rule_sentence(r.patterns) for r in item.rules if r.kind == "required"]
    forbidden = [_rule_sentence(r.patterns) for r in item.rules if r.kind == "forbidden"]
    met = [s for s in required if s is not None]
    bad = [s for s in forbidden if s is not None][:1]
    return SimulatedTexts(
        strong=_padded(list(met), item),
        partial=_padded(met[: len(met) // 2], item),
        weak=_padded(list(bad), item),
    )
