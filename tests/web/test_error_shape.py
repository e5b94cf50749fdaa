"""Pins the RFC 9457 problem-details shape for every error status the API produces."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import get
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.auth.api_keys import create_api_key
from service.ground.settings import Settings

URL = "/api/v1/candidates"
GOOD = {"given_name": "Ana", "family_name": "Ruiz", "email": "ana@example.org"}


def assert_problem(r: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The response is problem+json with the standard members and, if given, the field."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["instance"] == r.request.url.path
    if field is not None:
        assert any(field in e["field"] for e in body["errors"]), body
        assert field in body["detail"] or field in str(body["errors"])
    return body


async def test_400_malformed_json(client: AsyncTestClient, auth: dict[str, str]) -> None:  # type: ignore[type-arg]
    headers = {**auth, "content-type": "application/json"}
    r = await client.post(URL, content=b"{not json", headers=headers)
    body = assert_problem(r, 400)
    assert "JSON" in body["detail"]


async def test_400_wrong_type_names_field(client: AsyncTestClient, auth: dict[str, str]) -> None:  # type: ignore[type-arg]
    r = await client.post(URL, json={**GOOD, "given_name": 7}, headers=auth)
    assert_problem(r, 400, "given_name")


async def test_400_unknown_field_named(client: AsyncTestClient, auth: dict[str, str]) -> None:  # type: ignore[type-arg]
    r = await client.post(URL, json={**GOOD, "salary": 1}, headers=auth)
    assert_problem(r, 400, "salary")


async def test_401_without_key(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    assert_problem(await client.get(URL), 401)
    r = await client.get(URL, headers={"Authorization": "Bearer crk_nope_nope"})
    assert_problem(r, 401)


async def test_403_key_without_scope(
    client: AsyncTestClient, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:  # type: ignore[type-arg]
    async with pool.acquire() as conn:
        key = await create_api_key(conn, org_id, "read only", ["candidates:read"])
    r = await client.post(URL, json=GOOD, headers={"Authorization": f"Bearer {key.secret}"})
    body = assert_problem(r, 403)
    assert "candidates:write" in body["detail"]


async def test_404_unknown_candidate(client: AsyncTestClient, auth: dict[str, str]) -> None:  # type: ignore[type-arg]
    r = await client.get(f"{URL}/{uuid.uuid4()}", headers=auth)
    assert_problem(r, 404, "candidate_id")


async def test_409_duplicate_external_id(client: AsyncTestClient, auth: dict[str, str]) -> None:  # type: ignore[type-arg]
    first = await client.post(URL, json={**GOOD, "external_id": "GH-1"}, headers=auth)
    assert first.status_code == 201
    r = await client.post(URL, json={**GOOD, "external_id": "GH-1"}, headers=auth)
    assert_problem(r, 409, "external_id")


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=99999999999999999999999", "updated_since=yesterday"]
)
async def test_out_of_range_query_is_400(
    client: AsyncTestClient, auth: dict[str, str], query: str
) -> None:  # type: ignore[type-arg]
    r = await client.get(f"{URL}?{query}", headers=auth)
    assert_problem(r, 400, query.split("=", maxsplit=1)[0])


async def test_422_database_rejection(
    client: AsyncTestClient, auth: dict[str, str], pool: asyncpg.Pool
) -> None:  # type: ignore[type-arg]
    # The database's CHECKs are the last line of defence: a value the request schema lets
    # through but a constraint forbids (added here for the test) must become 422, not 500.
    await pool.execute("ALTER TABLE candidates ADD CONSTRAINT no_zed CHECK (given_name <> 'Zed')")
    r = await client.post(URL, json={**GOOD, "given_name": "Zed"}, headers=auth)
    assert_problem(r, 422)


@get("/test-only/oserror", include_in_schema=False)
async def missing_file() -> str:
    """A bug that raises an OSError unrelated to the database."""
    return Path("/nonexistent/chartready/file").read_text()  # noqa: ASYNC240 - the bug


async def test_only_database_connection_errors_mean_503(settings: Settings) -> None:
    """A FileNotFoundError of our own is a bug (500), not "the database is down" (503)."""
    app = create_app(settings)
    app.register(missing_file)
    async with AsyncTestClient(app=app) as c:
        body = assert_problem(await c.get("/test-only/oserror"), 500)
    assert "retry" not in body["detail"].lower()


async def test_sign_in_throttle_answers_429_with_retry_after(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    slug = await pool.fetchval("SELECT slug FROM organizations WHERE id = $1", org_id)
    bad = {"organization": slug, "email": "nobody@example.org", "password": "wrong password"}
    statuses = [(await client.post("/staff/session", json=bad)).status_code for _ in range(8)]
    assert 429 in statuses
    limited = await client.post("/staff/session", json=bad)
    assert_problem(limited, 429)
    assert int(limited.headers["retry-after"]) > 0
