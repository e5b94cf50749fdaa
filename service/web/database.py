"""The app's connection pool: opened in the lifespan, one connection per request."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import NamedDependency

from service.ground.db import acquire, create_pool

Conn = NamedDependency[asyncpg.Connection]
"""Annotate a handler parameter named ``conn`` with this to get a pooled connection."""


def pool_lifespan(
    url: str, *, min_size: int, max_size: int
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A Litestar lifespan that opens the pool on start and always closes it."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        pool = await create_pool(url, min_size=min_size, max_size=max_size)
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    return lifespan


async def provide_connection(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    """Per-request dependency ``conn``: one pooled connection, released after the response."""
    async with acquire(state.pool) as conn:
        yield conn
