"""Fixtures for delivery tests: a candidate, invitations and attempts under way."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.assessments.content import load_content
from service.delivery.catalog import Catalog, catalog_of
from service.delivery.invitations import NewInvitation, create_invitation


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The item bank the app serves, with delivery's lookups."""
    return catalog_of(load_content())


@pytest.fixture
async def candidate_id(pool: asyncpg.Pool, org_id: uuid.UUID) -> uuid.UUID:
    """A registered candidate of ``org_id``."""
    return await add_candidate(pool, org_id)


async def add_candidate(pool: asyncpg.Pool, org_id: uuid.UUID) -> uuid.UUID:
    """Insert one more candidate."""
    cid = uuid.uuid4()
    await pool.execute(
        """INSERT INTO candidates (id, organization_id, given_name, family_name, email)
           VALUES ($1, $2, 'Rosa', 'Parks', 'rosa@example.org')""",
        cid,
        org_id,
    )
    return cid


async def invite(
    pool: asyncpg.Pool, org_id: uuid.UUID, candidate_id: uuid.UUID, catalog: Catalog, **options: Any
) -> str:
    """Create an invitation through the service function; return its token."""
    new = NewInvitation(
        candidate_id=candidate_id, assessments=options.pop("assessments", ["coding"]), **options
    )
    async with pool.acquire() as conn:
        issued = await create_invitation(
            conn, org_id, new, content=catalog.content, base_url="http://test", created_by="test"
        )
    return issued.url.rsplit("/", 1)[-1]


async def begin(client: AsyncTestClient, token: str, assessment: str = "coding") -> str:  # type: ignore[type-arg]
    """Consent, start the assessment and begin its first section; return the item URL."""
    r = await client.post(f"/take/{token}/consent", data={"agree": "yes"}, follow_redirects=False)
    assert r.status_code == 303
    r = await client.post(f"/take/{token}/{assessment}/start", follow_redirects=False)
    assert r.status_code == 303
    r = await client.get(f"/take/{token}/{assessment}", follow_redirects=False)
    section_url = r.headers["location"]
    assert "/section/" in section_url
    r = await client.post(section_url + "/begin", follow_redirects=False)
    assert r.status_code == 303
    return str(r.headers["location"])


@pytest.fixture
async def token(
    pool: asyncpg.Pool, org_id: uuid.UUID, candidate_id: uuid.UUID, catalog: Catalog
) -> str:
    """A fresh invitation to the coding assessment."""
    return await invite(pool, org_id, candidate_id, catalog)


def tampered(token: str) -> str:
    """The token with its last character changed, so it is always a different token."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


async def attempt_row(pool: asyncpg.Pool, token: str, assessment: str = "coding") -> Any:
    """The attempt behind a token."""
    from service.delivery.tokens import token_digest  # noqa: PLC0415

    return await pool.fetchrow(
        """SELECT t.* FROM attempts t JOIN invitations i ON i.id = t.invitation_id
           WHERE i.token_sha256 = $1 AND t.assessment_id = $2""",
        token_digest(token),
        assessment,
    )
