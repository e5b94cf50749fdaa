"""Single choice: full points for the keyed option, none otherwise."""

from __future__ import annotations

from service.assessments.items import SingleChoiceItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scores import ItemScore


def score(item: SingleChoiceItem, answer: str | None) -> ItemScore:
    """Score a validated single-choice answer (an option id)."""
    if answer is None:
        return unanswered(item)
    correct = answer == item.key
    return scored(item, 1.0 if correct else 0.0, {"answered": True, "correct": correct})
