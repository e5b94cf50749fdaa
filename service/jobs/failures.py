"""Why jobs failed: every failed attempt leaves its error in ``job_errors`` (no PII)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import procrastinate

from service.ground.errors import ChartReadyError
from service.ground.logs import describe_exception
from service.jobs.retry import PermanentJobError
from service.jobs.runtime import runtime_of

log = logging.getLogger(__name__)


def error_text(exc: BaseException) -> str:
    """What is kept of an error: its type, and the message only of our own errors (written
    never to hold personal data); a driver's message may quote values, so never that."""
    if isinstance(exc, PermanentJobError | ChartReadyError):
        return f"{type(exc).__name__}: {exc}"[:500]
    return describe_exception(exc)[:500]


async def record_failures(
    call_next: Callable[[], Awaitable[Any]], context: procrastinate.JobContext, worker: object
) -> Any:
    """Worker middleware: store the error of a failed attempt, then let procrastinate retry
    or fail the job as its task's retry policy decides."""
    try:
        return await call_next()
    except BaseException as exc:
        job = context.job
        try:
            await runtime_of(context).pool.execute(
                "INSERT INTO job_errors (job_id, attempt, error) VALUES ($1, $2, $3)",
                job.id,
                job.attempts + 1,
                error_text(exc),
            )
        except Exception:  # the error record must never hide the job's own outcome
            log.warning("could not record a job error", exc_info=True)
        raise
