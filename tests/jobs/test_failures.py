"""Failure policy: backoff with a cap, permanent errors fail at once, every failure's error is
kept (without personal data), visible in `chartready jobs` and in /metrics, and retryable."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from procrastinate.jobs import Job

from service.ground.settings import Settings
from service.jobs.failures import error_text
from service.jobs.profiles import render_profile
from service.jobs.retry import Backoff, PermanentJobError
from tests.conftest import make_settings
from tests.jobs.helpers import render_batch, wait_for, worker_in_process

METRICS_TOKEN = "metrics-token-for-tests-0123"
SCRAPE = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture
def settings(db_url: str) -> Settings:
    """The tests' settings with a metrics token, so /metrics can be read."""
    return make_settings(database_url=db_url, metrics_token=METRICS_TOKEN)


def _job(attempts: int) -> Job:
    return Job(
        id=1,
        queue="q",
        lock=None,
        queueing_lock=None,
        task_name="t",
        priority=0,
        task_kwargs={},
        attempts=attempts,
    )


@given(attempts=st.integers(1, 12), first=st.floats(0.5, 30), factor=st.floats(1, 100))
def test_backoff_doubles_up_to_its_cap_and_stops_after_its_attempts(
    attempts: int, first: float, factor: float
) -> None:
    policy = Backoff(attempts=attempts, first=first, cap=first * factor)
    delays = [policy.delay(n) for n in range(1, 12)]
    assert delays == sorted(delays) and max(delays) <= first * factor
    assert delays[0] == pytest.approx(first)
    for previous in range(attempts + 3):  # attempts already made before this failure
        decision = policy.get_retry_decision(exception=RuntimeError("x"), job=_job(previous))
        assert (decision is not None) == (previous + 1 < attempts)
    assert policy.get_retry_decision(exception=PermanentJobError("x"), job=_job(0)) is None


def test_only_our_own_messages_are_kept() -> None:
    assert error_text(PermanentJobError("no scored results")) == (
        "PermanentJobError: no scored results"
    )
    leaky = asyncpg.UniqueViolationError("Key (email)=(ana@example.org) already exists")
    assert "ana@" not in error_text(leaky) and "UniqueViolationError" in error_text(leaky)
    assert "secret" not in error_text(ValueError("secret value"))


def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "jobs", *args],
        env={**os.environ, "DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_a_failed_job_keeps_its_error_and_can_be_retried(
    db_url: str, pool: asyncpg.Pool, org_id: uuid.UUID, client: object
) -> None:
    candidate = uuid.uuid4()
    await pool.execute(
        """INSERT INTO candidates (id, organization_id, given_name, family_name,
                              email) VALUES ($1, $2, 'Ana', 'Unscored', 'ana@example.org')""",
        candidate,
        org_id,
    )
    batch = await render_batch(pool, org_id, [candidate])
    async with worker_in_process(make_settings(database_url=db_url), pool):
        await wait_for(
            pool,
            """SELECT status = 'failed' FROM procrastinate_jobs
                                WHERE args ->> 'batch' = $1""",
            str(batch.id),
        )
    job_id = await pool.fetchval(
        "SELECT id FROM procrastinate_jobs WHERE args ->> 'batch' = $1", str(batch.id)
    )
    errors = await pool.fetch("SELECT attempt, error FROM job_errors WHERE job_id = $1", job_id)
    assert [(e["attempt"], e["error"]) for e in errors] == [
        (1, "NothingToReport: no scored results to report yet")
    ]

    listed = await asyncio.to_thread(_cli, db_url, "--status", "failed")
    assert listed.returncode == 0, listed.stderr
    line = next(x for x in listed.stdout.splitlines() if x.split()[0] == str(job_id))
    assert render_profile.name in line and "NothingToReport" in line
    assert "ana@example.org" not in listed.stdout and "Ana" not in listed.stdout

    metrics = await client.get("/metrics", headers=SCRAPE)  # type: ignore[attr-defined]
    assert f'chartready_jobs{{status="failed",task="{render_profile.name}"}} 1.0' in metrics.text

    retried = await asyncio.to_thread(_cli, db_url, "--retry", str(job_id))
    assert retried.returncode == 0, retried.stderr
    assert (
        await pool.fetchval("SELECT status::text FROM procrastinate_jobs WHERE id = $1", job_id)
        == "todo"
    )
    again = await asyncio.to_thread(_cli, db_url, "--retry", str(job_id))
    assert again.returncode == 1 and "only failed jobs" in again.stderr
