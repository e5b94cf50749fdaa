"""The people a bias audit covers, with their self-reported categories and the outcome.

One row per candidate: their latest scored attempt (of the chosen assessment, or of any
assessment) submitted within the selection. Outcomes:

- ``passed``: the attempt passed the assessment's cut (a selection);
- ``scaled_score``: the attempt's scaled score (a score, so the scoring rate is used);
- ``ready``: the candidate's latest readiness estimate is in the band "ready" (a selection;
  candidates without an estimate are left out and counted);
- ``hired``: the organization recorded a hiring decision for the candidate (a row in
  ``hiring_outcomes``, which HR systems post for hired candidates).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import asyncpg
import msgspec

from service.analytics.selection import SCOPE_FILTER, Selection
from service.demographics.categories import PREFER_NOT_TO_SAY
from service.ground.errors import InvalidInput

Outcome = Literal["passed", "scaled_score", "ready", "hired"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "scaled_score", "ready", "hired")
NEEDS_ASSESSMENT: frozenset[str] = frozenset({"passed", "scaled_score"})

_OUTCOME_SQL: dict[str, str] = {
    "passed": "s.passed::int::float8",
    "scaled_score": "s.scaled_score",
    "ready": """(SELECT (p.band = 'ready')::int::float8
                 FROM readiness_predictions p
                 JOIN attempts a ON a.organization_id = p.organization_id AND a.id = p.attempt_id
                 WHERE p.organization_id = $1 AND a.candidate_id = s.candidate_id
                 ORDER BY p.created_at DESC, p.id DESC LIMIT 1)""",
    "hired": """EXISTS (SELECT 1 FROM hiring_outcomes h
                        WHERE h.organization_id = $1
                          AND h.candidate_id = s.candidate_id)::int::float8""",
}

_POPULATION = """
    WITH scope AS (
        SELECT DISTINCT ON (l.candidate_id) l.candidate_id, l.passed, l.scaled_score,
               l.submitted_at
        FROM latest_scored_attempts l
        WHERE l.organization_id = $1 AND ($5::text IS NULL OR l.assessment_id = $5)
              {scope}
        ORDER BY l.candidate_id, l.submitted_at DESC NULLS LAST, l.attempt_id
    )
    SELECT s.candidate_id, s.submitted_at, c.simulated, d.sex, d.race_ethnicity,
           {outcome} AS outcome
    FROM scope s
    JOIN candidates c ON c.organization_id = $1 AND c.id = s.candidate_id
    LEFT JOIN candidate_demographics d ON d.organization_id = $1
                                     AND d.candidate_id = s.candidate_id
"""


class Population(msgspec.Struct, frozen=True, kw_only=True):
    """Columns of the audit's individuals (None = unknown category)."""

    sex: list[str | None]
    race_ethnicity: list[str | None]
    outcome: list[float]
    simulated: int
    real: int
    without_outcome: int
    first_submitted: dt.datetime | None
    last_submitted: dt.datetime | None


def _known(value: str | None) -> str | None:
    return None if value in (None, PREFER_NOT_TO_SAY) else value


async def load_population(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    selection: Selection,
    outcome: Outcome,
    assessment_id: str | None,
) -> Population:
    """The audit's individuals; ``assessment_id`` is required for passed and scaled_score."""
    if outcome in NEEDS_ASSESSMENT and assessment_id is None:
        raise InvalidInput(
            f"The outcome {outcome!r} belongs to one assessment: give assessment_id",
            field="assessment_id",
        )
    sql = _POPULATION.format(scope=SCOPE_FILTER, outcome=_OUTCOME_SQL[outcome])
    rows = await conn.fetch(
        sql,
        organization_id,
        selection.cohort_id,
        selection.date_from,
        selection.date_to,
        assessment_id,
    )
    kept = [r for r in rows if r["outcome"] is not None]
    submitted = [r["submitted_at"] for r in kept if r["submitted_at"] is not None]
    simulated = sum(r["simulated"] for r in kept)
    return Population(
        sex=[_known(r["sex"]) for r in kept],
        race_ethnicity=[_known(r["race_ethnicity"]) for r in kept],
        outcome=[r["outcome"] for r in kept],
        simulated=simulated,
        real=len(kept) - simulated,
        without_outcome=len(rows) - len(kept),
        first_submitted=min(submitted, default=None),
        last_submitted=max(submitted, default=None),
    )
