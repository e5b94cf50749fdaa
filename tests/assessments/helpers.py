"""Helpers for the engine's tests: the fixture tree and answers built from keys."""

from __future__ import annotations

from pathlib import Path

from service.assessments.answers import Mark
from service.assessments.items import (
    ConstructedResponseItem,
    Item,
    SpanMarkingItem,
)
from service.assessments.ratings import Rating, final_score
from service.assessments.scores import ItemScore

FIXTURE_ROOT = Path(__file__).resolve().parent / "fixtures" / "rubrics"

GOOD_REPLY = (
    "Dear Ms. Rivera, thank you for your request for a copy of your records. We will send "
    "them within 30 days. Please bring a photo ID so we can verify your identity. A small, "
    "cost-based fee covers paper copies. Call us if you have any questions about your "
    "request. We are glad to help you."
)


def key_answer(item: Item) -> object:
    """An answer that matches the item's key (a strong reply for constructed responses)."""
    if isinstance(item, SpanMarkingItem):
        return tuple(Mark(span.start, span.end) for span in item.spans)
    if isinstance(item, ConstructedResponseItem):
        return GOOD_REPLY
    return item.key


def top_rating(item: ConstructedResponseItem) -> ItemScore:
    """The final score two raters giving every criterion level 3 would produce."""
    levels = {criterion.id: 3 for criterion in item.criteria}
    return final_score(
        item, Rating(rater_id="r1", levels=levels), Rating(rater_id="r2", levels=levels)
    )
