"""Multiple choice ("select all that apply") with the rubric's partial-credit rule."""

from __future__ import annotations

from service.assessments.items import MultipleChoiceItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scores import ItemScore


def score(item: MultipleChoiceItem, answer: tuple[str, ...] | None) -> ItemScore:
    """Score a validated set of option ids.

    per_option: each option classified right (selected iff keyed) earns 1/n of the points;
    right_minus_wrong: (keyed selected - unkeyed selected) / keyed count, floored at 0;
    all_or_nothing: full points only for exactly the key.
    """
    if answer is None:
        return unanswered(item)
    chosen = frozenset(answer)
    right = len(chosen & item.key_set)
    wrong = len(chosen - item.key_set)
    rule = item.rubric.partial_credit
    if rule == "per_option":
        classified_right = sum((o.id in chosen) == (o.id in item.key_set) for o in item.options)
        share = classified_right / len(item.options)
    elif rule == "right_minus_wrong":
        share = (right - wrong) / len(item.key_set)
    else:
        share = 1.0 if chosen == item.key_set else 0.0
    feedback = {
        "answered": True,
        "rule": rule,
        "right": right,
        "wrong": wrong,
        "missed": len(item.key_set - chosen),
    }
    return scored(item, share, feedback)
