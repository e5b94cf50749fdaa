"""A candidate's path through the pages over HTTP."""

from __future__ import annotations

import asyncpg
from litestar.testing import AsyncTestClient

from service.delivery.catalog import Catalog
from tests.delivery.conftest import attempt_row, begin


async def test_start_page_shows_notice_and_needs_consent(
    client: AsyncTestClient,
    token: str,  # type: ignore[type-arg]
) -> None:
    r = await client.get(f"/take/{token}")
    assert r.status_code == 200
    for phrase in (
        "What is assessed",
        "How your results are used",
        "How long the data is kept",
        "Accommodations and alternatives",
        "I have read the notice",
    ):
        assert phrase in r.text
    r = await client.post(f"/take/{token}/coding/start", follow_redirects=False)
    assert r.status_code == 409
    assert "consent" in r.text
    r = await client.post(f"/take/{token}/consent", data={}, follow_redirects=False)
    assert r.status_code == 422


async def test_begin_and_answer_first_item(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
) -> None:
    item_url = await begin(client, token)
    r = await client.get(item_url)
    assert r.status_code == 200, r.text
    row = await attempt_row(pool, token)
    item = catalog.item_at(row["form_id"], 1)
    assert item.id in r.text
