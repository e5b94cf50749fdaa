"""Finding 1: the password checks one worker takes on are bounded (threads + queue); the
excess is refused at once with 429 and Retry-After, before it reaches the database."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
import pytest

from service.ground.settings import Settings
from tests.conftest import make_settings
from tests.results.factories import make_user, org_slug
from tests.security.conftest import Served
from tests.web.test_error_shape import assert_problem


@pytest.fixture
def served_settings(db_url: str) -> Settings:
    """One hashing process and room for two more sign-ins to wait."""
    return make_settings(database_url=db_url, password_hash_workers=1, password_hash_queue=2)


async def test_hashing_capacity_is_bounded_and_excess_gets_429(
    served: Served,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "admin", "alice@example.org")
    form = {
        "organization": await org_slug(pool, org_id),
        "email": "alice@example.org",
        "password": "wrong password",
    }
    async with httpx.AsyncClient(base_url=served.url, timeout=60) as http:
        replies = await asyncio.gather(*(http.post("/staff/session", json=form) for _ in range(8)))
    statuses = sorted(r.status_code for r in replies)
    assert statuses == [401] * 3 + [429] * 5
    busy = next(r for r in replies if r.status_code == 429)
    assert_problem(busy, 429)
    assert busy.headers["retry-after"] == "1"
    assert served.app.state.passwords.checks == 3
    # the refused five never reached the throttle's counters
    assert await pool.fetchval("SELECT max(attempts) FROM login_throttle") == 3
