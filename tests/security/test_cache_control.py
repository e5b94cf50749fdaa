"""Finding 13: HR API and staff responses carry personal data and say `Cache-Control:
no-store`, so no browser or shared cache keeps a copy."""

from __future__ import annotations

import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from tests.results.factories import staff_headers


async def test_hr_api_and_staff_responses_are_not_stored(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
    auth: dict[str, str],
) -> None:
    created = await client.post(
        "/api/v1/candidates",
        headers=auth,
        json={"given_name": "Ana", "family_name": "Ruiz", "email": "ana@example.org"},
    )
    assert created.status_code == 201
    candidate = created.json()["id"]
    for r in (
        created,
        await client.get("/api/v1/candidates", headers=auth),
        await client.get(f"/api/v1/candidates/{candidate}", headers=auth),
    ):
        assert r.headers["cache-control"] == "no-store", r.request.url
        assert "ana@example.org" in r.text
    await staff_headers(client, pool, org_id, "coordinator", "co@example.org")
    me = await client.get("/staff/session")
    assert me.status_code == 200 and me.headers["cache-control"] == "no-store"
