"""Numeric answers: full points within the rubric's absolute tolerance."""

from __future__ import annotations

from service.assessments.items import NumericItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scores import ItemScore

_FLOAT_SLACK = 1e-9  # so 0.1 + 0.2 style representation error never costs a mark


def score(item: NumericItem, answer: float | None) -> ItemScore:
    """Full points when |answer - key| <= tolerance, else none."""
    if answer is None:
        return unanswered(item)
    difference = answer - item.key
    correct = abs(difference) <= item.rubric.tolerance + _FLOAT_SLACK * max(1.0, abs(item.key))
    feedback = {"answered": True, "correct": correct, "difference": round(difference, 6)}
    return scored(item, 1.0 if correct else 0.0, feedback)
