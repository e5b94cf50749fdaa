"""Span marking (PHI identifiers): entity-level F-beta with an overlap tolerance."""

from __future__ import annotations

from service.assessments.answers import Mark
from service.assessments.items import SpanMarkingItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scores import ItemScore


def score(item: SpanMarkingItem, answer: tuple[Mark, ...] | None) -> ItemScore:
    """F-beta of entity-level precision and recall, x points.

    A mark matches a gold span when their overlap covers at least ``min_overlap`` of the gold
    span and at least ``min_overlap`` of the mark (one huge mark cannot claim every span).
    """
    if answer is None:
        return unanswered(item)
    threshold = item.rubric.min_overlap
    found = [False] * len(item.spans)
    matching_marks = 0
    for mark in answer:
        mark_length = mark.end - mark.start
        matched = False
        for index, gold in enumerate(item.spans):
            overlap = min(mark.end, gold.end) - max(mark.start, gold.start)
            if overlap <= 0:
                continue
            if (
                overlap >= threshold * (gold.end - gold.start)
                and overlap >= threshold * mark_length
            ):
                found[index] = True
                matched = True
        matching_marks += matched
    recall = sum(found) / len(found) if found else 1.0
    precision = matching_marks / len(answer) if answer else (1.0 if not found else 0.0)
    beta2 = item.rubric.beta**2
    denominator = beta2 * precision + recall
    fbeta = (1 + beta2) * precision * recall / denominator if denominator else 0.0
    feedback = {
        "answered": True,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f_beta": round(fbeta, 4),
        "missed_labels": sorted(
            {g.label for g, hit in zip(item.spans, found, strict=True) if not hit}
        ),
        "extra_marks": len(answer) - matching_marks,
    }
    return scored(item, fbeta, feedback)
