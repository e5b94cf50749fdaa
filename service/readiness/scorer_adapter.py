"""The one place that reads the scoring engine's results, so the simulation depends on a
small, stable surface: points per item and raw/max per competency of a scored attempt."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import msgspec

from service.assessments.model import ContentVersion
from service.readiness.features import CompetencyTotal

Scorer = Callable[[ContentVersion, str, Mapping[str, object]], Any]


class ScoredAttempt(msgspec.Struct, frozen=True):
    """What the simulation needs from a scored attempt."""

    item_points: dict[str, float]
    item_max: dict[str, float]
    competencies: list[CompetencyTotal]


def default_scorer() -> Scorer:
    """The engine's ``score_attempt`` (imported late: the simulation must not need it to
    import, and tests may pass a stand-in)."""
    scorer: Scorer = importlib.import_module("service.assessments.scoring").score_attempt
    return scorer


def _entries(collection: Any, id_field: str) -> Iterable[tuple[str, Any]]:
    if isinstance(collection, Mapping):
        return ((str(k), v) for k, v in collection.items())
    return ((str(getattr(entry, id_field)), entry) for entry in collection)


def scored_attempt(score: Any) -> ScoredAttempt:
    """Read item points and competency totals from the engine's ``AttemptScore``."""
    item_points: dict[str, float] = {}
    item_max: dict[str, float] = {}
    for item_id, entry in _entries(score.item_scores, "item_id"):
        item_points[item_id] = float(entry.points)
        item_max[item_id] = float(entry.max_points)
    competencies = [
        CompetencyTotal(competency_id=cid, raw=float(entry.raw), max=float(entry.max))
        for cid, entry in _entries(score.competency_scores, "competency_id")
    ]
    return ScoredAttempt(item_points, item_max, competencies)
