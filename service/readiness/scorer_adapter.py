"""The one place that reads the scoring engine's results, so the simulation depends on a
small, stable surface: points per item and raw/max per competency of a scored attempt."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import msgspec

from service.assessments.bank import ContentVersion
from service.assessments.scores import AttemptScore
from service.assessments.scoring import score_attempt
from service.readiness.features import CompetencyTotal

Scorer = Callable[[ContentVersion, str, Mapping[str, object]], AttemptScore]


class ScoredAttempt(msgspec.Struct, frozen=True):
    """What the simulation needs from a scored attempt."""

    item_points: dict[str, float]
    item_max: dict[str, float]
    competencies: list[CompetencyTotal]


def default_scorer() -> Scorer:
    """The engine's ``score_attempt`` (tests may pass a stand-in instead)."""
    return score_attempt


def scored_attempt(score: AttemptScore) -> ScoredAttempt:
    """Read item points and competency totals from the engine's ``AttemptScore``."""
    return ScoredAttempt(
        item_points={s.item_id: s.points for s in score.item_scores},
        item_max={s.item_id: s.max_points for s in score.item_scores},
        competencies=[
            CompetencyTotal(competency_id=c.competency_id, raw=c.raw, max=c.max)
            for c in score.competency_scores
        ],
    )
