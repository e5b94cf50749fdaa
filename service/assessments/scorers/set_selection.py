"""Set selection (e.g. chart deficiencies): right picks earn, wrong picks cost."""

from __future__ import annotations

from service.assessments.items import SetSelectionItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scores import ItemScore


def score(item: SetSelectionItem, answer: tuple[str, ...] | None) -> ItemScore:
    """Share = max(0, (right - wrong_penalty x wrong) / key size)."""
    if answer is None:
        return unanswered(item)
    chosen = frozenset(answer)
    right = len(chosen & item.key_set)
    wrong = len(chosen - item.key_set)
    share = (right - item.rubric.wrong_penalty * wrong) / len(item.key_set)
    feedback = {
        "answered": True,
        "right": right,
        "wrong": wrong,
        "missed": len(item.key_set - chosen),
    }
    return scored(item, share, feedback)
