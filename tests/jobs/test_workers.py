"""Real `chartready worker` processes: no job runs twice, the periodic sweep is deferred once
per period, a killed worker's job is finished by another exactly once, SIGTERM lets a running
job finish."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import uuid
from pathlib import Path

import asyncpg
import pytest

from service.jobs.expiry import sweep_expired_attempts
from service.jobs.profiles import render_profile
from tests.faces.test_profile_downloads import scored_candidate
from tests.jobs.helpers import render_batch, start_worker, wait_for

pytestmark = pytest.mark.slow


def _stop(*workers: object) -> None:
    for worker in workers:
        assert hasattr(worker, "pid")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()  # type: ignore[attr-defined]


async def test_two_workers_run_each_job_once_and_the_sweep_once_per_period(
    db_url: str, pool: asyncpg.Pool, org_id: uuid.UUID, tmp_path: Path
) -> None:
    # Candidates with nothing scored: each job fails at once, permanently, and leaves one
    # error row per run, so a job run twice would show two.
    candidates = []
    for n in range(24):
        candidate = uuid.uuid4()
        await pool.execute(
            """INSERT INTO candidates (id, organization_id, given_name, family_name, email)
               VALUES ($1, $2, 'No', 'Scores', $3)""",
            candidate,
            org_id,
            f"n{n}@example.org",
        )
        candidates.append(candidate)
    first = start_worker(db_url, tmp_path, concurrency=2)
    second = start_worker(db_url, tmp_path, concurrency=2)
    try:
        batch = await render_batch(pool, org_id, candidates)
        await wait_for(
            pool,
            """SELECT count(*) = 24 FROM procrastinate_jobs
                                WHERE task_name = $1 AND status = 'failed'""",
            render_profile.name,
        )
        await asyncio.sleep(11)  # at least two periods of the five-second sweep
    finally:
        _stop(first, second)
    runs = await pool.fetch(
        """SELECT j.id, count(e.id) AS runs FROM procrastinate_jobs j
           LEFT JOIN job_errors e ON e.job_id = j.id
           WHERE j.args ->> 'batch' = $1 GROUP BY j.id""",
        str(batch.id),
    )
    assert len(runs) == 24 and {r["runs"] for r in runs} == {1}
    started = await pool.fetchval(
        """SELECT count(*) FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id
           WHERE j.args ->> 'batch' = $1 AND e.type = 'started'""",
        str(batch.id),
    )
    assert started == 24
    sweeps = await pool.fetch(
        """SELECT args ->> 'timestamp' AS period, count(*) AS n FROM procrastinate_jobs
           WHERE task_name = $1 GROUP BY 1""",
        sweep_expired_attempts.name,
    )
    assert len(sweeps) >= 2 and {r["n"] for r in sweeps} == {1}, sweeps


async def test_a_killed_workers_job_is_finished_once_by_another(
    db_url: str, pool: asyncpg.Pool, org_id: uuid.UUID, tmp_path: Path
) -> None:
    candidates = [(await scored_candidate(pool, org_id))[0] for _ in range(3)]
    doomed = start_worker(db_url, tmp_path)
    try:
        batch = await render_batch(pool, org_id, candidates)
        await wait_for(
            pool,
            """SELECT count(*) > 0 FROM procrastinate_jobs
                                WHERE args ->> 'batch' = $1 AND status = 'doing'""",
            str(batch.id),
        )
        os.killpg(doomed.pid, signal.SIGKILL)  # mid-job: no chance to finish or give it back
        doomed.wait()
    finally:
        _stop(doomed)
    rescuer = start_worker(db_url, tmp_path)
    try:
        await wait_for(
            pool,
            """SELECT count(*) = 3 FROM procrastinate_jobs
                                WHERE args ->> 'batch' = $1 AND status = 'succeeded'""",
            str(batch.id),
            within=120,
        )
    finally:
        _stop(rescuer)
    stored = await pool.fetch(
        """SELECT candidate_id, count(*) AS n FROM profiles WHERE organization_id = $1
           AND variant = 'employer' GROUP BY candidate_id""",
        org_id,
    )
    assert {r["candidate_id"]: r["n"] for r in stored} == dict.fromkeys(candidates, 1)


async def test_sigterm_lets_the_running_job_finish(
    db_url: str, pool: asyncpg.Pool, org_id: uuid.UUID, tmp_path: Path
) -> None:
    candidate, _ = await scored_candidate(pool, org_id)
    worker = start_worker(db_url, tmp_path)
    try:
        batch = await render_batch(pool, org_id, [candidate])
        await wait_for(
            pool,
            """SELECT count(*) = 1 FROM procrastinate_jobs
                                WHERE args ->> 'batch' = $1 AND status = 'doing'""",
            str(batch.id),
        )
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(worker.wait, 60) == 0
    finally:
        _stop(worker)
    assert (
        await pool.fetchval(
            "SELECT status::text FROM procrastinate_jobs WHERE args ->> 'batch' = $1", str(batch.id)
        )
        == "succeeded"
    )
