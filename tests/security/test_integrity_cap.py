"""Finding 13: the cap on integrity events a page may report per attempt holds exactly when
the reports arrive concurrently (it used to count, then insert, so racing reports passed)."""

from __future__ import annotations

import asyncio

import asyncpg
from litestar.testing import AsyncTestClient

from service.delivery.catalog import Catalog
from service.delivery.integrity import MAX_EVENTS_PER_ATTEMPT, EventIn, record_event
from service.ground.db import create_pool
from tests.delivery.conftest import attempt_row, begin


async def test_concurrent_reports_never_pass_the_cap(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    db_url: str,  # type: ignore[type-arg]
    catalog: Catalog,
) -> None:
    await begin(client, token)
    row = await attempt_row(pool, token)
    event = EventIn(kind="focus_lost", tab_id="tab-aaaaaaaa")
    near = MAX_EVENTS_PER_ATTEMPT - 10
    for _ in range(near):  # most of the allowance used the ordinary way
        async with pool.acquire() as conn:
            assert (await record_event(conn, catalog, token, "coding", event)).recorded
    wide = await create_pool(db_url, min_size=20, max_size=20)
    try:

        async def report() -> bool:
            async with wide.acquire() as conn:
                return (await record_event(conn, catalog, token, "coding", event)).recorded

        results = await asyncio.gather(*(report() for _ in range(80)))
    finally:
        await wide.close()
    assert sum(results) == 10
    count = await pool.fetchval(
        "SELECT count(*) FROM integrity_events WHERE attempt_id = $1", row["id"]
    )
    assert count == MAX_EVENTS_PER_ATTEMPT
    over = await client.post(
        f"/take/{token}/coding/events", json={"kind": "paste", "tab_id": "tab-aaaaaaaa", "chars": 3}
    )
    assert over.status_code == 200 and over.json()["recorded"] is False
