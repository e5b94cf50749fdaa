"""Invitations: the API, hashed tokens, expiry, tampering, balanced forms, the CLI."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import uuid
from collections import Counter

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from service.auth.api_keys import create_api_key
from service.delivery.attempts import choose_form
from service.delivery.catalog import Catalog
from tests.delivery.conftest import add_candidate, attempt_row, begin, invite, tampered


async def test_api_creates_invitation_and_stores_only_a_hash(
    client: AsyncTestClient,
    auth: dict[str, str],
    candidate_id: uuid.UUID,  # type: ignore[type-arg]
    pool: asyncpg.Pool,
) -> None:
    r = await client.post(
        "/api/v1/invitations",
        headers=auth,
        json={
            "candidate_id": str(candidate_id),
            "assessments": ["coding", "privacy", "coding"],
            "time_multiplier": 1.5,
            "expires_in_days": 3,
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    token = body["url"].rsplit("/take/", 1)[1]
    assert len(token) == 32  # 24 random bytes = 192 bits, URL-safe
    assert body["assessments"] == ["coding", "privacy"]
    assert body["time_multiplier"] == 1.5
    row = await pool.fetchrow("SELECT * FROM invitations WHERE id = $1", uuid.UUID(body["id"]))
    assert row["token_sha256"] == hashlib.sha256(token.encode()).digest()
    assert token not in " ".join(str(v) for v in row.values())
    page = await client.get(f"/take/{token}")
    assert page.status_code == 200 and "Rosa" in page.text


async def test_api_invites_to_a_package_by_name(
    client: AsyncTestClient,
    auth: dict[str, str],
    candidate_id: uuid.UUID,  # type: ignore[type-arg]
    pool: asyncpg.Pool,
) -> None:
    r = await client.post(
        "/api/v1/invitations",
        headers=auth,
        json={"candidate_id": str(candidate_id), "package": "clerk"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    clerk = ["records_operations", "privacy", "communication", "scenarios", "coding_basics"]
    assert body["package"] == "clerk" and body["assessments"] == clerk
    stored = await pool.fetchrow(
        "SELECT assessments, package FROM invitations WHERE id = $1", uuid.UUID(body["id"])
    )
    assert (stored["assessments"], stored["package"]) == (clerk, "clerk")
    page = await client.get(body["url"].split("127.0.0.1:8000", 1)[-1])
    assert page.status_code == 200
    assert "Records operations" in page.text and "Coding basics (clerk level)" in page.text
    track = await client.post(
        "/api/v1/invitations",
        headers=auth,
        json={"candidate_id": str(candidate_id), "package": "coding_track"},
    )
    assert track.json()["assessments"] == ["coding_basics", "coding"]


async def test_api_refuses_bad_requests(
    client: AsyncTestClient,
    auth: dict[str, str],
    candidate_id: uuid.UUID,  # type: ignore[type-arg]
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    url = "/api/v1/invitations"
    cases = [
        ({"candidate_id": str(candidate_id), "assessments": ["juggling"]}, 422, "juggling"),
        ({"candidate_id": str(uuid.uuid4()), "assessments": ["coding"]}, 404, "candidate"),
        (
            {
                "candidate_id": str(candidate_id),
                "assessments": ["coding"],
                "untimed": True,
                "time_multiplier": 2,
            },
            422,
            "either",
        ),
        ({"candidate_id": str(candidate_id), "assessments": []}, 400, "assessments"),
        (
            {"candidate_id": str(candidate_id), "assessments": ["coding"], "time_multiplier": 9},
            400,
            "time_multiplier",
        ),
        ({"candidate_id": str(candidate_id), "package": "juggling"}, 422, "Unknown package"),
        (
            {"candidate_id": str(candidate_id), "package": "clerk", "assessments": ["coding"]},
            422,
            "not both",
        ),
        ({"candidate_id": str(candidate_id)}, 422, "Name either assessments or a package"),
    ]
    for body, status, words in cases:
        r = await client.post(url, headers=auth, json=body)
        assert r.status_code == status, (body, r.text)
        assert words in r.text
    async with pool.acquire() as conn:
        reader = await create_api_key(conn, org_id, "reader", ["candidates:read"])
    r = await client.post(
        url,
        headers={"Authorization": f"Bearer {reader.secret}"},
        json={"candidate_id": str(candidate_id), "assessments": ["coding"]},
    )
    assert r.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM invitations") == 0


async def test_tampered_and_expired_links_get_clear_pages(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
) -> None:
    for bad in (token[:-2], tampered(token), "not-a-token"):
        r = await client.get(f"/take/{bad}")
        assert r.status_code == 404
        assert "This link is not valid" in r.text and "<html" in r.text
    await pool.execute(
        "UPDATE invitations SET created_at = now() - interval '20 days', "
        "expires_at = now() - interval '1 day'"
    )
    r = await client.get(f"/take/{token}")
    assert r.status_code == 410 and "has expired" in r.text
    r = await client.post(f"/take/{token}/consent", data={"agree": "yes"})
    assert r.status_code == 410


async def test_forms_are_balanced_and_repeat_candidates_get_the_other_form(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    catalog: Catalog,  # type: ignore[type-arg]
) -> None:
    forms = []
    first_candidate = None
    for _ in range(6):
        cid = await add_candidate(pool, org_id)
        first_candidate = first_candidate or cid
        token = await invite(pool, org_id, cid, catalog)
        await begin(client, token)
        forms.append((await attempt_row(pool, token))["form_id"])
    assert Counter(forms) == {"coding-a": 3, "coding-b": 3}
    again = await invite(pool, org_id, first_candidate, catalog)
    await begin(client, again)
    assert (await attempt_row(pool, again))["form_id"] != forms[0]


@given(st.lists(st.sampled_from(["x-a", "x-b", "x-c"]), max_size=20))
def test_choose_form_keeps_counts_within_one(history: list[str]) -> None:
    counts = Counter(history)
    for _ in range(12):
        chosen = choose_form(["x-a", "x-b", "x-c"], counts, {})
        assert counts[chosen] == min(counts[f] for f in ("x-a", "x-b", "x-c"))
        counts[chosen] += 1


@pytest.mark.slow
async def test_cli_invite_and_sweep(db_url: str, org_id: uuid.UUID, pool: asyncpg.Pool) -> None:
    slug = await pool.fetchval("SELECT slug FROM organizations WHERE id = $1", org_id)
    env = {**os.environ, "DATABASE_URL": db_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service.cli",
        "invite",
        "--org",
        slug,
        "--email",
        "a@b.org",
        "--name",
        "Ana Ruiz",
        "--assessments",
        "coding,privacy",
        "--untimed",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    link = out.decode().strip()
    assert "/take/" in link
    row = await pool.fetchrow("SELECT assessments, untimed FROM invitations")
    assert row["assessments"] == ["coding", "privacy"] and row["untimed"] is True
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service.cli",
        "sweep",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert "finalized 0 expired attempt(s)" in out.decode()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service.cli",
        "invite",
        "--org",
        slug,
        "--email",
        "c@d.org",
        "--package",
        "coding_track",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    packaged = await pool.fetchval(
        "SELECT assessments FROM invitations WHERE NOT untimed ORDER BY created_at DESC LIMIT 1"
    )
    assert packaged == ["coding_basics", "coding"]
