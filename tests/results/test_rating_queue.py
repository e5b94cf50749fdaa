"""The rating queue applies the one workflow rule, in batches, and is never empty while
work waits behind responses whose ratings are already final."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from service.assessments.content import load_content
from service.auth.staff import StaffUser
from service.results.rating_queue import rating_queue
from tests.faces.staff.test_staff_ratings import scored_attempt
from tests.results.factories import make_user


async def test_queue_reaches_waiting_work_behind_final_responses(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    content = load_content()
    criteria = [c.id for c in content.items["COM-A-14"].criteria]  # type: ignore[union-attr]
    levels = dict.fromkeys(criteria, 2)
    attempts = [await scored_attempt(pool, org_id) for _ in range(4)]
    start = datetime.now(UTC) - timedelta(hours=1)
    for n, attempt in enumerate(attempts):  # queue order: oldest submission first
        await pool.execute(
            "UPDATE attempts SET started_at = $2, submitted_at = $2 WHERE id = $1",
            attempt,
            start + timedelta(minutes=n),
        )
    first = await make_user(pool, org_id, "rater", "first@example.org")
    second = await make_user(pool, org_id, "rater", "second@example.org")
    me = await make_user(pool, org_id, "rater", "me@example.org")
    for attempt in attempts[:3]:  # two agreeing ratings each: final, nothing left to do
        for rater in (first, second):
            await pool.execute(
                """INSERT INTO ratings (id, organization_id, attempt_id, item_id, rater_id, role,
                       levels) VALUES ($1, $2, $3, 'COM-A-14', $4, 'independent', $5)""",
                uuid.uuid4(),
                org_id,
                attempt,
                rater,
                levels,
            )
    rater = StaffUser(me, org_id, "me@example.org", "me", "rater", "csrf")
    async with pool.acquire() as conn:
        tasks = await rating_queue(conn, rater, content, limit=1, page=2)
    assert [(t.attempt_id, t.item_id, t.role) for t in tasks] == [
        (attempts[3], "COM-A-14", "independent")
    ]
