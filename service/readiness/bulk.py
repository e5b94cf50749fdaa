"""Readiness estimates for many candidates at once (seeding simulated cohorts): one query
for their pooled competency percents (items awaiting rating left out), one prediction call,
one insert. The same estimate ``estimate_attempt`` makes, stored against each candidate's
given attempt."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import asyncpg
import msgspec

from service.readiness.features import CompetencyTotal, pooled_percents
from service.readiness.predict import BandThresholds, predict
from service.readiness.registry import active_version, load_model


async def estimate_candidates(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    attempts: Mapping[uuid.UUID, uuid.UUID],
    *,
    thresholds: BandThresholds,
) -> int:
    """Estimate each candidate (key) and store it against their attempt (value); returns
    how many were stored (0 when no model is active)."""
    version = await active_version(conn, organization_id=organization_id)
    if version is None or not attempts:
        return 0
    model = await load_model(conn, version, organization_id=organization_id)
    rows = await conn.fetch(
        """SELECT l.candidate_id, cs.competency_id, sum(cs.raw - cs.provisional_raw) AS raw,
                  sum(cs.max - cs.provisional_max) AS max
           FROM latest_scored_attempts l
           JOIN competency_scores cs ON cs.organization_id = l.organization_id
                                    AND cs.scoring_run_id = l.run_id
           WHERE l.organization_id = $1 AND l.candidate_id = ANY($2::uuid[])
           GROUP BY l.candidate_id, cs.competency_id""",
        organization_id,
        list(attempts),
    )
    totals: dict[uuid.UUID, list[CompetencyTotal]] = {}
    for r in rows:
        totals.setdefault(r["candidate_id"], []).append(
            CompetencyTotal(r["competency_id"], r["raw"], r["max"])
        )
    waiting = {
        r["candidate_id"]: list(r["items"])
        for r in await conn.fetch(
            """SELECT l.candidate_id, array_agg(s.item_id ORDER BY s.item_id) AS items
           FROM latest_scored_attempts l
           JOIN item_scores s ON s.organization_id = l.organization_id
                             AND s.scoring_run_id = l.run_id
           WHERE l.organization_id = $1 AND l.candidate_id = ANY($2::uuid[]) AND s.provisional
           GROUP BY l.candidate_id""",
            organization_id,
            list(attempts),
        )
    }
    candidates = [c for c in attempts if c in totals]
    estimates = predict(
        model, [pooled_percents(totals[c]) for c in candidates], thresholds=thresholds
    )
    await conn.execute(
        """INSERT INTO readiness_predictions (organization_id, attempt_id, model_version,
               probability, band, lower, upper, explanation)
           SELECT $1, e.attempt, e.version, e.p, e.band, e.lower, e.upper, e.explanation::jsonb
           FROM unnest($2::uuid[], $3::text[], $4::float8[], $5::text[], $6::float8[],
                       $7::float8[], $8::text[])
                AS e(attempt, version, p, band, lower, upper, explanation)""",
        organization_id,
        [attempts[c] for c in candidates],
        [e.model_version for e in estimates],
        [e.probability for e in estimates],
        [e.band for e in estimates],
        [e.lower for e in estimates],
        [e.upper for e in estimates],
        [
            msgspec.json.encode(
                {
                    "interval_method": e.interval_method,
                    "effects": e.effects,
                    "awaiting_rating": waiting.get(c, []),
                }
            ).decode()
            for c, e in zip(candidates, estimates, strict=True)
        ],
    )
    return len(candidates)
