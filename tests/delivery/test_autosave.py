"""Autosave: ordering by client sequence, idempotency, races, refusals that store nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from typing import Any, NamedTuple

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.delivery.autosave import AnswerIn, save_answer
from service.delivery.catalog import Catalog
from service.delivery.timing import GRACE
from service.readiness.answers import correct_answer
from tests.delivery.conftest import attempt_row, begin, tampered

TAB = "tab-aaaaaaaa"


def first_item(catalog: Catalog, form_id: str) -> str:
    return catalog.item_at(form_id, 1).id


class Started(NamedTuple):
    """A begun coding attempt: its row, its first item and the autosave URL."""

    row: Any
    item_id: str
    url: str


@pytest.fixture
async def started(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
    catalog: Catalog,
) -> Started:
    """Consent, start and begin the first section of the coding assessment."""
    await begin(client, token)
    row = await attempt_row(pool, token)
    return Started(row, first_item(catalog, row["form_id"]), f"/take/{token}/coding/answers")


async def stored(pool: asyncpg.Pool, attempt_id: object) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT item_id, answer, client_seq FROM responses WHERE attempt_id = $1", attempt_id
    )


async def test_save_is_acknowledged_and_resumes(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
    started: Started,
) -> None:
    row, item_id, url = started
    r = await client.post(
        url, json={"item_id": item_id, "answer": ["e11.9"], "seq": 1, "tab_id": TAB}
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "saved": True,
        "seq": 1,
        "superseded": False,
        "conflict": False,
        "other_tab": False,
    }
    rows = await stored(pool, row["id"])
    assert [(x["item_id"], x["answer"], x["client_seq"]) for x in rows] == [(item_id, ["E11.9"], 1)]
    page = await client.get(f"/take/{token}/coding")  # resume lands on the item, answer shown
    assert 'value="E11.9"' in page.text


async def test_stale_and_replayed_writes_never_overwrite(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
    started: Started,
) -> None:
    row, item_id, url = started
    body = {"item_id": item_id, "tab_id": TAB}
    assert (await client.post(url, json={**body, "answer": ["I10"], "seq": 5})).json()["saved"]
    stale = (await client.post(url, json={**body, "answer": ["E11.9"], "seq": 4})).json()
    assert stale == {
        "saved": False,
        "seq": 5,
        "superseded": True,
        "conflict": False,
        "other_tab": False,
    }
    replay = (await client.post(url, json={**body, "answer": ["I10"], "seq": 5})).json()
    assert replay["saved"] is True and replay["seq"] == 5
    rows = await stored(pool, row["id"])
    assert [(x["answer"], x["client_seq"]) for x in rows] == [(["I10"], 5)]


async def test_racing_writes_keep_the_newest_sequence(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
    started: Started,
) -> None:
    row, item_id, _ = started
    codes = ["A00.0", "I10", "E11.9", "J45.909", "K21.9", "N39.0", "R51.9", "Z00.00"]
    writes = [(seq, codes[seq % len(codes)]) for seq in range(1, 41)]
    random.Random(7).shuffle(writes)

    async def write(seq: int, code: str) -> None:
        async with pool.acquire() as conn:
            await save_answer(
                conn,
                catalog,
                token,
                "coding",
                AnswerIn(item_id=item_id, answer=[code], seq=seq, tab_id=TAB),
            )

    await asyncio.gather(*(write(seq, code) for seq, code in writes))
    rows = await stored(pool, row["id"])
    assert [(x["client_seq"], x["answer"]) for x in rows] == [(40, [codes[40 % len(codes)]])]


async def test_bad_input_is_refused_and_nothing_stored(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
    started: Started,
) -> None:
    row, item_id, url = started  # item_id: a code-entry item
    other_form = next(
        f for f in catalog.content.assessments["coding"].form_ids if f != row["form_id"]
    )
    cases = [
        ({"item_id": item_id, "answer": 3, "seq": 1, "tab_id": TAB}, 422, "must be a list"),
        ({"item_id": item_id, "answer": [7], "seq": 1, "tab_id": TAB}, 422, "must be a string"),
        ({"item_id": item_id, "answer": ["A" * 20], "seq": 1, "tab_id": TAB}, 422, "longer than"),
        (
            {
                "item_id": catalog.item_at(other_form, 1).id,
                "answer": ["I10"],
                "seq": 1,
                "tab_id": TAB,
            },
            422,
            "not part of",
        ),
        ({"item_id": "PRI-A-01", "answer": "a", "seq": 1, "tab_id": TAB}, 422, "not part of"),
        ({"item_id": item_id, "answer": "a", "seq": 0, "tab_id": TAB}, 400, "seq"),
        ({"item_id": item_id, "answer": "a", "seq": 1, "tab_id": TAB, "x": 1}, 400, "x"),
        ({"item_id": item_id, "answer": "a", "seq": 1, "tab_id": "short"}, 400, "tab_id"),
    ]
    for body, status, words in cases:
        r = await client.post(url, json=body)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert words in r.text
    huge = {"item_id": item_id, "answer": "a" * 70_000, "seq": 1, "tab_id": TAB}
    assert (await client.post(url, json=huge)).status_code == 413
    assert await stored(pool, row["id"]) == []


async def test_answers_after_deadline_plus_grace_are_refused(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
    started: Started,
) -> None:
    row, item_id, url = started
    # Just past the deadline but within the grace period: still accepted.
    within, past = GRACE - dt.timedelta(seconds=5), GRACE + dt.timedelta(seconds=5)
    await pool.execute(
        "UPDATE attempt_sections SET deadline_at = now() - $2::interval "
        "WHERE attempt_id = $1 AND ordinal = 1",
        row["id"],
        within,
    )
    ok = await client.post(
        url, json={"item_id": item_id, "answer": ["I10"], "seq": 1, "tab_id": TAB}
    )
    assert ok.status_code == 200 and ok.json()["saved"]
    await pool.execute(
        "UPDATE attempt_sections SET deadline_at = now() - $2::interval "
        "WHERE attempt_id = $1 AND ordinal = 1",
        row["id"],
        past,
    )
    late = await client.post(
        url, json={"item_id": item_id, "answer": ["E11.9"], "seq": 2, "tab_id": TAB}
    )
    assert late.status_code == 410
    assert "Time for this section is up" in late.json()["detail"]
    assert [(x["answer"], x["client_seq"]) for x in await stored(pool, row["id"])] == [(["I10"], 1)]


async def test_unbegun_section_and_tampered_token_are_refused(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
    started: Started,
) -> None:
    row = started.row
    later = catalog.section_plans[row["form_id"]][1]
    item = catalog.item_at(row["form_id"], later.first_position)
    answer = correct_answer(item)  # a valid answer, so only the unbegun section can refuse it
    r = await client.post(
        f"/take/{token}/coding/answers",
        json={"item_id": item.id, "answer": answer, "seq": 1, "tab_id": TAB},
    )
    assert r.status_code == 409 and "Begin this section" in r.text
    r = await client.post(
        f"/take/{tampered(token)}/coding/answers",
        json={
            "item_id": first_item(catalog, row["form_id"]),
            "answer": ["I10"],
            "seq": 1,
            "tab_id": TAB,
        },
    )
    assert r.status_code == 404
    assert await stored(pool, row["id"]) == []


async def test_second_tab_is_detected(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
    started: Started,
) -> None:
    row, item_id, _ = started
    base = f"/take/{token}/coding"
    first = await client.post(f"{base}/claim", json={"tab_id": "tab-one-1"})
    assert first.json() == {"other_tab_before": False, "seq": 0}
    second = await client.post(f"{base}/claim", json={"tab_id": "tab-two-2"})
    assert second.json()["other_tab_before"] is True
    saved = await client.post(
        f"{base}/answers",
        json={"item_id": item_id, "answer": ["I10"], "seq": 1, "tab_id": "tab-one-1"},
    )
    assert saved.json()["saved"] is True and saved.json()["other_tab"] is True
    status = await client.get(f"{base}/status", params={"tab_id": "tab-two-2"})
    assert status.json()["other_tab"] is False
    kinds = await pool.fetch(
        "SELECT kind, severity FROM integrity_events WHERE attempt_id = $1", row["id"]
    )
    assert [(k["kind"], k["severity"]) for k in kinds] == [("second_tab", "low")]
