"""The results feed under load: an organization with 10,000 candidates with completed
results, walked through `GET /api/v1/results` in pages of 100 over real HTTP.

Starts the real service (`chartready serve --workers 2`) on a free port over a scratch
database. One result is scored and published by the real path (rescoring publishes), then
cloned for every candidate (candidate, invitation, attempt, scoring run and result version,
each document with its own ids). Walkers, each on a keep-alive connection with the same API
key, walk the whole feed from the first page to the last, over and over. Reports the median
over repeats of the per-page p50 and p95 latency and of the pages served per second.
Goal (issue 14): p95 under 50 ms per page and at least 500 pages/s on 2 workers.

Uses DATABASE_URL when set (a scratch database is created and dropped), else a throwaway
embedded PostgreSQL in a temporary directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import statistics
import sys
import time
import uuid
from typing import Any

import asyncpg
import msgspec

from scripts.benchmarks.autosave import _drop, _serve, _server_url, _with_db
from scripts.ports import free_port

GOAL_P95_MS = 50.0
GOAL_PAGES_PER_S = 500.0
PAGE = 100
WALKERS = 8


class Connection:
    """One keep-alive connection doing GETs."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**24)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def get(self, path: str, key: str) -> tuple[int, bytes]:
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {key}\r\n\r\n".encode()
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


async def _scratch(admin_url: str) -> str:
    from service.ground.migrator import migrate_url  # noqa: PLC0415

    name = f"bench_results_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = _with_db(admin_url, name)
    await migrate_url(url)
    return url


async def seed(url: str, candidates: int) -> str:
    """The organization, a key with results:read, and ``candidates`` published results;
    returns the key."""
    from service.assessments.content import load_content  # noqa: PLC0415
    from service.auth.api_keys import create_api_key  # noqa: PLC0415
    from service.ground.db import create_pool  # noqa: PLC0415
    from service.readiness.predict import BandThresholds  # noqa: PLC0415
    from service.results.rescoring import rescore_attempt  # noqa: PLC0415
    from service.results.store import ensure_content_version  # noqa: PLC0415

    content = load_content()
    org = uuid.uuid4()
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, $3)",
                org,
                "bench-org",
                "Bench Health",
            )
            key = (await create_api_key(conn, org, "bench", ["results:read"])).secret
            await ensure_content_version(conn, content)
            template = await _template(conn, org, content, rescore_attempt, BandThresholds())
            await _clone(conn, org, template, candidates - 1)
    finally:
        await pool.close()
    return key


async def _template(
    conn: asyncpg.Connection, org: uuid.UUID, content: Any, rescore: Any, thresholds: Any
) -> asyncpg.Record:
    candidate, invitation, attempt = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await conn.execute(
        """INSERT INTO candidates (id, organization_id, given_name, family_name,
                                                  email) VALUES ($1, $2, 'C', 'Zero', 'c@x.org')""",
        candidate,
        org,
    )
    await conn.execute(
        """INSERT INTO invitations (id, organization_id, candidate_id, token_sha256, assessments,
               expires_at, created_by) VALUES ($1, $2, $3, $4, '{coding}', now() + interval
               '7 days', 'bench')""",
        invitation,
        org,
        candidate,
        uuid.uuid4().bytes * 2,
    )
    await conn.execute(
        """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id, assessment_id,
               form_id, content_version, status, submitted_at)
           VALUES ($1, $2, $3, $4, 'coding', 'coding-a', $5, 'submitted', now())""",
        attempt,
        org,
        candidate,
        invitation,
        content.version_id,
    )
    first = content.forms["coding-a"].items[0]
    await conn.execute(
        """INSERT INTO responses (organization_id, attempt_id, item_id, answer,
                                                 client_seq) VALUES ($1, $2, $3, $4, 1)""",
        org,
        attempt,
        first.id,
        list(getattr(first, "key", [])) or "A",
    )
    await rescore(conn, org, attempt, content, reason="bench", actor="bench", thresholds=thresholds)
    row: asyncpg.Record = await conn.fetchrow(
        """SELECT v.*, r.raw_total, r.max_total, r.scaled_score, r.passed, r.provisional,
                  r.content_version AS run_content
           FROM result_versions v JOIN scoring_runs r ON r.id = v.scoring_run_id"""
    )
    return row


