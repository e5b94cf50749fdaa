"""Date answers (deadlines, retention dates): full points within the tolerance in days."""

from __future__ import annotations

import datetime as dt

from service.assessments.items import DateItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scores import ItemScore


def score(item: DateItem, answer: dt.date | None) -> ItemScore:
    """Full points when the answer is within ``tolerance_days`` of the key, else none."""
    if answer is None:
        return unanswered(item)
    days_off = (answer - item.key).days
    correct = abs(days_off) <= item.rubric.tolerance_days
    return scored(
        item, 1.0 if correct else 0.0, {"answered": True, "correct": correct, "days_off": days_off}
    )
