"""Liveness and readiness probes."""

from __future__ import annotations

import asyncpg
import msgspec
from litestar import get
from litestar.datastructures import State

from service.ground import migrator
from service.ground.errors import Unavailable


class Health(msgspec.Struct, frozen=True):
    """Probe answer."""

    status: str
    pending_migrations: list[str] = []


@get(
    "/health",
    operation_id="health",
    summary="Liveness probe",
    tags=["operations"],
    sync_to_thread=False,
)
def health() -> Health:
    """The process is alive (no dependencies checked)."""
    return Health("ok")


@get(
    "/ready",
    operation_id="ready",
    summary="Readiness probe (database and migrations)",
    tags=["operations"],
)
async def ready(state: State) -> Health:
    """The database answers and every migration is applied; 503 otherwise."""
    try:
        async with state.pool.acquire(timeout=2) as conn:
            waiting = await migrator.pending(conn)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise Unavailable(f"Database not reachable ({type(exc).__name__})") from None
    if waiting:
        raise Unavailable(f"Migrations pending: {', '.join(waiting)}")
    return Health("ready")
