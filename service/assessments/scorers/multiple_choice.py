"""Multiple choice ("select all that apply"): hits minus false alarms (see selection.py)."""

from __future__ import annotations

from service.assessments.items import MultipleChoiceItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scorers.selection import selection_share
from service.assessments.scores import ItemScore


def score(item: MultipleChoiceItem, answer: tuple[str, ...] | None) -> ItemScore:
    """Score a validated set of option ids by the rubric's ``partial_credit`` rule.

    hits_minus_false_alarms (default): share of keyed options chosen minus share of unkeyed
    options chosen, floored at 0; all_or_nothing: full points only for exactly the key.
    """
    if answer is None:
        return unanswered(item)
    chosen = frozenset(answer)
    rule = item.rubric.partial_credit
    share = selection_share(rule, chosen, item.key_set, item.option_ids)
    feedback = {
        "answered": True,
        "rule": rule,
        "right": len(chosen & item.key_set),
        "wrong": len(chosen - item.key_set),
        "missed": len(item.key_set - chosen),
    }
    return scored(item, share, feedback)
