"""The database: where it is (given or embedded), the connection pool, per-request connections.

When DATABASE_URL is unset ChartReady starts an embedded PostgreSQL (service.embedded_pg).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import asyncpg
import msgspec
from litestar.di import NamedDependency

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.datastructures import State

    from service.settings import Settings

log = logging.getLogger(__name__)

Conn = NamedDependency[asyncpg.Connection]
"""Annotate a handler parameter named ``conn`` with this to get a pooled connection."""

# Errors that mean "the database is not there right now" (STACK-NOTES: PostgreSQL restarts).
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionRefusedError,
    ConnectionResetError,
    FileNotFoundError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.AdminShutdownError,
    asyncpg.TooManyConnectionsError,
    OSError,
)


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL when given, else the embedded server's URL."""
    if settings.database_url:
        return settings.database_url
    from service.embedded_pg import start_embedded  # noqa: PLC0415 - only without a URL

    return start_embedded(settings.embedded_pgdata)


async def _init_connection(conn: asyncpg.Connection) -> None:
    """jsonb and json columns travel as msgspec-encoded bytes, decoded to Python values."""
    for type_name in ("jsonb", "json"):
        await conn.set_type_codec(
            type_name,
            schema="pg_catalog",
            encoder=lambda v: msgspec.json.encode(v).decode(),
            decoder=msgspec.json.decode,
            format="text",
        )


async def _release_without_reset_query(conn: asyncpg.Connection) -> None:
    """Pool ``reset`` hook. asyncpg still rolls back any open transaction before calling it;
    the default hook then sends RESET ALL / UNLISTEN / advisory-unlock / CLOSE ALL, a full
    round trip on every release (17% of an autosave worker's time when profiled). ChartReady
    never leaves session state behind: no SET, LISTEN, cursors or session advisory locks on
    pooled connections (only transaction-scoped locks), so there is nothing to reset."""


async def create_pool(
    dsn: str, *, min_size: int = 2, max_size: int = 10, attempts: int = 8
) -> asyncpg.Pool:
    """Open a pool, retrying with backoff while the database is starting."""
    delay = 0.25
    for attempt in range(1, attempts + 1):
        try:
            pool: asyncpg.Pool = await asyncpg.create_pool(
                dsn, min_size=min_size, max_size=max_size, init=_init_connection,
                reset=_release_without_reset_query, command_timeout=60,
            )
        except UNAVAILABLE_ERRORS:
            if attempt == attempts:
                raise
            log.warning("database not reachable, retrying", extra={"attempt": attempt})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 4.0)
        else:
            return pool
    raise AssertionError("unreachable")  # pragma: no cover


def pool_lifespan(settings: Settings, dsn: str | None = None) -> Any:
    """A Litestar lifespan that opens the pool on start and always closes it."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        url = dsn or os.environ.get("DATABASE_URL") or resolve_database_url(settings)
        pool = await create_pool(
            url, min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    return lifespan


async def provide_connection(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    """Per-request dependency ``conn``: one pooled connection, released after the response."""
    pool: asyncpg.Pool = state.pool
    async with pool.acquire() as conn:
        yield conn
