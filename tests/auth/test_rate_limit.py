"""HR API rate limits: per key, per fixed window, shared by every worker, told in headers."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.auth.api_keys import RATE_WINDOW_SECONDS, KeyUse, Principal, create_api_key
from service.auth.rate_limit import enforce_rate_limit, rate_limit_headers
from service.ground.errors import RateLimited
from service.ground.settings import Settings
from tests.conftest import make_settings
from tests.web.test_error_shape import assert_problem

LIMIT = 3


@pytest.fixture
def settings(db_url: str) -> Settings:
    """The suite's settings with a tiny limit, so the test reaches it quickly."""
    return make_settings(api_rate_limit=LIMIT, database_url=db_url)


async def test_requests_past_the_limit_get_429_until_the_window_passes(
    client: AsyncTestClient,
    auth: dict[str, str],
    api_key: str,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
) -> None:
    for remaining in range(LIMIT - 1, -1, -1):
        r = await client.get("/api/v1/candidates", headers=auth)
        assert r.status_code == 200, r.text
        assert r.headers["ratelimit-limit"] == str(LIMIT)
        assert r.headers["ratelimit-remaining"] == str(remaining)
        assert r.headers["ratelimit-policy"] == f"{LIMIT};w={RATE_WINDOW_SECONDS}"
        assert 1 <= int(r.headers["ratelimit-reset"]) <= RATE_WINDOW_SECONDS
    refused = await client.post(
        "/api/v1/candidates",
        headers=auth,
        json={"given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.org"},
    )
    assert_problem(refused, 429)
    assert 1 <= int(refused.headers["retry-after"]) <= RATE_WINDOW_SECONDS
    assert refused.headers["ratelimit-remaining"] == "0"
    assert await pool.fetchval("SELECT count(*) FROM candidates") == 0  # nothing was stored
    # once the window has passed, the key works again with a fresh allowance
    await pool.execute("UPDATE api_keys SET rate_window_start = now() - interval '61 seconds'")
    again = await client.get("/api/v1/candidates", headers=auth)
    assert again.status_code == 200
    assert again.headers["ratelimit-remaining"] == str(LIMIT - 1)


async def test_limit_is_per_key_and_shared_by_workers(
    client: AsyncTestClient,
    auth: dict[str, str],
    db_url: str,
    settings: Settings,  # type: ignore[type-arg]
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    # a second app instance on the same database stands in for a second worker process
    async with AsyncTestClient(app=create_app(settings)) as other_worker:
        for worker in (client, other_worker, client):
            assert (await worker.get("/api/v1/candidates", headers=auth)).status_code == 200
        assert_problem(await other_worker.get("/api/v1/candidates", headers=auth), 429)
    async with pool.acquire() as conn:
        fresh = await create_api_key(conn, org_id, "second", ["candidates:read"])
    r = await client.get("/api/v1/candidates", headers={"Authorization": f"Bearer {fresh.secret}"})
    assert r.status_code == 200
    assert r.headers["ratelimit-remaining"] == str(LIMIT - 1)


async def test_unauthenticated_and_candidate_routes_carry_no_rate_headers(
    client: AsyncTestClient,  # type: ignore[type-arg]
) -> None:
    r = await client.get("/api/v1/candidates")
    assert_problem(r, 401)
    assert "ratelimit-limit" not in r.headers
    assert "ratelimit-limit" not in (await client.get("/health")).headers
    candidate_page = await client.get("/take/not-a-real-token-at-all")
    assert candidate_page.status_code == 404
    assert "ratelimit-limit" not in candidate_page.headers


_PRINCIPAL = Principal(uuid.UUID(int=1), uuid.UUID(int=2), frozenset())


@given(
    limit=st.integers(1, 10_000),
    used=st.integers(1, 20_000),
    resets_in=st.floats(-1, RATE_WINDOW_SECONDS + 1),
)
def test_enforcement_rule(limit: int, used: int, resets_in: float) -> None:
    use = KeyUse(_PRINCIPAL, used, resets_in)
    headers = rate_limit_headers(limit, use)
    assert 1 <= int(headers["RateLimit-Reset"]) <= RATE_WINDOW_SECONDS
    if used > limit:
        with pytest.raises(RateLimited) as refused:
            enforce_rate_limit(limit, use)
        assert headers["RateLimit-Remaining"] == "0"
        assert 1 <= refused.value.retry_after <= RATE_WINDOW_SECONDS
    else:
        enforce_rate_limit(limit, use)
        assert int(headers["RateLimit-Remaining"]) == limit - used
