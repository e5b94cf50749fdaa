"""Scoring results: per item, per competency, per section and per attempt."""

from __future__ import annotations

from typing import Any

import msgspec


class ItemScore(msgspec.Struct, frozen=True, kw_only=True):
    """One item's score. ``feedback`` is machine-readable (JSON-encodable) and explains it."""

    item_id: str
    points: float
    max_points: float
    feedback: dict[str, Any]
    provisional: bool = False


class CompetencyScore(msgspec.Struct, frozen=True, kw_only=True):
    """Raw points, max points and percent for one competency within an attempt.

    ``provisional_raw`` / ``provisional_max`` are the part of ``raw`` / ``max`` that comes
    from items still awaiting human rating (constructed responses); readiness and the
    profile leave them out until the ratings are final.
    """

    competency_id: str
    raw: float
    max: float
    percent: float
    provisional_raw: float = 0.0
    provisional_max: float = 0.0


class SectionScore(msgspec.Struct, frozen=True, kw_only=True):
    """Raw points, max points and percent for one section within an attempt."""

    section_id: str
    raw: float
    max: float
    percent: float


class AttemptScore(msgspec.Struct, frozen=True, kw_only=True):
    """A scored attempt, with the content version and cut it was scored against.

    ``provisional`` is true while any item score is provisional (constructed responses
    awaiting two human ratings). A provisional score never decides pass/fail:
    ``awaiting_rating`` is true when the result would differ between the provisional items
    earning nothing and earning full marks, and then ``passed`` is false until the ratings
    are final. ``equated_raw`` is the raw total on the reference form's scale (equal to
    ``raw_total`` without statistical equating).
    """

    content_version: str
    assessment_id: str
    form_id: str
    item_scores: tuple[ItemScore, ...]
    competency_scores: tuple[CompetencyScore, ...]
    section_scores: tuple[SectionScore, ...]
    raw_total: float
    max_total: float
    equated_raw: float
    raw_cut: float
    scaled_score: int
    passed: bool
    provisional: bool
    awaiting_rating: bool = False


def percent(raw: float, maximum: float) -> float:
    """100 x raw / max, rounded to 0.1; 0 when max is 0."""
    return round(100.0 * raw / maximum, 1) if maximum else 0.0
