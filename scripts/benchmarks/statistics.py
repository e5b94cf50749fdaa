"""Statistics over stored data: item analysis of one form over 10,000 scored attempts, and a
bias audit over 10,000 candidates, each read from PostgreSQL and computed as the staff
endpoints do (``service.analytics.reports``).

Goal (issue 15): under 200 ms each (median). The organization holds 10,000 simulated
candidates, each with a scored attempt on privacy-a (24 items) and one on coding-a (28), so
the queries pick one form out of more data; answers come from the documented simulation
(``simulate_fast``), demographics from its simulated groups. Also reported: the load and
compute parts of the item analysis, and DIF of the same form.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np

GOAL_MS = 200.0
N = 10_000
FORMS = ("privacy-a", "coding-a")


async def _seed(conn: Any, org: uuid.UUID) -> None:
    """10,000 simulated candidates with a scored attempt on each of FORMS, in bulk."""
    from service.assessments.content import load_content  # noqa: PLC0415
    from service.readiness.simulation import simulate_fast  # noqa: PLC0415
    from service.results.store import ensure_content_version  # noqa: PLC0415

    content = load_content()
    cohort = simulate_fast(content, N, seed=15)
    await ensure_content_version(conn, content)
    await conn.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, 'bench', 'Bench')", org
    )
    ids = [uuid.uuid4() for _ in range(N)]
    await conn.execute(
        """INSERT INTO candidates (id, organization_id, given_name, family_name, email,
               simulated) SELECT id, $1, 'Sim', 'Candidate', 'sim@example.org', true
           FROM unnest($2::uuid[]) AS id""",
        org,
        ids,
    )
    sexes = [s if s != "unknown" else None for s in cohort.sex]
    races = [r if r != "unknown" else None for r in cohort.race_ethnicity]
    await conn.execute(
        """INSERT INTO candidate_demographics (organization_id, candidate_id, sex, race_ethnicity)
           SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[])""",
        org,
        ids,
        [s or "unknown" for s in sexes],
        [r or "unknown" for r in races],
    )
    for form_id in FORMS:
        form = content.forms[form_id]
        columns = [cohort.item_ids.index(i.id) for i in form.items]
        points = np.nan_to_num(cohort.item_points[:, columns])  # other form's people: 0
        maxima = np.array([i.points for i in form.items])
        points = np.minimum(points, maxima)
        invitations = [uuid.uuid4() for _ in range(N)]
        attempts = [uuid.uuid4() for _ in range(N)]
        runs = [uuid.uuid4() for _ in range(N)]
        await conn.execute(
            """INSERT INTO invitations (id, organization_id, candidate_id, token_sha256,
                   assessments, expires_at, created_by, created_at)
               SELECT i, $1, c, t, ARRAY[$2], now() + interval '7 days', 'bench',
                      now() - interval '30 days'
               FROM unnest($3::uuid[], $4::uuid[], $5::bytea[]) AS x(i, c, t)""",
            org,
            form.assessment,
            invitations,
            ids,
            [secrets.token_bytes(32) for _ in ids],
        )
        await conn.execute(
            """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id,
                   assessment_id, form_id, content_version, status, started_at, submitted_at)
               SELECT a, $1, c, i, $2, $3, $4, 'scored', now() - interval '20 days',
                      now() - interval '20 days' + (n || ' seconds')::interval
               FROM unnest($5::uuid[], $6::uuid[], $7::uuid[], $8::int[]) AS x(a, c, i, n)""",
            org,
            form.assessment,
            form.id,
            content.version_id,
            attempts,
            ids,
            invitations,
            list(range(N)),
        )
        totals = points.sum(axis=1)
        await conn.execute(
            """INSERT INTO scoring_runs (id, organization_id, attempt_id, content_version,
                   raw_total, max_total, scaled_score, passed, provisional, reason, created_by)
               SELECT r, $1, a, $2, raw, $3, 100 + 300 * raw / $3, raw >= $4, false, 'bench',
                      'bench'
               FROM unnest($5::uuid[], $6::uuid[], $7::float8[]) AS x(r, a, raw)""",
            org,
            content.version_id,
            float(maxima.sum()),
            form.raw_cut,
            runs,
            attempts,
            totals.tolist(),
        )
        await conn.execute(
            """INSERT INTO item_scores (organization_id, scoring_run_id, item_id, points,
                   max_points) SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::float8[],
                                                        $5::float8[])""",
            org,
            [r for r in runs for _ in form.items],
            [i.id for _ in runs for i in form.items],
            points.ravel().tolist(),
            np.tile(maxima, N).tolist(),
        )
    # Each run's item vector (written with the run in production).
    await conn.execute(
        """INSERT INTO item_score_vectors (scoring_run_id, organization_id, item_ids, points,
               max_points)
           SELECT scoring_run_id, organization_id,
                  array_agg(item_id ORDER BY item_id COLLATE "C"),
                  array_agg(points ORDER BY item_id COLLATE "C"),
                  array_agg(max_points ORDER BY item_id COLLATE "C")
           FROM item_scores WHERE organization_id = $1
           GROUP BY scoring_run_id, organization_id""",
        org,
    )
    await conn.execute("VACUUM ANALYZE")


async def _medians_ms(
    calls: dict[str, Callable[[], Awaitable[Any]]], repeats: int
) -> dict[str, float]:
    """Median ms of each call, taken in turns (so a busy moment hits every figure alike)."""
    for fn in calls.values():
        await fn()  # warm: plans, caches, imports
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, fn in calls.items():
            began = time.perf_counter()
            await fn()
            times[name].append((time.perf_counter() - began) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


async def _measure(quick: bool) -> dict[str, Any]:
    from scripts.benchmarks._scratch import scratch_database  # noqa: PLC0415
    from service.analytics.marks import load_form_marks  # noqa: PLC0415
    from service.analytics.reports import (  # noqa: PLC0415
        bias_audit_report,
        dif_report,
        item_analysis_report,
    )
    from service.analytics.selection import Selection  # noqa: PLC0415
    from service.assessments.content import load_content  # noqa: PLC0415
    from service.ground.db import create_pool  # noqa: PLC0415
    from service.statistics import item_analysis  # noqa: PLC0415

    repeats = 5 if quick else 15
    content = load_content()
    org = uuid.uuid4()
    everyone = Selection()
    async with scratch_database("bench_statistics") as url:
        pool = await create_pool(url, min_size=1, max_size=2)
        try:
            async with pool.acquire() as conn:
                began = time.perf_counter()
                await _seed(conn, org)
                seed_s = time.perf_counter() - began
                form = content.forms["privacy-a"]
                marks = await load_form_marks(conn, org, form, everyone)
                figures: dict[str, Any] = await _medians_ms(
                    {
                        "item_analysis_ms": lambda: item_analysis_report(
                            conn, content, org, "privacy-a", everyone
                        ),
                        "bias_audit_ms": lambda: bias_audit_report(
                            conn, content, org, everyone, outcome="passed", assessment_id="privacy"
                        ),
                        "item_analysis_load_ms": lambda: load_form_marks(conn, org, form, everyone),
                        "item_analysis_compute_ms": lambda: asyncio.to_thread(
                            item_analysis, marks.marks, marks.max_marks, marks.item_ids
                        ),
                        "bias_audit_scoring_rate_ms": lambda: bias_audit_report(
                            conn,
                            content,
                            org,
                            everyone,
                            outcome="scaled_score",
                            assessment_id="privacy",
                        ),
                        "dif_ms": lambda: dif_report(
                            conn,
                            content,
                            org,
                            "privacy-a",
                            everyone,
                            attribute="sex",
                            reference="male",
                            focal="female",
                        ),
                    },
                    repeats,
                )
                figures.update(
                    attempts=int(marks.marks.shape[0]), candidates=N, seed_s=round(seed_s, 1)
                )
        finally:
            await pool.close()
    return figures


def run(quick: bool) -> dict[str, Any]:
    """Medians in ms; ok when item analysis and bias audit each take under 200 ms."""
    figures = asyncio.run(_measure(quick))
    rounded = {k: round(v, 1) if isinstance(v, float) else v for k, v in figures.items()}
    return {
        **rounded,
        "goal_ms": GOAL_MS,
        "ok": figures["item_analysis_ms"] < GOAL_MS and figures["bias_audit_ms"] < GOAL_MS,
    }
