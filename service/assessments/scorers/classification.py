"""Classification (e.g. indexing scanned pages by document type): per-category informedness.

Each entry goes into one category. For every category the key uses, the share of its
entries placed there minus the share of the other entries placed there; the mean over
those categories, floored at 0, is the item's share (see selection.py). Entries left
unclassified count as misses, never as false alarms.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.assessments.items import ClassificationItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scorers.selection import classification_share
from service.assessments.scores import ItemScore


def score(item: ClassificationItem, answer: Mapping[str, str] | None) -> ItemScore:
    """Score a validated mapping of entry id -> category id."""
    if answer is None:
        return unanswered(item)
    rule = item.rubric.partial_credit
    share = classification_share(rule, answer, item.key)
    right = sorted(e for e, c in answer.items() if item.key.get(e) == c)
    feedback = {
        "answered": True,
        "rule": rule,
        "right": len(right),
        "wrong": len(answer) - len(right),
        "unclassified": len(item.key) - len(answer),
        "misplaced": sorted(e for e, c in answer.items() if item.key.get(e) != c),
    }
    return scored(item, share, feedback)
