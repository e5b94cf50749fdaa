"""Jobs deferred in a request's transaction exist (and run) only if it commits."""

from __future__ import annotations

import uuid

import asyncpg

from service.jobs.defer import defer
from service.jobs.profiles import render_profile
from tests.conftest import make_settings
from tests.faces.test_profile_downloads import scored_candidate
from tests.jobs.helpers import wait_for, worker_in_process


async def test_a_job_deferred_in_a_rolled_back_transaction_never_runs(
    db_url: str, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    candidate, _ = await scored_candidate(pool, org_id)
    args = {
        "batch": str(uuid.uuid4()),
        "organization": str(org_id),
        "candidate": str(candidate),
        "variant": "candidate",
    }
    async with pool.acquire() as conn:
        rolled_back = conn.transaction()
        await rolled_back.start()
        await defer(conn, render_profile, **args)
        assert await conn.fetchval("SELECT count(*) FROM procrastinate_jobs") == 1
        await rolled_back.rollback()
        assert await conn.fetchval("SELECT count(*) FROM procrastinate_jobs") == 0
        async with conn.transaction():
            committed = await defer(conn, render_profile, **args)
    async with worker_in_process(make_settings(database_url=db_url), pool):
        await wait_for(
            pool, "SELECT status = 'succeeded' FROM procrastinate_jobs WHERE id = $1", committed
        )
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = $1", render_profile.name
        )
        == 1
    )
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM profiles WHERE candidate_id = $1 AND variant = 'candidate'",
            candidate,
        )
        == 1
    )
