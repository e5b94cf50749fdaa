"""Idempotency-Key on POST: replays, mismatches, expiry, and responses that are not kept."""

from __future__ import annotations

import uuid

import asyncpg

from tests.faces.hr_api.helpers import Client
from tests.web.test_error_shape import assert_problem

BODY = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "email": "ada@example.org",
    "external_id": "ats-1",
}


async def test_a_retry_replays_the_first_response(
    client: Client, auth: dict[str, str], pool: asyncpg.Pool
) -> None:
    key = {**auth, "Idempotency-Key": "create-ada-1"}
    first = await client.post("/api/v1/candidates", json=BODY, headers=key)
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    # same body with keys in another order: the same request
    again = await client.post("/api/v1/candidates", json=dict(reversed(BODY.items())), headers=key)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert await pool.fetchval("SELECT count(*) FROM candidates") == 1

    other = await client.post(
        "/api/v1/candidates", json={**BODY, "email": "x@example.org"}, headers=key
    )
    assert_problem(other, 422, "Idempotency-Key")
    # without a key the same request is a new one: here a duplicate external_id, 409
    dup = await client.post("/api/v1/candidates", json=BODY, headers=auth)
    assert_problem(dup, 409)
    assert dup.json()["existing_id"] == first.json()["id"]


async def test_errors_are_replayed_but_auth_failures_are_not(
    client: Client,
    auth: dict[str, str],
    pool: asyncpg.Pool,
) -> None:
    key = {**auth, "Idempotency-Key": "bad-invite"}
    body = {"candidate_id": str(uuid.uuid4()), "assessments": ["coding"]}
    first = await client.post("/api/v1/invitations", json=body, headers=key)
    assert_problem(first, 404)
    again = await client.post("/api/v1/invitations", json=body, headers=key)
    assert again.status_code == 404 and again.headers["idempotent-replayed"] == "true"
    stranger = {"Authorization": "Bearer crk_nope", "Idempotency-Key": "k"}
    assert_problem(await client.post("/api/v1/candidates", json=BODY, headers=stranger), 401)
    assert await pool.fetchval("SELECT count(*) FROM idempotency_keys") == 1


async def test_keys_expire_after_24_hours(
    client: Client, auth: dict[str, str], pool: asyncpg.Pool
) -> None:
    key = {**auth, "Idempotency-Key": "expiring"}
    first = await client.post("/api/v1/candidates", json=BODY, headers=key)
    assert first.status_code == 201
    expires = await pool.fetchval("SELECT expires_at - created_at FROM idempotency_keys")
    assert expires.total_seconds() == 24 * 3600
    await pool.execute("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")
    # expired: the key is free again, so the request runs (and meets the duplicate)
    second = await client.post(
        "/api/v1/candidates", json={**BODY, "email": "n@example.org"}, headers=key
    )
    assert_problem(second, 409)
    assert "idempotent-replayed" not in second.headers


async def test_malformed_keys_are_refused(client: Client, auth: dict[str, str]) -> None:
    r = await client.post(
        "/api/v1/candidates", json=BODY, headers={**auth, "Idempotency-Key": "x" * 256}
    )
    assert_problem(r, 422, "Idempotency-Key")
