"""The coordinator's dashboard under a big cohort: the overview page and one candidate page
of an organization whose cohort holds 10,000 simulated candidates with complete attempts.

A dozen simulated people are scored and estimated by the real pipeline (the demo's cohort,
with a first readiness model trained on simulated candidates); every other candidate is a
copy of one of them written with COPY (candidate, cohort membership, invitation, an attempt
per assessment with its scoring run, item and competency scores, responses and readiness
estimate), their submissions spread over 60 days. The real service (`chartready serve`)
answers over HTTP; a coordinator signed in through the staff session asks for the overview
of the cohort and for one candidate's page, again and again. Reports the median wall time
of each request (client side, loopback). Goal (issue 16): overview under 300 ms, candidate
page under 100 ms (medians). Also reported, without a goal: the overview narrowed to one
assessment (``overview_one_assessment_ms``, the path that pools on the spot rather than
reading each candidate's ready-made sums), the dashboard's home page
(``home_ms``), whose count of written responses awaiting rating covers the whole
organization (20,000 at this size).

Uses DATABASE_URL when set (a scratch database is created and dropped), else a throwaway
embedded PostgreSQL in a temporary directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import statistics
import sys
import time
import uuid
from typing import Any

import asyncpg
import httpx

from scripts.benchmarks.autosave import _drop, _scratch, _serve, _server_url
from scripts.ports import free_port

GOAL_OVERVIEW_MS = 300.0
GOAL_CANDIDATE_MS = 100.0
TEMPLATES = 12
EMAIL = "coordinator@bench.example"
PASSWORD = "bench password that is long enough"


async def seed(url: str, candidates: int) -> tuple[uuid.UUID, uuid.UUID]:
    """The organization, a coordinator, and a cohort of ``candidates`` scored candidates;
    returns (cohort id, the id of one candidate scored by the real pipeline)."""
    from service.assessments.content import load_content  # noqa: PLC0415
    from service.auth.staff import hash_password  # noqa: PLC0415
    from service.cli.demo import seed_demo_cohort  # noqa: PLC0415
    from service.ground.db import create_pool  # noqa: PLC0415
    from service.readiness.predict import BandThresholds  # noqa: PLC0415

    content = load_content()
    org = uuid.uuid4()
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        await pool.execute(
            "INSERT INTO organizations (id, slug, name) VALUES ($1, 'bench-org', 'Bench Health')",
            org,
        )
        await pool.execute(
            """INSERT INTO users (id, organization_id, email, display_name, role, password_hash)
               VALUES ($1, $2, $3, 'Bench Coordinator', 'coordinator', $4)""",
            uuid.uuid4(),
            org,
            EMAIL,
            hash_password(PASSWORD),
        )
        cohort = await seed_demo_cohort(
            pool,
            org,
            content,
            thresholds=BandThresholds(),
            size=TEMPLATES,
            simulated_candidates=2000,
        )
        async with pool.acquire() as conn:
            first = await conn.fetchval(
                "SELECT candidate_id FROM cohort_members WHERE cohort_id = $1 "
                "ORDER BY candidate_id LIMIT 1",
                cohort.cohort_id,
            )
            templates = await _templates(conn, org)
        raw = await asyncpg.connect(url)  # asyncpg's own jsonb codec (text) copies in binary
        try:
            await _clone(raw, org, cohort.cohort_id, templates, candidates - TEMPLATES)
            await raw.execute("VACUUM ANALYZE")  # as autovacuum would after a bulk load
        finally:
            await raw.close()
    finally:
        await pool.close()
    return cohort.cohort_id, first


async def _templates(conn: asyncpg.Connection, org: uuid.UUID) -> list[dict[str, Any]]:
    """Each real candidate's attempts with everything stored for them."""
    people = await conn.fetch(
        "SELECT DISTINCT candidate_id FROM attempts WHERE organization_id = $1 ORDER BY 1", org
    )
    out = []
    for person in people:
        attempts = await conn.fetch(
            """SELECT a.id, a.assessment_id, a.form_id, a.content_version, r.raw_total,
                      r.max_total, r.scaled_score, r.passed, r.provisional, r.awaiting_rating,
                      r.equated_raw, r.raw_cut, r.section_scores, r.id AS run_id
               FROM attempts a JOIN scoring_runs r ON r.attempt_id = a.id AND r.current
               WHERE a.organization_id = $1 AND a.candidate_id = $2""",
            org,
            person["candidate_id"],
        )
        runs = [a["run_id"] for a in attempts]
        ids = [a["id"] for a in attempts]
        out.append(
            {
                "attempts": attempts,
                "items": await conn.fetch(
                    "SELECT * FROM item_scores WHERE scoring_run_id = ANY ($1::uuid[])", runs
                ),
                "competencies": await conn.fetch(
                    "SELECT * FROM competency_scores WHERE scoring_run_id = ANY ($1::uuid[])", runs
                ),
                "responses": await conn.fetch(
                    "SELECT attempt_id, item_id, answer FROM responses "
                    "WHERE attempt_id = ANY ($1::uuid[])",
                    ids,
                ),
                "estimates": await conn.fetch(
                    """SELECT DISTINCT ON (attempt_id) attempt_id, model_version, probability,
                              band, lower, upper, explanation
                       FROM readiness_predictions WHERE attempt_id = ANY ($1::uuid[])
                       ORDER BY attempt_id, created_at DESC""",
                    ids,
                ),
            }
        )
    return out


