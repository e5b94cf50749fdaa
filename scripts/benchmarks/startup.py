"""Start-up: how long `chartready demo` takes until /ready answers 200 on a fresh data
directory (embedded PostgreSQL initialised from nothing), and again after a stop, with the
data kept. Goal (issue 2): /ready within 90 s; the restart keeps the data."""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from scripts.ports import free_port

CLI = Path(sys.executable).with_name("chartready")


def _start(data_dir: str, port: int) -> tuple[subprocess.Popen[bytes], float]:
    env = {**os.environ, "CHARTREADY_DATA_DIR": data_dir, "CHARTREADY_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    began = time.perf_counter()
    proc = subprocess.Popen(
        [str(CLI), "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/ready"
    while time.perf_counter() - began < 90:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return proc, time.perf_counter() - began
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("not ready within 90 s")


def _stop(proc: subprocess.Popen[bytes]) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    return out.decode()


def _demo_keys(pgdata: Path) -> int:
    import asyncio  # noqa: PLC0415

    import asyncpg  # noqa: PLC0415

    from service.ground.embedded_pg import start_embedded  # noqa: PLC0415

    async def count() -> int:
        conn = await asyncpg.connect(start_embedded(pgdata))
        try:
            n: int = await conn.fetchval("SELECT count(*) FROM api_keys")
            return n
        finally:
            await conn.close()

    return asyncio.run(count())


def run(quick: bool) -> dict[str, object]:
    """Median first start and restart times over repeats; whether data survived."""
    firsts, restarts, kept = [], [], True
    for _ in range(1 if quick else 3):
        data_dir = tempfile.mkdtemp(prefix="chartready-startup-")
        try:
            proc, first = _start(data_dir, free_port())
            _stop(proc)
            marker = Path(data_dir) / "pgdata" / "PG_VERSION"
            proc, again = _start(data_dir, free_port())
            _stop(proc)
            # Each demo start mints one API key in the same database: both must be there.
            kept = kept and marker.exists() and _demo_keys(Path(data_dir) / "pgdata") == 2
            firsts.append(first)
            restarts.append(again)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    first_s, restart_s = statistics.median(firsts), statistics.median(restarts)
    return {
        "first_start_s": round(first_s, 2),
        "restart_s": round(restart_s, 2),
        "data_kept": kept,
        "ok": kept and first_s < 90 and restart_s < 90,
    }
