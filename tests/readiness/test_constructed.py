"""Simulated written responses satisfy (or miss) the items' own rule patterns."""

from __future__ import annotations

import re

import pytest

from service.assessments.content import load_content
from service.assessments.items import ConstructedResponseItem
from service.assessments.readability import words
from service.readiness.constructed import constructed_answers, example_match


@pytest.mark.parametrize(
    "pattern",
    [r"\b30\b.{0,20}\bdays?\b", r"thirty\s+days", r"\b(?:sincerely|regards)\b", r"[A-Z]\d{3}"],
)
def test_examples_match_their_pattern(pattern: str) -> None:
    example = example_match(pattern)
    assert example is not None
    assert re.search(pattern, example, re.IGNORECASE)


def test_unsupported_constructs_give_none() -> None:
    assert example_match(r"(?<!not )approved") is None
    assert example_match(r"([unclosed") is None


def constructed_items() -> list[ConstructedResponseItem]:
    content = load_content()
    return [i for i in content.items.values() if isinstance(i, ConstructedResponseItem)]


@pytest.mark.parametrize("item", constructed_items(), ids=lambda i: i.id)
def test_strong_text_meets_every_required_rule_and_weak_text_none(
    item: ConstructedResponseItem,
) -> None:
    texts = constructed_answers(item)

    def met(text: str, kind: str) -> int:
        return sum(
            any(re.search(p, text, re.IGNORECASE) for p in rule.patterns)
            for rule in item.rules
            if rule.kind == kind
        )

    required = sum(rule.kind == "required" for rule in item.rules)
    assert met(texts.strong, "required") == required
    assert met(texts.strong, "forbidden") == 0
    assert met(texts.partial, "required") < required
    assert met(texts.weak, "required") < met(texts.strong, "required")
    for text in (texts.strong, texts.partial, texts.weak):
        assert item.min_words <= len(words(text)) <= item.max_words