async def _clone(
    conn: asyncpg.Connection,
    org: uuid.UUID,
    cohort: uuid.UUID,
    templates: list[dict[str, Any]],
    n: int,
) -> None:
    """``n`` more candidates, each a copy of a template person with new ids."""
    now = dt.datetime.now(dt.UTC)
    rows: dict[str, list[tuple[Any, ...]]] = {
        k: []
        for k in (
            "candidates",
            "cohort_members",
            "invitations",
            "attempts",
            "scoring_runs",
            "item_scores",
            "competency_scores",
            "responses",
            "readiness_predictions",
        )
    }
    for i in range(n):
        t = templates[i % len(templates)]
        candidate, invitation = uuid.uuid4(), uuid.uuid4()
        began = now - dt.timedelta(days=60 * i / max(1, n), hours=2)
        rows["candidates"].append(
            (candidate, org, "Bench", f"Candidate {i:05d}", f"b{i}@example.org", True)
        )
        rows["cohort_members"].append((org, cohort, candidate))
        rows["invitations"].append(
            (
                invitation,
                org,
                candidate,
                cohort,
                uuid.uuid4().bytes * 2,
                [a["assessment_id"] for a in t["attempts"]],
                began + dt.timedelta(days=14),
                "bench",
                began - dt.timedelta(days=1),
            )
        )
        new_attempt, new_run = {}, {}
        for a in t["attempts"]:
            attempt, run = uuid.uuid4(), uuid.uuid4()
            new_attempt[a["id"]], new_run[a["run_id"]] = attempt, run
            rows["attempts"].append(
                (attempt, org, candidate, invitation, a["assessment_id"], a["form_id"],
                 a["content_version"], "scored", began, began + dt.timedelta(minutes=40))
            )  # fmt: skip
            rows["scoring_runs"].append(
                (run, org, attempt, a["content_version"], a["raw_total"], a["max_total"],
                 a["scaled_score"], a["passed"], a["provisional"], a["awaiting_rating"],
                 a["equated_raw"], a["raw_cut"], json.dumps(a["section_scores"]), "bench", "bench")
            )  # fmt: skip
        for s in t["items"]:
            rows["item_scores"].append(
                (org, new_run[s["scoring_run_id"]], s["item_id"], s["points"], s["max_points"],
                 json.dumps(s["feedback"]), s["provisional"])
            )  # fmt: skip
        for c in t["competencies"]:
            rows["competency_scores"].append(
                (org, new_run[c["scoring_run_id"]], c["competency_id"], c["raw"], c["max"],
                 c["percent"], c["provisional_raw"], c["provisional_max"])
            )  # fmt: skip
        for r in t["responses"]:
            rows["responses"].append((org, new_attempt[r["attempt_id"]], r["item_id"],
                                      json.dumps(r["answer"]), 1))  # fmt: skip
        for e in t["estimates"]:
            rows["readiness_predictions"].append(
                (org, new_attempt[e["attempt_id"]], e["model_version"], e["probability"],
                 e["band"], e["lower"], e["upper"], json.dumps(e["explanation"]))
            )  # fmt: skip
    columns = {
        "candidates": ["id", "organization_id", "given_name", "family_name", "email", "simulated"],
        "cohort_members": ["organization_id", "cohort_id", "candidate_id"],
        "invitations": ["id", "organization_id", "candidate_id", "cohort_id", "token_sha256",
                        "assessments", "expires_at", "created_by", "created_at"],
        "attempts": ["id", "organization_id", "candidate_id", "invitation_id", "assessment_id",
                     "form_id", "content_version", "status", "started_at", "submitted_at"],
        "scoring_runs": ["id", "organization_id", "attempt_id", "content_version", "raw_total",
                         "max_total", "scaled_score", "passed", "provisional", "awaiting_rating",
                         "equated_raw", "raw_cut", "section_scores", "reason", "created_by"],
        "item_scores": ["organization_id", "scoring_run_id", "item_id", "points", "max_points",
                        "feedback", "provisional"],
        "competency_scores": ["organization_id", "scoring_run_id", "competency_id", "raw", "max",
                              "percent", "provisional_raw", "provisional_max"],
        "responses": ["organization_id", "attempt_id", "item_id", "answer", "client_seq"],
        "readiness_predictions": ["organization_id", "attempt_id", "model_version",
                                  "probability", "band", "lower", "upper", "explanation"],
    }  # fmt: skip
    for table, records in rows.items():
        await conn.copy_records_to_table(table, columns=columns[table], records=records)


