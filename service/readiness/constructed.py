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

# The stdlib's regex parser has no type stubs; it is imported by name so mypy sees Any.
_regex_parser: Any = importlib.import_module("re._parser")

FILLER_SENTENCES: tuple[str, ...] = (
    "Thank you for your message.",
    "I have checked the record with care.",
    "Please let me know if you need anything else.",
    "I am glad to help with this request.",
    "Our team will follow up with you soon.",
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
            return f"Please note: {example.strip()}."
    return None


def _padded(sentences: list[str], min_words: int, max_words: int) -> str:
    words = sum(len(s.split()) for s in sentences)
    filler = 0
    while words < min_words:
        sentence = FILLER_SENTENCES[filler % len(FILLER_SENTENCES)]
        sentences.append(sentence)
        words += len(sentence.split())
        filler += 1
    text = " ".join(sentences)
    return " ".join(text.split()[:max_words]) if words > max_words else text


@cache
def constructed_answers(item: ConstructedResponseItem) -> SimulatedTexts:
    """Texts meeting all, about half and none of the item's required rules.

    The weak text also contains the first forbidden phrase that can be produced, so it
    loses whatever a forbidden rule costs.
    """
    required = [_rule_sentence(r.patterns) for r in item.rules if r.kind == "required"]
    forbidden = [_rule_sentence(r.patterns) for r in item.rules if r.kind == "forbidden"]
    met = [s for s in required if s is not None]
    bad = [s for s in forbidden if s is not None][:1]
    return SimulatedTexts(
        strong=_padded(list(met), item.min_words, item.max_words),
        partial=_padded(met[: len(met) // 2], item.min_words, item.max_words),
        weak=_padded(list(bad), item.min_words, item.max_words),
    )
