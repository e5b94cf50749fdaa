"""Readiness estimates for scored attempts: made with the active model, stored, read back.

Call ``estimate_attempt`` after an attempt is scored (or rescored). The estimate uses the
candidate's competency percents pooled over their latest scored attempt of each assessment,
so it improves as the candidate completes more assessments. Items awaiting human rating
are left out; such an estimate is provisional and records which items it waits for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from uuid import UUID

import asyncpg
import msgspec

from service.ground.errors import NotFound
from service.ground.settings import Settings
from service.readiness.outcomes import awaiting_rating, candidate_percents
from service.readiness.predict import (
    INTERVAL_METHOD,
    BandThresholds,
    CompetencyEffect,
    LoadedModel,
    ReadinessEstimate,
    predict,
)
from service.readiness.registry import active_version, load_model

_MODEL_CACHE: dict[str, LoadedModel] = {}  # versions are immutable, so caching is safe
_MODEL_CACHE_SIZE = 8


class StoredEstimate(msgspec.Struct, frozen=True):
    """A stored readiness estimate of an attempt; ``awaiting_rating`` names the items it
    was computed without (their human ratings were not final yet)."""

    attempt_id: UUID
    estimate: ReadinessEstimate
    created_at: dt.datetime
    awaiting_rating: tuple[str, ...] = ()

    @property
    def provisional(self) -> bool:
        """Computed without some items that await rating."""
        return bool(self.awaiting_rating)


async def _model_for(conn: asyncpg.Connection, organization_id: UUID) -> LoadedModel | None:
    version = await active_version(conn, organization_id=organization_id)
    if version is None:
        return None
    if version not in _MODEL_CACHE:
        if len(_MODEL_CACHE) >= _MODEL_CACHE_SIZE:
            _MODEL_CACHE.pop(next(iter(_MODEL_CACHE)))
        _MODEL_CACHE[version] = await load_model(conn, version, organization_id=organization_id)
    return _MODEL_CACHE[version]


async def estimate_attempt(
    conn: asyncpg.Connection,
    *,
    organization_id: UUID,
    attempt_id: UUID,
    thresholds: BandThresholds | None = None,
    names: Mapping[str, str] | None = None,
) -> ReadinessEstimate | None:
    """Estimate and store readiness for a scored attempt; None when no model is active.

    Raises NotFound when the attempt is not the organization's or has no current scores.
    """
    candidate_id: UUID | None = await conn.fetchval(
        "SELECT candidate_id FROM attempts WHERE organization_id = $1 AND id = $2",
        organization_id,
        attempt_id,
    )
    if candidate_id is None:
        raise NotFound("attempt not found")
    percents = await candidate_percents(
        conn, organization_id=organization_id, candidate_id=candidate_id
    )
    if not percents:
        raise NotFound("attempt has no competency scores yet")
    model = await _model_for(conn, organization_id)
    if model is None:
        return None
    [estimate] = predict(model, [percents], thresholds=thresholds, names=names)
    waiting = await awaiting_rating(
        conn, organization_id=organization_id, candidate_id=candidate_id
    )
    await conn.execute(
        """INSERT INTO readiness_predictions (organization_id, attempt_id, model_version,
               probability, band, lower, upper, explanation, scoring_run_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                   (SELECT id FROM scoring_runs WHERE organization_id = $1
                    AND attempt_id = $2 AND current))""",
        organization_id,
        attempt_id,
        estimate.model_version,
        estimate.probability,
        estimate.band,
        estimate.lower,
        estimate.upper,
        {
            "interval_method": estimate.interval_method,
            "effects": msgspec.to_builtins(estimate.effects),
            "awaiting_rating": waiting,
        },
    )
    return estimate


def thresholds_of(settings: Settings) -> BandThresholds:
    """The band thresholds set by CHARTREADY_READINESS_READY / _NEARLY_READY."""
    return BandThresholds(
        ready=settings.readiness_ready, nearly_ready=settings.readiness_nearly_ready
    )


async def latest_estimate(
    conn: asyncpg.Connection, *, organization_id: UUID, attempt_id: UUID
) -> StoredEstimate | None:
    """The newest stored estimate of an attempt, or None."""
    row = await conn.fetchrow(
        """SELECT attempt_id, model_version, probability, band, lower, upper, explanation,
                  created_at
           FROM readiness_predictions WHERE organization_id = $1 AND attempt_id = $2
           ORDER BY created_at DESC, id DESC LIMIT 1""",
        organization_id,
        attempt_id,
    )
    if row is None:
        return None
    explanation = row["explanation"]
    estimate = ReadinessEstimate(
        probability=row["probability"],
        band=row["band"],
        lower=row["lower"],
        upper=row["upper"],
        interval_method=explanation.get("interval_method", INTERVAL_METHOD),
        effects=msgspec.convert(explanation.get("effects", []), tuple[CompetencyEffect, ...]),
        model_version=row["model_version"],
    )
    return StoredEstimate(
        row["attempt_id"],
        estimate,
        row["created_at"],
        tuple(explanation.get("awaiting_rating", ())),
    )
