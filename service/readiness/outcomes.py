"""Hiring outcomes (posted by HR systems) and the competency scores they are joined to.

A candidate's features are pooled over the *current* scoring run of their latest scored
attempt of each assessment, leaving out points of items still awaiting human rating (a
machine-read constructed response never moves a readiness estimate). When a candidate has
outcomes from several sources, the most recently observed one counts.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg
import msgspec

from service.ground.errors import NotFound
from service.readiness.features import CompetencyTotal, pooled_percents


class HiringOutcome(msgspec.Struct, frozen=True):
    """Whether a hired candidate met the 90-day performance standard."""

    id: UUID
    organization_id: UUID
    candidate_id: UUID
    attempt_id: UUID | None
    met_standard: bool
    observed_on: dt.date
    source: str
    created_at: dt.datetime


class TrainingRow(msgspec.Struct, frozen=True):
    """One real outcome with the candidate's pooled competency percents."""

    candidate_id: UUID
    met_standard: bool
    observed_on: dt.date
    percents: dict[str, float]


async def record_outcome(
    conn: asyncpg.Connection,
    *,
    organization_id: UUID,
    candidate_id: UUID,
    met_standard: bool,
    observed_on: dt.date,
    source: str,
    attempt_id: UUID | None = None,
) -> HiringOutcome:
    """Insert an outcome, or replace the one this source posted for the candidate before."""
    row = await conn.fetchrow(
        """
        INSERT INTO hiring_outcomes
            (organization_id, candidate_id, attempt_id, met_standard, observed_on, source)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (candidate_id, source) DO UPDATE
            SET attempt_id = EXCLUDED.attempt_id, met_standard = EXCLUDED.met_standard,
                observed_on = EXCLUDED.observed_on, created_at = now()
            WHERE hiring_outcomes.organization_id = EXCLUDED.organization_id
        RETURNING id, organization_id, candidate_id, attempt_id, met_standard, observed_on,
                  source, created_at
        """,
        organization_id,
        candidate_id,
        attempt_id,
        met_standard,
        observed_on,
        source,
    )
    if row is None:  # the conflicting row belongs to another organization
        raise NotFound("candidate not found in this organization")
    return HiringOutcome(**dict(row))


# The latest scored attempt of each assessment (the view is the one definition of "latest").
_LATEST_RUNS = """
    SELECT candidate_id, run_id FROM latest_scored_attempts
    WHERE organization_id = $1 {candidate_filter}
"""


async def candidate_percents(
    conn: asyncpg.Connection, *, organization_id: UUID, candidate_id: UUID
) -> dict[str, float]:
    """A candidate's competency percents pooled over their latest scored attempts."""
    rows = await conn.fetch(
        f"""
        WITH latest AS ({_LATEST_RUNS.format(candidate_filter="AND candidate_id = $2")})
        SELECT cs.competency_id, sum(cs.raw - cs.provisional_raw) AS raw,
               sum(cs.max - cs.provisional_max) AS max
        FROM latest l JOIN competency_scores cs ON cs.scoring_run_id = l.run_id
        WHERE cs.organization_id = $1
        GROUP BY cs.competency_id
        """,  # noqa: S608 - only constant SQL is interpolated
        organization_id,
        candidate_id,
    )
    return pooled_percents(CompetencyTotal(r["competency_id"], r["raw"], r["max"]) for r in rows)


async def awaiting_rating(
    conn: asyncpg.Connection, *, organization_id: UUID, candidate_id: UUID
) -> list[str]:
    """Items of the candidate's latest scored attempts still awaiting human rating (left
    out of the readiness features until their ratings are final)."""
    rows = await conn.fetch(
        f"""
        WITH latest AS ({_LATEST_RUNS.format(candidate_filter="AND candidate_id = $2")})
        SELECT s.item_id FROM latest l
        JOIN item_scores s ON s.scoring_run_id = l.run_id AND s.organization_id = $1
        WHERE s.provisional ORDER BY s.item_id
        """,  # noqa: S608 - only constant SQL is interpolated
        organization_id,
        candidate_id,
    )
    return [r["item_id"] for r in rows]


async def training_rows(conn: asyncpg.Connection, *, organization_id: UUID) -> list[TrainingRow]:
    """Every candidate of the organization with an outcome and at least one scored attempt.

    Simulated people (the demo's) are left out: their outcomes are never real ones."""
    rows = await conn.fetch(
        f"""
        WITH outcome AS (
            SELECT DISTINCT ON (o.candidate_id) o.candidate_id, o.met_standard, o.observed_on
            FROM hiring_outcomes o
            JOIN candidates c ON c.organization_id = o.organization_id AND c.id = o.candidate_id
            WHERE o.organization_id = $1 AND NOT c.simulated
            ORDER BY o.candidate_id, o.observed_on DESC, o.created_at DESC
        ), latest AS ({_LATEST_RUNS.format(candidate_filter="")})
        SELECT o.candidate_id, o.met_standard, o.observed_on, cs.competency_id,
               sum(cs.raw - cs.provisional_raw) AS raw,
               sum(cs.max - cs.provisional_max) AS max
        FROM outcome o
        JOIN latest l ON l.candidate_id = o.candidate_id
        JOIN competency_scores cs ON cs.scoring_run_id = l.run_id AND cs.organization_id = $1
        GROUP BY o.candidate_id, o.met_standard, o.observed_on, cs.competency_id
        ORDER BY o.candidate_id
        """,  # noqa: S608 - only constant SQL is interpolated
        organization_id,
    )
    by_candidate: dict[UUID, list[asyncpg.Record]] = {}
    for row in rows:
        by_candidate.setdefault(row["candidate_id"], []).append(row)
    return [
        TrainingRow(
            candidate_id=cid,
            met_standard=group[0]["met_standard"],
            observed_on=group[0]["observed_on"],
            percents=pooled_percents(
                CompetencyTotal(r["competency_id"], r["raw"], r["max"]) for r in group
            ),
        )
        for cid, group in by_candidate.items()
    ]
