"""Span marking (PHI identifiers): identifiers found, minus a cost for each extra mark.

A mark matches a gold span when their overlap covers at least ``min_overlap`` of the gold
span and at least ``min_overlap`` of the mark (one huge mark cannot claim every span).
Share = recall - ``extra_mark_penalty`` x (marks matching no gold span) / gold spans,
floored at 0. So marking every word, or half the words at random, earns nothing: hedging
costs as much as it could gain, as with extra codes and unkeyed options.
"""

from __future__ import annotations

from service.assessments.answers import Mark
from service.assessments.items import SpanMarkingItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scores import ItemScore


def score(item: SpanMarkingItem, answer: tuple[Mark, ...] | None) -> ItemScore:
    """Share of gold spans found minus the penalty for marks that match none, x points."""
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
    extra = len(answer) - matching_marks
    recall = sum(found) / len(found) if found else 0.0
    penalty = item.rubric.extra_mark_penalty * extra / len(found) if found else 0.0
    share = max(0.0, recall - penalty)
    feedback = {
        "answered": True,
        "precision": round(matching_marks / len(answer), 4) if answer else 0.0,
        "recall": round(recall, 4),
        "missed_labels": sorted(
            {g.label for g, hit in zip(item.spans, found, strict=True) if not hit}
        ),
        "extra_marks": extra,
    }
    return scored(item, share, feedback)
