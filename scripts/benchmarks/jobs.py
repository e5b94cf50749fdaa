"""Job throughput on the job engine (issue 13): jobs per second for a no-op task and for
cohort profile rendering, with one and with two worker processes.

Workers are real processes running the service's worker (same options as `chartready
worker`; the benchmark's process adds a no-op task). Jobs are deferred in one transaction
once the workers have registered; the clock runs until every job has succeeded. Figures
are medians over repeats. There is no goal in the issue beyond measuring: "ok" is true when
two workers are no slower than one.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any

import asyncpg
import procrastinate

from scripts.benchmarks._scratch import scratch_database
from service.jobs.engine import app


@app.task(name="bench_noop", queue="bench")
async def bench_noop(n: int) -> int:
    """Does nothing: the engine's own cost per job."""
    return n


def worker_main(database_url: str, concurrency: int) -> None:
    """A worker process: the service's worker, plus the no-op task above."""
    from service.assessments.content import load_content  # noqa: PLC0415
    from service.ground.db import create_pool  # noqa: PLC0415
    from service.ground.settings import load_settings  # noqa: PLC0415
    from service.jobs.runtime import JobRuntime  # noqa: PLC0415
    from service.jobs.worker import connected, worker_options  # noqa: PLC0415
    from service.profiles.runtime import ProfileRuntime  # noqa: PLC0415

    settings = load_settings()

    async def work() -> None:
        pool = await create_pool(database_url, min_size=1, max_size=4)
        profiles = ProfileRuntime.from_settings(settings)
        runtime = JobRuntime(
            pool=pool, content=load_content(), settings=settings, profiles=profiles
        )
        async with connected(database_url) as jobs:
            await jobs.run_worker_async(
                **worker_options(
                    settings, runtime, concurrency=concurrency, queues=["bench", "profiles"]
                )
            )

    asyncio.run(work())


def _start_workers(
    url: str, count: int, concurrency: int, data_dir: str
) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CHARTREADY_DATA_DIR": data_dir,
        "CHARTREADY_LOG_LEVEL": "ERROR",
        "CHARTREADY_PDF_WORKERS": "1",
    }
    code = f"from scripts.benchmarks.jobs import worker_main; worker_main({url!r}, {concurrency})"
    return [subprocess.Popen([sys.executable, "-c", code], env=env) for _ in range(count)]


async def _until(conn: asyncpg.Connection, query: str, *args: object) -> None:
    while not await conn.fetchval(query, *args):  # noqa: ASYNC110 - polling the database
        await asyncio.sleep(0.02)


async def _timed_run(
    url: str,
    workers: int,
    concurrency: int,
    defer_sql: str,
    args: list[Any],
    total: int,
    data_dir: str,
) -> float:
    """Seconds from deferring ``total`` jobs to all of them succeeded, with ``workers``."""
    conn = await asyncpg.connect(url)
    processes = _start_workers(url, workers, concurrency, data_dir)
    try:
        await _until(conn, "SELECT count(*) >= $1 FROM procrastinate_workers", workers)
        await asyncio.sleep(1.0)  # let the workers settle (periodic deferrals, imports)
        started = time.perf_counter()
        await conn.execute(defer_sql, *args)
        await _until(
            conn,
            """SELECT count(*) >= $1 FROM procrastinate_jobs
                              WHERE queue_name IN ('bench', 'profiles') AND status = 'succeeded'""",
            total,
        )
        return time.perf_counter() - started
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            p.wait()
        await conn.execute(
            "DELETE FROM procrastinate_jobs WHERE queue_name IN ('bench', 'profiles')"
        )
        await conn.execute("DELETE FROM procrastinate_workers")
        await conn.close()


_DEFER_NOOPS = """
SELECT procrastinate_defer_jobs_v1(array_agg(ROW('bench', 'bench_noop', 0, NULL, NULL,
       jsonb_build_object('n', n), NULL)::procrastinate_job_to_defer_v1))
FROM generate_series(1, $1) AS n
"""
_DEFER_RENDERS = """
SELECT procrastinate_defer_jobs_v1(array_agg(ROW('profiles', 'render_profile', 0, NULL, NULL,
       jsonb_build_object('batch', $2::text, 'organization', $1::text,
                          'candidate', c.id::text, 'variant', 'employer'),
       NULL)::procrastinate_job_to_defer_v1))
FROM candidates c WHERE c.organization_id = $1::uuid
"""


