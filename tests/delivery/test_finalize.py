"""Submit, the sweeper and accommodations: final once, scored once, never flagged unfairly."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from service.delivery.catalog import Catalog
from service.delivery.finalize import sweep_once
from service.readiness.predict import BandThresholds
from tests.delivery.conftest import add_candidate, attempt_row, begin, invite

TAB = "tab-finalize"


async def runs(pool: asyncpg.Pool, attempt_id: uuid.UUID) -> list[asyncpg.Record]:
    return await pool.fetch("SELECT * FROM scoring_runs WHERE attempt_id = $1", attempt_id)


async def walk_to_last_section(client: AsyncTestClient, token: str) -> None:  # type: ignore[type-arg]
    """Close every section but the last through the review pages."""
    while True:
        review = await client.get(f"/take/{token}/coding/review")
        if "Finish and submit" in review.text:
            return
        finish = review.text.split('action="', 2)[1].split('"', 1)[0]
        r = await client.post(finish, follow_redirects=False)
        assert r.status_code == 303
        intro = await client.get(r.headers["location"], follow_redirects=False)
        r = await client.post(intro.url.path + "/begin", follow_redirects=False)
        assert r.status_code == 303


async def test_submit_scores_once_and_is_idempotent(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
) -> None:
    await begin(client, token)
    row = await attempt_row(pool, token)
    first = catalog.item_at(row["form_id"], 1)
    key = list(first.key)  # type: ignore[union-attr]
    await client.post(
        f"/take/{token}/coding/answers",
        json={"item_id": first.id, "answer": key, "seq": 1, "tab_id": TAB},
    )
    early = await client.post(f"/take/{token}/coding/submit", follow_redirects=False)
    assert early.headers["location"].endswith("/done")  # submit goes through from anywhere
    second = await client.post(f"/take/{token}/coding/submit", follow_redirects=False)
    assert second.status_code == 303
    done = await client.get(f"/take/{token}/coding/done")
    assert "Your answers have been submitted" in done.text
    row = await attempt_row(pool, token)
    assert row["status"] == "scored" and row["finalized_reason"] == "candidate"
    stored = await runs(pool, row["id"])
    assert len(stored) == 1 and stored[0]["raw_total"] >= first.points > 0
    late = await client.post(
        f"/take/{token}/coding/answers",
        json={"item_id": first.id, "answer": [], "seq": 2, "tab_id": TAB},
    )
    assert late.status_code == 410 and "already been submitted" in late.text


async def test_review_and_confirm_pages_lead_to_submit(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
) -> None:
    await begin(client, token)
    await walk_to_last_section(client, token)
    confirm = await client.get(f"/take/{token}/coding/submit")
    assert "Submit my answers" in confirm.text and "not answered" in confirm.text
    r = await client.post(f"/take/{token}/coding/submit")
    assert r.status_code == 200 and "finished" in r.text
    row = await attempt_row(pool, token)
    closed = await pool.fetchval(
        "SELECT count(*) FROM attempt_sections WHERE attempt_id = $1 AND closed_at IS NULL",
        row["id"],
    )
    assert closed == 0


async def test_sweeper_finalises_expired_attempts_exactly_once(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    catalog: Catalog,  # type: ignore[type-arg]
) -> None:
    tokens = []
    for _ in range(5):
        token = await invite(pool, org_id, await add_candidate(pool, org_id), catalog)
        await begin(client, token)
        tokens.append(token)
    live = tokens.pop()
    expired_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    for token in tokens:
        row = await attempt_row(pool, token)
        await pool.execute(
            "UPDATE attempts SET deadline_at = $2 WHERE id = $1", row["id"], expired_at
        )
        await pool.execute(
            "UPDATE attempt_sections SET deadline_at = $2 WHERE attempt_id = $1",
            row["id"],
            expired_at,
        )
    done = await asyncio.gather(
        sweep_once(pool, catalog, BandThresholds(), batch=2),
        sweep_once(pool, catalog, BandThresholds(), batch=2),
        sweep_once(pool, catalog, BandThresholds(), batch=10),
    )
    assert sum(done) == 4
    assert await sweep_once(pool, catalog, BandThresholds()) == 0
    for token in tokens:
        row = await attempt_row(pool, token)
        assert (row["status"], row["finalized_reason"]) == ("scored", "deadline")
        assert len(await runs(pool, row["id"])) == 1
    assert (await attempt_row(pool, live))["status"] == "in_progress"
    page = await client.get(f"/take/{tokens[0]}/coding")
    assert "time for this assessment ran out" in page.text


async def test_time_up_on_next_page_load_finalises_without_the_sweeper(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
) -> None:
    await begin(client, token)
    row = await attempt_row(pool, token)
    await pool.execute(
        "UPDATE attempt_sections SET deadline_at = now() - interval '1 second' "
        "WHERE attempt_id = $1",
        row["id"],
    )
    page = await client.get(f"/take/{token}/coding")
    assert "ran out" in page.text
    assert len(await runs(pool, row["id"])) == 1


async def test_accommodations_extend_time_and_never_flag(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    catalog: Catalog,  # type: ignore[type-arg]
) -> None:
    limit = catalog.assessment("coding").time_limit_minutes
    extra = await invite(
        pool, org_id, await add_candidate(pool, org_id), catalog, time_multiplier=1.5
    )
    untimed = await invite(pool, org_id, await add_candidate(pool, org_id), catalog, untimed=True)
    start_page = await client.get(f"/take/{extra}")
    assert "Rosa" in start_page.text
    item_url = await begin(client, extra)
    row = await attempt_row(pool, extra)
    assert row["deadline_at"] - row["started_at"] == dt.timedelta(minutes=limit * 1.5)
    await begin(client, untimed)
    urow = await attempt_row(pool, untimed)
    assert urow["deadline_at"] is None
    assert "No time limit" in (await client.get(f"/take/{untimed}/coding")).text
    for token in (extra, untimed):
        for kind, extra_fields in (
            ("focus_lost", {}),
            ("paste", {"chars": 900}),
            ("tab_hidden", {"seconds": 300.0}),
        ):
            r = await client.post(
                f"/take/{token}/coding/events", json={"kind": kind, "tab_id": TAB, **extra_fields}
            )
            assert r.json() == {"recorded": True, "severity": "info"}
    # Answer instantly (a "fast" answer) and submit: still no flag above info.
    first = catalog.item_at(row["form_id"], 1)
    await client.get(item_url)
    await client.post(
        f"/take/{extra}/coding/answers",
        json={"item_id": first.id, "answer": ["I10"], "seq": 1, "tab_id": TAB},
    )
    await client.post(f"/take/{extra}/coding/submit")
    severities = await pool.fetch("SELECT DISTINCT severity, accommodated FROM integrity_events")
    assert [(r["severity"], r["accommodated"]) for r in severities] == [("info", True)]
    assert (
        await pool.fetchval("SELECT count(*) FROM integrity_events WHERE kind = 'fast_answer'") == 1
    )


async def test_signals_for_standard_candidates_are_stored_with_severity(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,
    catalog: Catalog,  # type: ignore[type-arg]
) -> None:
    item_url = await begin(client, token)
    row = await attempt_row(pool, token)
    r = await client.post(
        f"/take/{token}/coding/events",
        json={
            "kind": "paste",
            "tab_id": TAB,
            "chars": 400,
            "item_id": catalog.item_at(row["form_id"], 1).id,
        },
    )
    assert r.json() == {"recorded": True, "severity": "medium"}
    bad = await client.post(
        f"/take/{token}/coding/events", json={"kind": "telepathy", "tab_id": TAB}
    )
    assert bad.status_code == 400
    await client.get(item_url)
    await client.post(
        f"/take/{token}/coding/answers",
        json={
            "item_id": catalog.item_at(row["form_id"], 1).id,
            "answer": ["I10"],
            "seq": 1,
            "tab_id": TAB,
        },
    )
    await client.post(f"/take/{token}/coding/submit")
    kinds = await pool.fetch("SELECT kind, severity FROM integrity_events ORDER BY id")
    assert [(k["kind"], k["severity"]) for k in kinds] == [
        ("paste", "medium"),
        ("fast_answer", "low"),
    ]
    assert (await attempt_row(pool, token))["status"] == "scored"  # signals never reject
