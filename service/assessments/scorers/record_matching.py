"""Record matching (master patient index duplicates): pairwise, false merges cost more."""

from __future__ import annotations

from service.assessments.items import RecordMatchingItem, cluster_pairs
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scores import ItemScore


def score(item: RecordMatchingItem, answer: tuple[tuple[str, ...], ...] | None) -> ItemScore:
    """Share = TP / (TP + missed + false_merge_weight x false merges) over same-patient pairs.

    Both key and answer without any pair (all records distinct patients) earns full marks.
    """
    if answer is None:
        return unanswered(item)
    gold = item.key_pairs
    given = cluster_pairs(answer)
    true_pairs = len(gold & given)
    false_merges = len(given - gold)
    missed = len(gold - given)
    denominator = true_pairs + missed + item.rubric.false_merge_weight * false_merges
    share = 1.0 if denominator == 0 else true_pairs / denominator
    feedback = {
        "answered": True,
        "precision": round(true_pairs / len(given), 4) if given else (1.0 if not gold else 0.0),
        "recall": round(true_pairs / len(gold), 4) if gold else 1.0,
        "false_merges": false_merges,
        "missed_duplicates": missed,
    }
    return scored(item, share, feedback)