async def _seed_scored(url: str, candidates: int) -> uuid.UUID:
    """An organization whose candidates each have a scored privacy attempt."""
    from service.assessments.content import load_content  # noqa: PLC0415
    from service.ground.db import create_pool  # noqa: PLC0415
    from service.readiness.predict import BandThresholds  # noqa: PLC0415
    from service.results.rescoring import rescore_attempt  # noqa: PLC0415
    from service.results.store import ensure_content_version  # noqa: PLC0415
    from tests.assessments.helpers import key_answer  # noqa: PLC0415

    content = load_content()
    form = content.forms["privacy-a"]
    org = uuid.uuid4()
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await ensure_content_version(conn, content)
            await conn.execute(
                "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, $3)",
                org,
                f"bench-{org.hex[:8]}",
                "Bench Health",
            )
            for n in range(candidates):
                candidate, invitation, attempt = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
                await conn.execute(
                    """INSERT INTO candidates (id, organization_id, given_name, family_name,
                           email) VALUES ($1, $2, 'Bench', $3, $4)""",
                    candidate,
                    org,
                    f"C{n}",
                    f"c{n}@example.org",
                )
                await conn.execute(
                    """INSERT INTO invitations (id, organization_id, candidate_id, token_sha256,
                           assessments, expires_at, created_by)
                       VALUES ($1, $2, $3, $4, '{privacy}', now() + interval '7 days', 'bench')""",
                    invitation,
                    org,
                    candidate,
                    uuid.uuid4().bytes * 2,
                )
                await conn.execute(
                    """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id,
                           assessment_id, form_id, content_version, status, submitted_at)
                       VALUES ($1, $2, $3, $4, 'privacy', 'privacy-a', $5, 'submitted', now())""",
                    attempt,
                    org,
                    candidate,
                    invitation,
                    content.version_id,
                )
                await conn.executemany(
                    """INSERT INTO responses (organization_id, attempt_id, item_id, answer,
                           client_seq) VALUES ($1, $2, $3, $4, 1)""",
                    [(org, attempt, i.id, key_answer(i)) for i in form.items[n % 3 :]],
                )
                await rescore_attempt(
                    conn,
                    org,
                    attempt,
                    content,
                    reason="bench",
                    actor="bench",
                    thresholds=BandThresholds(),
                )
    finally:
        await pool.close()
    return org


async def _measure(quick: bool) -> dict[str, Any]:
    noops, renders, repeats = (400, 12, 1) if quick else (2000, 40, 3)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-jobs-data-") as data_dir:
        async with scratch_database("bench_jobs") as url:
            org = await _seed_scored(url, renders)
            for workers in (1, 2):
                noop = [
                    noops
                    / await _timed_run(url, workers, 20, _DEFER_NOOPS, [noops], noops, data_dir)
                    for _ in range(repeats)
                ]
                render = []
                for _ in range(repeats):
                    await _clear_profiles(url)
                    seconds = await _timed_run(
                        url,
                        workers,
                        1,
                        _DEFER_RENDERS,
                        [str(org), str(uuid.uuid4())],
                        renders,
                        data_dir,
                    )
                    render.append(renders / seconds)
                suffix = "" if workers == 1 else "_2_workers"
                figures[f"noop_jobs_per_s{suffix}"] = round(statistics.median(noop), 1)
                figures[f"render_jobs_per_s{suffix}"] = round(statistics.median(render), 2)
    figures.update(noop_jobs=noops, render_jobs=renders, repeats=repeats)
    figures["ok"] = (
        figures["noop_jobs_per_s_2_workers"] >= 0.9 * figures["noop_jobs_per_s"]
        and figures["render_jobs_per_s_2_workers"] >= 0.9 * figures["render_jobs_per_s"]
    )
    return figures


async def _clear_profiles(url: str) -> None:
    """Every render run starts with nothing stored, so each job really renders."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DELETE FROM profiles")
    finally:
        await conn.close()


def run(quick: bool) -> dict[str, Any]:
    """The benchmark's figures (see the module docstring)."""
    assert isinstance(bench_noop, procrastinate.tasks.Task)
    return asyncio.run(_measure(quick))
