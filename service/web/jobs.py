"""A job worker inside the web process (``CHARTREADY_JOBS_IN_PROCESS``), so `serve` and `demo`
need nothing else running; it shares the app's pool, content and render pool."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar

from service.ground.db import resolve_database_url
from service.ground.settings import Settings
from service.jobs.runtime import JobRuntime
from service.jobs.worker import connected, stop_worker, worker_options


def jobs_lifespan(settings: Settings) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Lifespan (after the pool, content and profiles): run a worker until shutdown, then let
    its running jobs finish."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        if not settings.jobs_in_process:
            yield
            return
        runtime = JobRuntime(
            pool=app.state.pool,
            content=app.state.content,
            settings=settings,
            profiles=app.state.profiles,
        )
        async with connected(resolve_database_url(settings)) as jobs:
            options = worker_options(settings, runtime, install_signal_handlers=False)
            worker = asyncio.create_task(jobs.run_worker_async(**options), name="job-worker")
            try:
                yield
            finally:
                await stop_worker(worker)

    return lifespan
