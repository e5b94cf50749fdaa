"""Finding 12: connections that never finish their headers stayed open for minutes.

`chartready serve` runs for real (uvicorn, uvloop, httptools) with a 1 s header timeout and
a 1 s keep-alive timeout; raw sockets play the slow clients."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def server(db_url: str) -> Iterator[int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "CHARTREADY_LOG_LEVEL": "WARNING",
        "CHARTREADY_HEADER_TIMEOUT": "1",
        "CHARTREADY_KEEP_ALIVE_TIMEOUT": "1",
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                with socket.create_connection(("127.0.0.1", port), 0.2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stderr:
            proc.stderr.close()


def _closed_within(sock: socket.socket, seconds: float, trickle: bytes = b"") -> bool:
    """Whether the server closes ``sock`` within ``seconds`` (sending ``trickle`` one byte
    every 0.2 s meanwhile, as a slowloris client does)."""
    end = time.monotonic() + seconds
    sock.settimeout(0.2)
    sent = 0
    while time.monotonic() < end:
        try:
            if sock.recv(4096) == b"":
                return True
        except TimeoutError:
            pass
        except ConnectionResetError:
            return True
        if sent < len(trickle):
            try:
                sock.sendall(trickle[sent : sent + 1])
            except (BrokenPipeError, ConnectionResetError):
                return True
            sent += 1
    return False


def test_slow_and_silent_clients_are_cut_off_and_good_ones_served(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as silent:
        assert _closed_within(silent, 6)
    with socket.create_connection(("127.0.0.1", server)) as partial:
        partial.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # never the blank line
        assert _closed_within(partial, 6)
    with socket.create_connection(("127.0.0.1", server)) as slowloris:
        assert _closed_within(slowloris, 6, trickle=b"GET /health HTTP/1.1\r\nX-a: " + b"a" * 200)
    with socket.create_connection(("127.0.0.1", server)) as good:
        good.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        good.settimeout(5)
        assert good.recv(4096).startswith(b"HTTP/1.1 200")
        assert _closed_within(good, 6)  # then idle: the keep-alive timeout closes it
