"""PostgreSQL CPU per autosave statement, one connection, no HTTP: where the database side
of the autosave gap comes from. Compares the ceiling's plain INSERT, the autosave's checks
alone (token -> attempt -> open section), an upsert by attempt id, and the real autosave
statement. "ok" applies issue 4's ratio (0.8) to the database alone: the real statement may
cost at most 1/0.8 = 1.25x the plain INSERT."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import asyncpg
import msgspec

from scripts.benchmarks import autosave as bench

_PLAIN_UPSERT = """
INSERT INTO responses (organization_id, attempt_id, item_id, answer, client_seq, tab_id)
SELECT organization_id, id, $2, $3::text::jsonb, $4, 'bench-tab-1' FROM attempts WHERE id = $1
ON CONFLICT (attempt_id, item_id) DO UPDATE
    SET answer = EXCLUDED.answer, client_seq = EXCLUDED.client_seq, tab_id = EXCLUDED.tab_id,
        saved_at = now()
    WHERE responses.client_seq < EXCLUDED.client_seq
RETURNING client_seq"""
_INSERT = (
    "INSERT INTO bench_ceiling (item_id, answer, seq) VALUES ($1, $2::text::jsonb, $3) "
    "RETURNING seq"
)


async def _measure(calls: int, repeats: int) -> dict[str, float]:
    from service.assessments.content import load_content  # noqa: PLC0415
    from service.delivery import autosave  # noqa: PLC0415
    from service.delivery.catalog import catalog_of  # noqa: PLC0415
    from service.delivery.tokens import token_digest  # noqa: PLC0415

    checks_only = autosave._UPSERT.split("), up AS")[0] + ") SELECT a.id FROM a"
    results: dict[str, list[float]] = {"insert": [], "checks": [], "upsert": [], "autosave": []}
    with bench._server_url() as admin_url:
        url = await bench._scratch(admin_url)
        try:
            seats = await bench.seed_open_attempts(url, bench.CANDIDATES)
            catalog = catalog_of(load_content())
            conn = await asyncpg.connect(url)
            try:
                rows: list[list[Any]] = []
                for seat in seats:
                    digest = token_digest(seat.path.split("/")[2])
                    attempt = await conn.fetchval(
                        "SELECT t.id FROM attempts t JOIN invitations i ON i.id = "
                        "t.invitation_id WHERE i.token_sha256 = $1",
                        digest,
                    )
                    for item, answer in seat.items:
                        place = catalog.placements[item]
                        rows.append(
                            [
                                digest,
                                "privacy",
                                place.form_id,
                                place.section_id,
                                item,
                                msgspec.json.encode(answer).decode(),
                                attempt,
                            ]
                        )
                seq = 0
                statements = {
                    "insert": lambda r, s: conn.fetchval(_INSERT, r[4], r[5], s),
                    "checks": lambda r, s: conn.fetchval(checks_only, *r[:4]),
                    "upsert": lambda r, s: conn.fetchval(_PLAIN_UPSERT, r[6], r[4], r[5], s),
                    "autosave": lambda r, s: conn.fetchrow(
                        autosave._UPSERT, *r[:6], s, "bench-tab-1"
                    ),
                }
                for _ in range(repeats):
                    for name, run_one in statements.items():
                        before = bench._cpu_seconds(-1)[1]
                        for i in range(calls):
                            seq += 1
                            await run_one(rows[i % len(rows)], seq)
                        results[name].append((bench._cpu_seconds(-1)[1] - before) / calls * 1e6)
            finally:
                await conn.close()
        finally:
            await bench._drop(admin_url, url)
    return {name: statistics.median(v) for name, v in results.items()}


def run(quick: bool) -> dict[str, Any]:
    """Median PostgreSQL CPU (µs) per statement of each kind."""
    started = time.perf_counter()
    pg = asyncio.run(_measure(*((1000, 2) if quick else (4000, 3))))
    return {
        "pg_us_insert": round(pg["insert"]),
        "pg_us_checks_only": round(pg["checks"]),
        "pg_us_upsert_by_attempt": round(pg["upsert"]),
        "pg_us_autosave": round(pg["autosave"]),
        "autosave_to_insert": round(pg["autosave"] / pg["insert"], 2),
        "seconds": round(time.perf_counter() - started, 1),
        "ok": pg["autosave"] <= 1.25 * pg["insert"],
    }
