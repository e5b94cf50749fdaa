"""The sweeper: a background task in every worker that finalises attempts whose time ran out
while nobody was looking (the candidate closed the browser). Workers share the work safely
(FOR UPDATE SKIP LOCKED in sweep_once); ``chartready sweep`` runs one pass by hand."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

import asyncpg

from service.assessments.content import load_content
from service.db import UNAVAILABLE_ERRORS, create_pool
from service.delivery.catalog import catalog_of
from service.delivery.finalize import sweep_once

if TYPE_CHECKING:
    from litestar import Litestar

log = logging.getLogger(__name__)
SWEEP_INTERVAL_SECONDS = 10.0


async def _loop(app: Litestar, interval: float) -> None:
    while True:
        # Jitter keeps several workers from sweeping in lock-step.
        await asyncio.sleep(interval * random.uniform(0.5, 1.0))  # noqa: S311 - not security
        try:
            done = await sweep_once(app.state.pool, catalog_of(app.state.content))
            while done:  # a backlog: keep going until it is cleared
                done = await sweep_once(app.state.pool, catalog_of(app.state.content))
        except (*UNAVAILABLE_ERRORS, asyncpg.PostgresError):
            log.warning("sweeper pass failed; will retry", exc_info=True)


def sweeper_lifespan(
    interval: float = SWEEP_INTERVAL_SECONDS,
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A lifespan hook (after the pool and content hooks) running the sweeper task."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        task = asyncio.create_task(_loop(app, interval), name="attempt-sweeper")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


async def sweep_database(url: str) -> int:
    """One full pass over the database at ``url`` (the `chartready sweep` command)."""
    catalog = catalog_of(load_content())
    pool = await create_pool(url, min_size=1, max_size=2)
    total = 0
    try:
        while done := await sweep_once(pool, catalog):
            total += done
    finally:
        await pool.close()
    return total
