"""Running workers: the App pointed at the service's database, and how every worker runs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from typing import Any

import procrastinate

from service.ground.settings import Settings
from service.jobs import emails, expiry, hr_upkeep, maintenance, profiles, webhooks
from service.jobs.engine import app
from service.jobs.failures import record_failures
from service.jobs.runtime import JobRuntime

QUEUES = ("profiles", "maintenance", "webhooks", "emails")
# imported so that every task is registered
TASK_MODULES = (profiles, expiry, maintenance, webhooks, emails, hr_upkeep)


@contextlib.asynccontextmanager
async def connected(database_url: str) -> AsyncIterator[procrastinate.App]:
    """The App, open on ``database_url`` until the block ends (procrastinate needs psycopg 3:
    a second, small pool beside asyncpg's)."""
    connector = procrastinate.PsycopgConnector(conninfo=database_url, min_size=1, max_size=4)
    with app.replace_connector(connector):
        async with app.open_async():
            yield app


def worker_options(
    settings: Settings,
    runtime: JobRuntime,
    *,
    concurrency: int | None = None,
    queues: Iterable[str] | None = None,
    install_signal_handlers: bool = True,
) -> dict[str, Any]:
    """How every ChartReady worker runs: heartbeats from the settings, failures recorded, a
    graceful stop that lets running jobs finish (a job cut off is retried, never lost)."""
    return {
        "concurrency": concurrency or settings.jobs_concurrency,
        "queues": list(queues) if queues else None,
        "additional_context": runtime.context(),
        "install_signal_handlers": install_signal_handlers,
        "update_heartbeat_interval": settings.jobs_heartbeat_seconds,
        "stalled_worker_timeout": 3 * settings.jobs_heartbeat_seconds,
        "shutdown_graceful_timeout": 30,
        "worker_middleware": [record_failures],
    }


async def stop_worker(task: asyncio.Task[None]) -> None:
    """Ask a worker task to stop; it lets running jobs finish first."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
