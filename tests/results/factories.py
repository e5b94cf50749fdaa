"""Test data: finished attempts and staff users, written straight to the database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from litestar.testing import AsyncTestClient

from service.assessments.bank import ContentVersion
from service.assessments.content import load_content
from service.auth.staff import hash_password
from service.results.store import ensure_content_version

PASSWORD = "correct horse battery staple"


async def make_user(pool: asyncpg.Pool, org_id: uuid.UUID, role: str, email: str) -> uuid.UUID:
    """A staff user with PASSWORD."""
    uid = uuid.uuid4()
    await pool.execute(
        """INSERT INTO users (id, organization_id, email, display_name, role, password_hash)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        uid,
        org_id,
        email,
        email.split("@", maxsplit=1)[0],
        role,
        hash_password(PASSWORD),
    )
    return uid


async def finished_attempt(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    form_id: str,
    answers: dict[str, object],
    content: ContentVersion | None = None,
) -> uuid.UUID:
    """A submitted attempt on ``form_id`` with ``answers`` stored as responses."""
    content = content or load_content()
    candidate, invitation, attempt = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        await ensure_content_version(conn, content)
        await conn.execute(
            """INSERT INTO candidates (id, organization_id, given_name, family_name, email)
               VALUES ($1, $2, 'Test', 'Candidate', 'tc@example.org')""",
            candidate,
            org_id,
        )
        await conn.execute(
            """INSERT INTO invitations (id, organization_id, candidate_id, token_sha256,
                   assessments, expires_at, created_by)
               VALUES ($1, $2, $3, $4, $5, $6, 'test')""",
            invitation,
            org_id,
            candidate,
            uuid.uuid4().bytes * 2,
            [content.forms[form_id].assessment],
            now + timedelta(days=7),
        )
        await conn.execute(
            """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id,
                   assessment_id, form_id, content_version, status, submitted_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'submitted', now())""",
            attempt,
            org_id,
            candidate,
            invitation,
            content.forms[form_id].assessment,
            form_id,
            content.version_id,
        )
        await conn.executemany(
            """INSERT INTO responses (organization_id, attempt_id, item_id, answer, client_seq)
               VALUES ($1, $2, $3, $4, 1)""",
            [(org_id, attempt, item_id, answer) for item_id, answer in answers.items()],
        )
    return attempt


async def org_slug(pool: asyncpg.Pool, org_id: uuid.UUID) -> str:
    """The organization's slug (staff sign in with it)."""
    slug: str = await pool.fetchval("SELECT slug FROM organizations WHERE id = $1", org_id)
    return slug


async def sign_in(client: AsyncTestClient, slug: str, email: str) -> dict[str, str]:  # type: ignore[type-arg]
    """Sign ``email`` in (the client keeps the HttpOnly cookie); return the CSRF header."""
    r = await client.post(
        "/staff/session", json={"organization": slug, "email": email, "password": PASSWORD}
    )
    assert r.status_code == 201, r.text
    assert "httponly" in r.headers["set-cookie"].lower()
    return {"X-CSRF-Token": r.json()["csrf_token"]}


async def staff_headers(
    client: AsyncTestClient,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
    org_id: uuid.UUID,
    role: str,
    email: str,
) -> dict[str, str]:
    """A new staff user with ``role``, signed in; the CSRF header for their writes."""
    await make_user(pool, org_id, role, email)
    return await sign_in(client, await org_slug(pool, org_id), email)
