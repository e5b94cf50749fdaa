"""The database: where it is (given or embedded), the connection pool, and which driver
errors mean "the server is not there right now".

When DATABASE_URL is unset ChartReady starts an embedded PostgreSQL (service.ground.embedded_pg).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import asyncpg
import msgspec

from service.ground.errors import Unavailable

if TYPE_CHECKING:
    from service.ground.settings import Settings

log = logging.getLogger(__name__)

# Errors of opening a connection while the server is down or starting (STACK-NOTES:
# PostgreSQL restarts): refused or missing sockets, "the database system is starting up".
CONNECT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)
# Errors of a connection lost while in use. An asyncpg InterfaceError that is also a
# ValueError is the client refusing an argument (a bug), not an outage.
_LOST_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
)


def is_connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` is the database driver saying the server went away (retry later),
    as opposed to a bug. Other OSErrors (a missing file, a full disk) are bugs."""
    return isinstance(exc, _LOST_ERRORS) and not isinstance(exc, ValueError)


@asynccontextmanager
async def acquire(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection; Unavailable (not a bare OSError) when none can be opened."""
    try:
        conn = await pool.acquire()
    except CONNECT_ERRORS as exc:
        raise Unavailable("The database is not reachable; retry shortly") from exc
    try:
        yield conn
    finally:
        await pool.release(conn)


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL when given, else the embedded server's URL."""
    if settings.database_url:
        return settings.database_url
    from service.ground.embedded_pg import start_embedded  # noqa: PLC0415 - only without a URL

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
                dsn,
                min_size=min_size,
                max_size=max_size,
                init=_init_connection,
                reset=_release_without_reset_query,
                command_timeout=60,
            )
        except CONNECT_ERRORS:
            if attempt == attempts:
                raise
            log.warning("database not reachable, retrying", extra={"attempt": attempt})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 4.0)
        else:
            return pool
    raise AssertionError("unreachable")  # pragma: no cover
