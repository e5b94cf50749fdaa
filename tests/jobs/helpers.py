"""Running real job workers in tests: in this process, or as `chartready worker` processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from service.assessments.content import load_content
from service.ground.settings import Settings
from service.jobs.profiles import BatchProgress, request_cohort_profiles
from service.jobs.runtime import JobRuntime
from service.jobs.worker import connected, stop_worker, worker_options
from service.profiles.runtime import ProfileRuntime


@asynccontextmanager
async def worker_in_process(settings: Settings, pool: asyncpg.Pool) -> AsyncIterator[None]:
    """A worker on this event loop, as the web process runs one, until the block ends."""
    assert settings.database_url is not None
    profiles = ProfileRuntime.from_settings(settings)
    runtime = JobRuntime(pool=pool, content=load_content(), settings=settings, profiles=profiles)
    try:
        async with connected(settings.database_url) as jobs:
            task = asyncio.create_task(
                jobs.run_worker_async(
                    **worker_options(settings, runtime, install_signal_handlers=False)
                )
            )
            try:
                yield
            finally:
                await stop_worker(task)
    finally:
        profiles.close()


def start_worker(
    db_url: str, data_dir: Path, *, concurrency: int = 1, heartbeat: float = 0.5
) -> subprocess.Popen[bytes]:
    """`chartready worker` in its own process (its own process group, so it can be killed)."""
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "CHARTREADY_DATA_DIR": str(data_dir),
        "CHARTREADY_JOBS_HEARTBEAT_SECONDS": str(heartbeat),
        "CHARTREADY_LOG_LEVEL": "WARNING",
        "CHARTREADY_PDF_WORKERS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker", "--concurrency", str(concurrency)],
        env=env,
        start_new_session=True,
    )


async def wait_for(pool: asyncpg.Pool, query: str, *args: object, within: float = 90) -> None:
    """Poll until ``query`` returns true (or fail after ``within`` seconds)."""
    deadline = time.monotonic() + within
    while not await pool.fetchval(query, *args):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {query}")
        await asyncio.sleep(0.05)


async def cohort_of(
    pool: asyncpg.Pool, org_id: uuid.UUID, candidates: list[uuid.UUID]
) -> uuid.UUID:
    """A cohort with these members."""
    cohort = uuid.uuid4()
    await pool.execute(
        "INSERT INTO cohorts (id, organization_id, name) VALUES ($1, $2, $3)",
        cohort,
        org_id,
        f"cohort {cohort.hex[:6]}",
    )
    await pool.executemany(
        "INSERT INTO cohort_members (organization_id, cohort_id, candidate_id) VALUES ($1, $2, $3)",
        [(org_id, cohort, c) for c in candidates],
    )
    return cohort


async def render_batch(
    pool: asyncpg.Pool, org_id: uuid.UUID, candidates: list[uuid.UUID]
) -> BatchProgress:
    """A coordinator's request to render these candidates' employer profiles."""
    cohort = await cohort_of(pool, org_id, candidates)
    async with pool.acquire() as conn:
        return await request_cohort_profiles(
            conn, organization_id=org_id, cohort_id=cohort, variant="employer", created_by="test"
        )
