"""Try one answer against one item of the bank (behind `chartready score-answer`).

An author can check how the current bank scores an answer without taking the assessment.
The answer is JSON in the shape the candidate pages send (docs/content-format.md); the
result carries ``marks``, ``max`` and the scorer's ``feedback``. An unknown item, JSON that
does not parse, or an answer the item cannot accept raises TrialError saying which.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from service.assessments.answers import InvalidAnswer, validate_answer
from service.assessments.content import load_content
from service.assessments.scorers import score_item


class AnswerTrial(msgspec.Struct, frozen=True):
    """What one answer earns on one item, and the scorer's explanation."""

    marks: float
    max: float
    feedback: dict[str, Any]

    def to_json(self) -> str:
        """One JSON object: ``marks``, ``max`` and ``feedback``."""
        return msgspec.json.encode(self).decode()


class TrialError(ValueError):
    """The item is unknown, or the answer is not JSON or not acceptable for the item."""


def try_answer(root: Path | None, item_id: str, answer_json: str) -> AnswerTrial:
    """Score ``answer_json`` (a JSON document) against item ``item_id`` of the bank under
    ``root`` (default: the shipped rubrics/). Raises TrialError, or ContentError for a bank
    that does not load."""
    content = load_content(root)
    item = content.items.get(item_id)
    if item is None:
        raise TrialError(f"unknown item {item_id!r} in content version {content.version_id}")
    try:
        raw = msgspec.json.decode(answer_json.encode())
    except msgspec.DecodeError as error:
        raise TrialError(f"the answer is not valid JSON: {error}") from None
    try:
        answer = validate_answer(item, raw)
    except InvalidAnswer as error:
        raise TrialError(f"invalid answer for {item_id}: {error.field}: {error.message}") from None
    result = score_item(item, answer, content.hcpcs_codes)
    return AnswerTrial(marks=result.points, max=result.max_points, feedback=result.feedback)
