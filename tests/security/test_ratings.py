"""Finding 9: ratings are refused on attempts the candidate has not submitted."""

from __future__ import annotations

import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from tests.faces.staff.test_staff_ratings import REPLY
from tests.results.factories import finished_attempt, staff_headers
from tests.web.test_error_shape import assert_problem

LEVELS = {"content": 3, "organization": 3, "tone": 3, "mechanics": 3}


async def test_a_rating_of_an_attempt_still_in_progress_is_refused(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    attempt = await finished_attempt(pool, org_id, "communication-a", {"COM-A-14": REPLY})
    await pool.execute(
        "UPDATE attempts SET status = 'in_progress', submitted_at = NULL WHERE id = $1", attempt
    )
    csrf = await staff_headers(client, pool, org_id, "rater", "early@example.org")
    r = await client.post(
        "/staff/ratings",
        headers=csrf,
        json={"attempt_id": str(attempt), "item_id": "COM-A-14", "levels": LEVELS},
    )
    assert_problem(r, 409, "attempt_id")
    assert await pool.fetchval("SELECT count(*) FROM ratings") == 0
    # The control: once submitted, the same rating is accepted.
    await pool.execute(
        "UPDATE attempts SET status = 'submitted', submitted_at = now() WHERE id = $1", attempt
    )
    r = await client.post(
        "/staff/ratings",
        headers=csrf,
        json={"attempt_id": str(attempt), "item_id": "COM-A-14", "levels": LEVELS},
    )
    assert r.status_code == 201, r.text
