"""Looking at the queue: recent jobs with their last error, depth per task, manual retry."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from service.ground.errors import Conflict, NotFound

STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")


class JobView(msgspec.Struct, frozen=True):
    """One job as operators see it (its arguments are ids, never personal data)."""

    id: int
    task: str
    queue: str
    status: str
    attempts: int
    scheduled_at: str | None
    last_error: str | None


class TaskCount(msgspec.Struct, frozen=True):
    """How many jobs of a task are in a status."""

    task: str
    status: str
    count: int


async def recent_jobs(
    conn: asyncpg.Connection,
    *,
    status: str | None = None,
    limit: int = 50,
    organization_id: uuid.UUID | None = None,
) -> list[JobView]:
    """The newest jobs (optionally of one status, or of one organization: the jobs whose
    ``organization`` argument is it), each with its last recorded error."""
    rows = await conn.fetch(
        """SELECT j.id, j.task_name, j.queue_name, j.status::text AS status, j.attempts,
                  j.scheduled_at,
                  (SELECT e.error FROM job_errors e WHERE e.job_id = j.id
                   ORDER BY e.id DESC LIMIT 1) AS last_error
           FROM procrastinate_jobs j
           WHERE ($1::text IS NULL OR j.status::text = $1)
             AND ($3::uuid IS NULL OR j.args ->> 'organization' = $3::text)
           ORDER BY j.id DESC LIMIT $2""",
        status,
        limit,
        organization_id,
    )
    return [
        JobView(
            r["id"],
            r["task_name"],
            r["queue_name"],
            r["status"],
            r["attempts"],
            r["scheduled_at"].isoformat() if r["scheduled_at"] else None,
            r["last_error"],
        )
        for r in rows
    ]


async def counts_by_task(conn: asyncpg.Connection) -> list[TaskCount]:
    """Jobs waiting, running and failed, per task (queue depth and failures for metrics)."""
    rows = await conn.fetch(
        """SELECT task_name, status::text AS status, count(*) AS n FROM procrastinate_jobs
           WHERE status IN ('todo', 'doing', 'failed')
           GROUP BY task_name, status ORDER BY task_name, status"""
    )
    return [TaskCount(r["task_name"], r["status"], r["n"]) for r in rows]


async def retry_failed_job(
    conn: asyncpg.Connection, job_id: int, *, organization_id: uuid.UUID | None = None
) -> None:
    """Queue a failed job again, now (its error history stays); with ``organization_id``
    only a job of that organization (another's is NotFound)."""
    status = await conn.fetchval(
        """SELECT status::text FROM procrastinate_jobs
           WHERE id = $1 AND ($2::uuid IS NULL OR args ->> 'organization' = $2::text)""",
        job_id,
        organization_id,
    )
    if status is None:
        raise NotFound(f"No job {job_id}", field="job_id")
    if status != "failed":
        raise Conflict(f"Job {job_id} is {status}; only failed jobs can be retried", field="job_id")
    await conn.execute("SELECT procrastinate_retry_job_v2($1, now(), NULL, NULL, NULL)", job_id)
