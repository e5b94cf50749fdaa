"""The sweeper loop: a background task in every worker that runs ``sweep_once`` every few
seconds. Workers share the work safely (FOR UPDATE SKIP LOCKED in ``sweep_once``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
from litestar import Litestar

from service.delivery.catalog import catalog_of
from service.delivery.finalize import sweep_once
from service.ground.db import CONNECT_ERRORS
from service.ground.settings import Settings
from service.readiness.estimates import thresholds_of

log = logging.getLogger(__name__)
SWEEP_INTERVAL_SECONDS = 10.0


async def _loop(app: Litestar, interval: float, settings: Settings) -> None:
    thresholds = thresholds_of(settings)
    while True:
        # Jitter keeps several workers from sweeping in lock-step.
        await asyncio.sleep(interval * random.uniform(0.5, 1.0))  # noqa: S311 - not security
        try:
            catalog = catalog_of(app.state.content)
            while await sweep_once(app.state.pool, catalog, thresholds):
                pass  # a backlog: keep going until it is cleared
        except (*CONNECT_ERRORS, asyncpg.PostgresError, asyncpg.InterfaceError):
            log.warning("sweeper pass failed; will retry", exc_info=True)


def sweeper_lifespan(
    settings: Settings, interval: float = SWEEP_INTERVAL_SECONDS,
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A lifespan hook (after the pool and content hooks) running the sweeper task."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        task = asyncio.create_task(_loop(app, interval, settings), name="attempt-sweeper")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan
