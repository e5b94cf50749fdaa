"""Defer a job inside the caller's own transaction, on the service's asyncpg connection.

procrastinate defers through its own (psycopg) connections; a job deferred that way would
run even if the request that asked for it rolled back. Here the job row is inserted by
procrastinate's own SQL function on *our* connection, so it commits or rolls back with the
request's writes, and its insert trigger wakes the workers only once committed.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
from procrastinate.tasks import Task

from service.ground.errors import Conflict

_DEFER = """
SELECT unnest(procrastinate_defer_jobs_v1(
    ARRAY[ROW($1, $2, $3, $4, $5, $6::text::jsonb, NULL)::procrastinate_job_to_defer_v1]))
"""


async def defer(
    conn: asyncpg.Connection,
    task: Task[..., Any, ...],
    *,
    lock: str | None = None,
    queueing_lock: str | None = None,
    **kwargs: object,
) -> int:
    """Queue ``task(**kwargs)`` on ``conn`` (in its transaction); return the job id.

    The arguments must be JSON (ids and plain values: never personal data). A job with a
    ``queueing_lock`` already waiting is a Conflict."""
    try:
        job_id: int = await conn.fetchval(
            _DEFER,
            task.queue,
            task.name,
            task.priority,
            lock or task.lock,
            queueing_lock or task.queueing_lock,
            msgspec.json.encode(kwargs).decode(),
        )
    except asyncpg.UniqueViolationError:
        raise Conflict(f"A {task.name} job is already waiting") from None
    return job_id
