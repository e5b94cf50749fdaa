"""Finding 3: a save from a second device is never acknowledged unless it is what is stored;
finding 13: ``seq`` sent as a string is refused."""

from __future__ import annotations

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.delivery.catalog import Catalog
from tests.delivery.conftest import attempt_row, begin
from tests.web.test_error_shape import assert_problem

PHONE, LAPTOP = "tab-phone-0001", "tab-laptop-001"


@pytest.fixture
async def save_url(client: AsyncTestClient, token: str) -> str:  # type: ignore[type-arg]
    await begin(client, token)
    return f"/take/{token}/coding/answers"


async def _stored(pool: asyncpg.Pool, token: str) -> list[tuple[object, int, str]]:
    row = await attempt_row(pool, token)
    rows = await pool.fetch(
        "SELECT answer, client_seq, tab_id FROM responses WHERE attempt_id = $1", row["id"]
    )
    return [(r["answer"], r["client_seq"], r["tab_id"]) for r in rows]


async def test_two_devices_at_the_same_seq_conflict_instead_of_a_false_ack(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
    save_url: str,
) -> None:
    row = await attempt_row(pool, token)
    item = catalog.item_at(row["form_id"], 1).id
    # Both devices loaded the same page, so both count on from the same number.
    a = await client.post(
        save_url, json={"item_id": item, "answer": ["I10"], "seq": 3, "tab_id": PHONE}
    )
    assert a.json()["saved"] is True
    b = await client.post(
        save_url, json={"item_id": item, "answer": ["E11.9"], "seq": 3, "tab_id": LAPTOP}
    )
    assert b.status_code == 200
    assert b.json()["saved"] is False and b.json()["conflict"] is True and b.json()["seq"] == 3
    assert await _stored(pool, token) == [(["I10"], 3, PHONE)]
    # The page resolves it by resending above the stored number: now it is stored.
    again = await client.post(
        save_url, json={"item_id": item, "answer": ["E11.9"], "seq": 4, "tab_id": LAPTOP}
    )
    assert again.json()["saved"] is True
    assert await _stored(pool, token) == [(["E11.9"], 4, LAPTOP)]


async def test_same_seq_same_answer_from_another_tab_is_a_conflict_and_a_true_replay_is_saved(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
    save_url: str,
) -> None:
    row = await attempt_row(pool, token)
    item = catalog.item_at(row["form_id"], 1).id
    body = {"item_id": item, "answer": ["I10"], "seq": 1, "tab_id": PHONE}
    assert (await client.post(save_url, json=body)).json()["saved"] is True
    replay = (await client.post(save_url, json=body)).json()  # a retried request
    assert replay["saved"] is True and replay["conflict"] is False
    other = (await client.post(save_url, json={**body, "tab_id": LAPTOP})).json()
    assert other["saved"] is False and other["conflict"] is True
    assert await _stored(pool, token) == [(["I10"], 1, PHONE)]


@pytest.mark.parametrize("seq", ["9", 9.0, True, "1e3"])
async def test_seq_must_be_a_json_integer(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
    save_url: str,
    seq: object,
) -> None:
    row = await attempt_row(pool, token)
    item = catalog.item_at(row["form_id"], 1).id
    r = await client.post(
        save_url, json={"item_id": item, "answer": ["I10"], "seq": seq, "tab_id": PHONE}
    )
    assert_problem(r, 400, "seq")
    assert await _stored(pool, token) == []
