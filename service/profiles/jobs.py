"""Render profiles for a whole cohort as a durable, table-backed background job.

A job is one ``profile_jobs`` row (total, done, failed, status) and one ``profile_job_items``
row per candidate. Workers claim an item with ``FOR UPDATE SKIP LOCKED`` and build, sign,
render and store its profile in the same transaction as marking it done, so a crash leaves
the item pending and a restart (:func:`resume_open_jobs`) carries on where it stopped. Any
number of workers on any number of machines can share a job.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Literal

import asyncpg
import msgspec

from service.profiles.data import ProfileData, Variant
from service.profiles.issue import Renderer, issue_profile
from service.profiles.signing import ProfileSigner

log = logging.getLogger(__name__)

JobStatus = Literal["queued", "running", "done", "failed"]


class BuiltProfile(msgspec.Struct, frozen=True):
    """What a builder returns for one candidate: the data and the attempt it is based on."""

    data: ProfileData
    attempt_id: uuid.UUID | None = None


ProfileBuilder = Callable[
    [asyncpg.Connection, uuid.UUID, uuid.UUID, Variant], Awaitable[BuiltProfile | None]
]
"""``(conn, organization_id, candidate_id, variant) -> BuiltProfile | None`` (None: nothing to
report yet, e.g. no scored attempt; the item is marked failed with that reason)."""


class JobProgress(msgspec.Struct, frozen=True):
    """A job's progress as shown to coordinators."""

    id: uuid.UUID
    organization_id: uuid.UUID
    cohort_id: uuid.UUID | None
    variant: Variant
    total: int
    done: int
    failed: int
    status: JobStatus
    created_by: str
    created_at: datetime
    updated_at: datetime

    @property
    def percent(self) -> float:
        """Share of items finished (done or failed), 0–100."""
        return 100.0 if self.total == 0 else 100.0 * (self.done + self.failed) / self.total


class ProfileJobRunner(msgspec.Struct, frozen=True):
    """Everything a worker needs to process items; build it once at start-up."""

    pool: asyncpg.Pool
    build: ProfileBuilder
    signer: ProfileSigner
    renderer: Renderer
    public_base_url: str
    concurrency: int = 2


_JOB_COLUMNS = """id, organization_id, cohort_id, variant, total, done, failed, status,
    created_by, created_at, updated_at"""


async def create_cohort_job(
    conn: asyncpg.Connection,
    *,
    organization_id: uuid.UUID,
    cohort_id: uuid.UUID,
    variant: Variant,
    created_by: str,
) -> JobProgress:
    """Queue a job with one item per current member of the cohort."""
    job_id = uuid.uuid4()
    async with conn.transaction():
        row = await conn.fetchrow(
            f"""INSERT INTO profile_jobs (id, organization_id, cohort_id, variant, total,
                                          created_by)
                SELECT $1, $2, $3, $4, count(*), $5 FROM cohort_members
                WHERE organization_id = $2 AND cohort_id = $3
                RETURNING {_JOB_COLUMNS}""",  # noqa: S608 - column list is a constant
            job_id,
            organization_id,
            cohort_id,
            variant,
            created_by,
        )
        await conn.execute(
            """INSERT INTO profile_job_items (organization_id, job_id, candidate_id)
               SELECT organization_id, $1, candidate_id FROM cohort_members
               WHERE organization_id = $2 AND cohort_id = $3""",
            job_id,
            organization_id,
            cohort_id,
        )
    assert row is not None
    return JobProgress(**dict(row))


async def job_progress(
    conn: asyncpg.Connection, organization_id: uuid.UUID, job_id: uuid.UUID
) -> JobProgress | None:
    """The job's current progress, scoped to its organization."""
    row = await conn.fetchrow(
        f"SELECT {_JOB_COLUMNS} FROM profile_jobs WHERE organization_id = $1 AND id = $2",  # noqa: S608
        organization_id,
        job_id,
    )
    return None if row is None else JobProgress(**dict(row))


async def run_job(runner: ProfileJobRunner, job_id: uuid.UUID) -> None:
    """Process every pending item of ``job_id`` with ``runner.concurrency`` claimers."""
    await runner.pool.execute(
        """UPDATE profile_jobs SET status = 'running', updated_at = now()
           WHERE id = $1 AND status = 'queued'""",
        job_id,
    )
    await asyncio.gather(*(_drain(runner, job_id) for _ in range(runner.concurrency)))
    await runner.pool.execute(
        """UPDATE profile_jobs SET status = CASE WHEN failed = total AND total > 0
                                                 THEN 'failed' ELSE 'done' END,
                                   updated_at = now()
           WHERE id = $1 AND status = 'running' AND done + failed = total""",
        job_id,
    )


async def resume_open_jobs(runner: ProfileJobRunner) -> list[asyncio.Task[None]]:
    """Start a task for every queued or running job (call at start-up); keep the tasks."""
    rows = await runner.pool.fetch(
        "SELECT id FROM profile_jobs WHERE status IN ('queued', 'running') ORDER BY created_at"
    )
    return [asyncio.create_task(run_job(runner, row["id"])) for row in rows]


async def _drain(runner: ProfileJobRunner, job_id: uuid.UUID) -> None:
    while await _process_one(runner, job_id):
        pass


async def _process_one(runner: ProfileJobRunner, job_id: uuid.UUID) -> bool:
    """Claim, build, render and store one item; False when none is left to claim."""
    async with runner.pool.acquire() as conn, conn.transaction():
        item = await conn.fetchrow(
            """SELECT i.organization_id, i.candidate_id, j.variant
               FROM profile_job_items i JOIN profile_jobs j ON j.id = i.job_id
               WHERE i.job_id = $1 AND i.status = 'pending'
               ORDER BY i.candidate_id LIMIT 1 FOR UPDATE OF i SKIP LOCKED""",
            job_id,
        )
        if item is None:
            return False
        org_id, candidate_id = item["organization_id"], item["candidate_id"]
        profile_id, error = None, None
        try:
            async with conn.transaction():  # savepoint: a failed item must not abort the claim
                built = await runner.build(conn, org_id, candidate_id, item["variant"])
                if built is None:
                    error = "no scored results to report yet"
                else:
                    stored = await issue_profile(
                        conn,
                        organization_id=org_id,
                        candidate_id=candidate_id,
                        attempt_id=built.attempt_id,
                        data=built.data,
                        signer=runner.signer,
                        renderer=runner.renderer,
                        public_base_url=runner.public_base_url,
                    )
                    profile_id = stored.id
        except Exception as exc:  # one bad candidate must not stop the cohort
            log.exception("profile job item failed", extra={"job_id": str(job_id)})
            error = f"{type(exc).__name__}: {exc}"[:500]
        await conn.execute(
            """UPDATE profile_job_items SET status = $3, profile_id = $4, error = $5
               WHERE job_id = $1 AND candidate_id = $2""",
            job_id,
            candidate_id,
            "failed" if error else "done",
            profile_id,
            error,
        )
        column = "failed" if error else "done"
        await conn.execute(
            f"""UPDATE profile_jobs SET {column} = {column} + 1, updated_at = now()
                WHERE id = $1""",  # noqa: S608 - column is one of two constants
            job_id,
        )
    return True