async def _clone(conn: asyncpg.Connection, org: uuid.UUID, t: asyncpg.Record, n: int) -> None:
    ids = [(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()) for _ in range(n)]
    start = dt.datetime.now(dt.UTC)
    stamps = [start + dt.timedelta(microseconds=i + 1) for i in range(n)]
    old = (str(t["candidate_id"]), str(t["attempt_id"]), str(t["scoring_run_id"]))
    invitation_old = str(msgspec.json.decode(t["document"])["invitation_id"])
    await conn.copy_records_to_table(
        "candidates",
        columns=["id", "organization_id", "given_name", "family_name", "email"],
        records=[
            (c, org, "Bench", f"Candidate {i}", f"b{i}@x.org") for i, (c, _, _, _) in enumerate(ids)
        ],
    )
    await conn.copy_records_to_table(
        "invitations",
        columns=[
            "id",
            "organization_id",
            "candidate_id",
            "token_sha256",
            "assessments",
            "expires_at",
            "created_by",
        ],
        records=[
            (inv, org, c, uuid.uuid4().bytes * 2, ["coding"], start + dt.timedelta(days=7), "bench")
            for c, inv, _, _ in ids
        ],
    )
    await conn.copy_records_to_table(
        "attempts",
        columns=[
            "id",
            "organization_id",
            "candidate_id",
            "invitation_id",
            "assessment_id",
            "form_id",
            "content_version",
            "status",
            "started_at",
            "submitted_at",
        ],
        records=[
            (
                a,
                org,
                c,
                inv,
                "coding",
                "coding-a",
                t["run_content"],
                "scored",
                start - dt.timedelta(hours=1),
                start,
            )
            for c, inv, a, _ in ids
        ],
    )
    await conn.copy_records_to_table(
        "scoring_runs",
        columns=[
            "id",
            "organization_id",
            "attempt_id",
            "content_version",
            "raw_total",
            "max_total",
            "scaled_score",
            "passed",
            "provisional",
            "reason",
            "created_by",
        ],
        records=[
            (
                r,
                org,
                a,
                t["run_content"],
                t["raw_total"],
                t["max_total"],
                t["scaled_score"],
                t["passed"],
                t["provisional"],
                "bench",
                "bench",
            )
            for _, _, a, r in ids
        ],
    )
    records = []
    for seq, ((c, inv, a, r), at) in enumerate(zip(ids, stamps, strict=True), start=2):
        document = (
            t["document"]
            .replace(old[0], str(c))
            .replace(old[1], str(a))
            .replace(old[2], str(r))
            .replace(invitation_old, str(inv))
        )
        records.append((org, a, 1, seq, r, c, "coding", document, at))
    await conn.copy_records_to_table(
        "result_versions",
        columns=[
            "organization_id",
            "attempt_id",
            "version",
            "seq",
            "scoring_run_id",
            "candidate_id",
            "assessment_id",
            "document",
            "created_at",
        ],
        records=records,
    )
    await conn.execute(
        "UPDATE result_feed_counters SET last_seq = $2, last_at = $3 WHERE organization_id = $1",
        org,
        n + 1,
        stamps[-1],
    )
    await conn.execute("ANALYZE")


async def _walk_load(port: int, key: str, seconds: float) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def walker() -> None:
        nonlocal errors
        conn = await Connection.open(port)
        try:
            while time.perf_counter() < stop:
                path = f"/api/v1/results?limit={PAGE}"
                while time.perf_counter() < stop:
                    began = time.perf_counter()
                    status, body = await conn.get(path, key)
                    latencies.append((time.perf_counter() - began) * 1000)
                    if status != 200:
                        errors += 1
                        break
                    # only the page's tail: the client should not be what is measured
                    tail = body[body.rindex(b'"next_cursor":') :]
                    cursor = msgspec.json.decode(b"{" + tail)["next_cursor"]
                    if cursor is None:
                        break
                    path = f"/api/v1/results?limit={PAGE}&cursor={cursor}"
        finally:
            conn.close()

    await asyncio.gather(*(walker() for _ in range(WALKERS)))
    return len(latencies), latencies, errors


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _measure(quick: bool) -> dict[str, Any]:
    candidates = 2_000 if quick else 10_000
    seconds, repeats = (4.0, 1) if quick else (10.0, 3)
    with _server_url() as admin_url:
        url = await _scratch(admin_url)
        try:
            key = await seed(url, candidates)
            port = free_port()
            env_args = [
                sys.executable,
                "-m",
                "service.cli",
                "serve",
                "--workers",
                "2",
                "--port",
                str(port),
            ]
            import os  # noqa: PLC0415

            os.environ.update(
                {"CHARTREADY_API_RATE_LIMIT": "1000000", "CHARTREADY_JOBS_IN_PROCESS": "false"}
            )
            p50s, p95s, rates, total_errors = [], [], [], 0
            with _serve(env_args, url, port):
                await _walk_load(port, key, 1.0)  # warm both workers
                for _ in range(repeats):
                    pages, latencies, errors = await _walk_load(port, key, seconds)
                    total_errors += errors
                    p50s.append(_p(latencies, 0.50))
                    p95s.append(_p(latencies, 0.95))
                    rates.append(pages / seconds)
        finally:
            with contextlib.suppress(Exception):
                await _drop(admin_url, url)
    p95, rate = statistics.median(p95s), statistics.median(rates)
    return {
        "candidates": candidates,
        "page_size": PAGE,
        "walkers": WALKERS,
        "workers": 2,
        "p50_ms": round(statistics.median(p50s), 2),
        "p95_ms": round(p95, 2),
        "pages_per_s": round(rate, 1),
        "errors": total_errors,
        "ok": p95 < GOAL_P95_MS and rate >= GOAL_PAGES_PER_S and total_errors == 0,
    }


def run(quick: bool) -> dict[str, Any]:
    """Seed, serve, walk; the figures and whether they meet the goal."""
    return asyncio.run(_measure(quick))
