"""Coordinators read an attempt's integrity signals with their context; raters cannot; every
read is audited."""

from __future__ import annotations

import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from tests.faces.staff.test_staff_ratings import scored_attempt
from tests.results.factories import staff_headers


async def test_coordinator_reads_signals_in_order_and_the_read_is_audited(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    attempt = await scored_attempt(pool, org_id)
    for kind, severity, item, detail in (
        ("tab_hidden", "medium", None, {"seconds": 95}),
        ("paste", "low", "COM-A-14", {"chars": 40}),
    ):
        await pool.execute(
            """INSERT INTO integrity_events (organization_id, attempt_id, kind, severity,
                   item_id, detail) VALUES ($1, $2, $3, $4, $5, $6)""",
            org_id,
            attempt,
            kind,
            severity,
            item,
            detail,
        )
    url = f"/staff/attempts/{attempt}/integrity-events"

    rater = await staff_headers(client, pool, org_id, "rater", "rater@example.org")
    assert (await client.get(url, headers=rater)).status_code == 403
    client.cookies.clear()
    await staff_headers(client, pool, org_id, "coordinator", "coord@example.org")
    r = await client.get(url)
    assert r.status_code == 200, r.text
    events = r.json()
    assert [(e["kind"], e["severity"], e["item_id"], e["detail"]) for e in events] == [
        ("tab_hidden", "medium", None, {"seconds": 95}),
        ("paste", "low", "COM-A-14", {"chars": 40}),
    ]
    assert all(e["accommodated"] is False and e["at"] for e in events)
    audited = await pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'integrity.read' AND subject_id = $1",
        str(attempt),
    )
    assert audited == 1
    missing = await client.get(f"/staff/attempts/{uuid.uuid4()}/integrity-events")
    assert missing.status_code == 404