async def _timed(client: httpx.AsyncClient, path: str, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        r = await client.get(path)
        times.append((time.perf_counter() - began) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")
    return times


async def _measure(quick: bool) -> dict[str, Any]:
    candidates = 2_000 if quick else 10_000
    repeats = 7 if quick else 21
    with _server_url() as admin_url:
        url = await _scratch(admin_url)
        try:
            cohort, person = await seed(url, candidates)
            port = free_port()
            os.environ.update(
                {"CHARTREADY_API_RATE_LIMIT": "1000000", "CHARTREADY_JOBS_IN_PROCESS": "false"}
            )
            args = [sys.executable, "-m", "service.cli", "serve", "--workers", "1",
                    "--port", str(port)]  # fmt: skip
            with _serve(args, url, port):
                async with httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{port}", timeout=60
                ) as client:
                    r = await client.post(
                        "/staff/session",
                        json={"organization": "bench-org", "email": EMAIL, "password": PASSWORD},
                    )
                    r.raise_for_status()
                    overview = f"/dashboard/overview?cohort={cohort}"
                    candidate = f"/dashboard/candidates/{person}"
                    await _timed(client, overview, 3)  # warm the worker and the caches
                    await _timed(client, candidate, 3)
                    overview_ms = await _timed(client, overview, repeats)
                    candidate_ms = await _timed(client, candidate, repeats)
                    home_ms = await _timed(client, "/dashboard", repeats)
                    one = await _timed(client, overview + "&assessment=privacy", repeats)
                    last_page = await _timed(client, overview + "&page=200", 3)
        finally:
            with contextlib.suppress(Exception):
                await _drop(admin_url, url)
    o, c = statistics.median(overview_ms), statistics.median(candidate_ms)
    return {
        "candidates": candidates,
        "repeats": repeats,
        "overview_ms": round(o, 1),
        "overview_p90_ms": round(sorted(overview_ms)[int(0.9 * len(overview_ms))], 1),
        "overview_last_heatmap_page_ms": round(statistics.median(last_page), 1),
        "candidate_ms": round(c, 1),
        "candidate_p90_ms": round(sorted(candidate_ms)[int(0.9 * len(candidate_ms))], 1),
        "overview_one_assessment_ms": round(statistics.median(one), 1),
        "home_ms": round(statistics.median(home_ms), 1),
        "ok": o < GOAL_OVERVIEW_MS and c < GOAL_CANDIDATE_MS,
    }


def run(quick: bool) -> dict[str, Any]:
    """Seed, serve, time the two pages; the figures and whether they meet the goal."""
    return asyncio.run(_measure(quick))
