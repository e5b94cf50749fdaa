"""One pure, deterministic scorer per task type, and ``score_item`` to dispatch on type.

Every scorer takes an item and a *validated* answer (see answers.validate_answer; ``None`` =
unanswered) and returns an ItemScore with points in [0, max_points] and machine-readable
feedback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.assessments.items import (
    ClassificationItem,
    CodeEntryItem,
    ConstructedResponseItem,
    DateItem,
    Item,
    MultipleChoiceItem,
    NumericItem,
    OrderingItem,
    RecordMatchingItem,
    SetSelectionItem,
    SingleChoiceItem,
    SpanMarkingItem,
)
from service.assessments.scorers import (
    classification,
    code_entry,
    constructed_response,
    date,
    multiple_choice,
    numeric,
    ordering,
    record_matching,
    set_selection,
    single_choice,
    span_marking,
)
from service.assessments.scores import ItemScore

SCORERS: dict[type, Callable[[Any, Any], ItemScore]] = {
    SingleChoiceItem: single_choice.score,
    MultipleChoiceItem: multiple_choice.score,
    SetSelectionItem: set_selection.score,
    SpanMarkingItem: span_marking.score,
    OrderingItem: ordering.score,
    RecordMatchingItem: record_matching.score,
    NumericItem: numeric.score,
    DateItem: date.score,
    ClassificationItem: classification.score,
    ConstructedResponseItem: constructed_response.score,
}


def score_item(item: Item, answer: object, hcpcs_codes: frozenset[str] = frozenset()) -> ItemScore:
    """Score one validated answer; ``hcpcs_codes`` is the shipped HCPCS list (code entry)."""
    if isinstance(item, CodeEntryItem):
        return code_entry.score(item, answer, hcpcs_codes)  # type: ignore[arg-type]
    return SCORERS[type(item)](item, answer)
