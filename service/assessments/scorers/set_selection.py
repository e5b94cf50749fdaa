"""Set selection (e.g. chart deficiencies): hits minus false alarms (see selection.py)."""

from __future__ import annotations

from service.assessments.items import SetSelectionItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scorers.selection import selection_share
from service.assessments.scores import ItemScore


def score(item: SetSelectionItem, answer: tuple[str, ...] | None) -> ItemScore:
    """Share = max(0, keyed options chosen / keyed - unkeyed chosen / unkeyed)."""
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
