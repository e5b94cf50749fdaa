"""Store the first scoring run of many attempts at once: the same rows ``save_scoring_run``
writes, in a handful of statements, for seeding simulated cohorts (the demo, benchmarks).

Only for attempts that have no run yet (nothing is marked not current); every run is
current and the attempts become ``scored``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg
import msgspec

from service.assessments.scores import AttemptScore
from service.results.store import item_arrays


def _array_literals(
    arrays: Sequence[tuple[list[str], list[float], list[float]]],
) -> tuple[list[str], list[str], list[str]]:
    """Each run's arrays as PostgreSQL array literals (unnest cannot take arrays of arrays
    of different lengths); item ids are plain tokens, quoted anyway."""

    def text(values: Sequence[str]) -> str:
        return (
            "{"
            + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
            + "}"
        )

    def numbers(values: Sequence[float]) -> str:
        return "{" + ",".join(repr(float(v)) for v in values) + "}"

    return (
        [text(ids) for ids, _, _ in arrays],
        [numbers(p) for _, p, _ in arrays],
        [numbers(m) for _, _, m in arrays],
    )


async def save_first_runs(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    scored: Sequence[tuple[uuid.UUID, AttemptScore]],
    *,
    reason: str,
    created_by: str,
) -> list[uuid.UUID]:
    """Store one run per (attempt id, score); returns the run ids in order. The content
    version rows must exist (``ensure_content_version``)."""
    runs = [uuid.uuid4() for _ in scored]
    scores = [s for _, s in scored]
    attempts = [a for a, _ in scored]
    async with conn.transaction():
        await conn.execute(
            """INSERT INTO scoring_runs (id, organization_id, attempt_id, content_version,
                   raw_total, max_total, scaled_score, passed, provisional, reason, created_by,
                   equated_raw, raw_cut, section_scores, awaiting_rating)
               SELECT r.id, $1, r.attempt, r.version, r.raw, r.max, r.scaled, r.passed,
                      r.provisional, $2, $3, r.equated, r.cut, r.sections::jsonb, r.awaiting
               FROM unnest($4::uuid[], $5::uuid[], $6::text[], $7::float8[], $8::float8[],
                           $9::float8[], $10::bool[], $11::bool[], $12::float8[],
                           $13::float8[], $14::text[], $15::bool[])
                    AS r(id, attempt, version, raw, max, scaled, passed, provisional,
                         equated, cut, sections, awaiting)""",
            organization_id,
            reason,
            created_by,
            runs,
            attempts,
            [s.content_version for s in scores],
            [s.raw_total for s in scores],
            [s.max_total for s in scores],
            [float(s.scaled_score) for s in scores],
            [s.passed for s in scores],
            [s.provisional for s in scores],
            [s.equated_raw for s in scores],
            [s.raw_cut for s in scores],
            [msgspec.json.encode(s.section_scores).decode() for s in scores],
            [s.awaiting_rating for s in scores],
        )
        await conn.execute(
            """INSERT INTO item_score_vectors (scoring_run_id, organization_id, item_ids,
                   points, max_points)
               SELECT v.run, $1, v.items::text[], v.points::float8[], v.maxima::float8[]
               FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[])
                    AS v(run, items, points, maxima)""",
            organization_id,
            runs,
            *_array_literals([item_arrays(s) for s in scores]),
        )
        items = [(run, i) for run, s in zip(runs, scores, strict=True) for i in s.item_scores]
        await conn.execute(
            """INSERT INTO item_scores (organization_id, scoring_run_id, item_id, points,
                   max_points, feedback, provisional)
               SELECT $1, i.run, i.item, i.points, i.max, i.feedback::jsonb, i.provisional
               FROM unnest($2::uuid[], $3::text[], $4::float8[], $5::float8[], $6::text[],
                           $7::bool[]) AS i(run, item, points, max, feedback, provisional)""",
            organization_id,
            [r for r, _ in items],
            [i.item_id for _, i in items],
            [i.points for _, i in items],
            [i.max_points for _, i in items],
            [msgspec.json.encode(i.feedback).decode() for _, i in items],
            [i.provisional for _, i in items],
        )
        comps = [(run, c) for run, s in zip(runs, scores, strict=True) for c in s.competency_scores]
        await conn.execute(
            """INSERT INTO competency_scores (organization_id, scoring_run_id, competency_id,
                   raw, max, percent, provisional_raw, provisional_max)
               SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::float8[], $5::float8[],
                                        $6::float8[], $7::float8[], $8::float8[])""",
            organization_id,
            [r for r, _ in comps],
            [c.competency_id for _, c in comps],
            [c.raw for _, c in comps],
            [c.max for _, c in comps],
            [c.percent for _, c in comps],
            [c.provisional_raw for _, c in comps],
            [c.provisional_max for _, c in comps],
        )
        await conn.execute(
            "UPDATE attempts SET status = 'scored' WHERE organization_id = $1 "
            "AND id = ANY($2::uuid[])",
            organization_id,
            attempts,
        )
    return runs
