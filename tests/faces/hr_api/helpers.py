"""HR API test helpers: keys with chosen scopes, candidates and invitations through the API,
a candidate taking an assessment through the candidate endpoints, results seeded fast."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from service.assessments.content import load_content
from service.auth.api_keys import create_api_key
from service.readiness.predict import BandThresholds
from service.results.rescoring import rescore_attempt
from tests.delivery.conftest import begin
from tests.results.factories import finished_attempt

Client = AsyncTestClient  # type: ignore[type-arg]


async def key_with(pool: asyncpg.Pool, org_id: uuid.UUID, *scopes: str) -> dict[str, str]:
    """Bearer headers for a new key of ``org_id`` with ``scopes``."""
    async with pool.acquire() as conn:
        issued = await create_api_key(conn, org_id, "scoped", list(scopes))
    return {"Authorization": f"Bearer {issued.secret}"}


async def new_candidate(client: Client, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    """Register a candidate through the API."""
    body = {"given_name": "Rosa", "family_name": "Parks", "email": "rosa@example.org", **fields}
    r = await client.post("/api/v1/candidates", json=body, headers=auth)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def new_invitation(
    client: Client, auth: dict[str, str], candidate_id: str, **fields: Any
) -> dict[str, Any]:
    """Invite through the API; the response (with the one-time url)."""
    body = {"candidate_id": candidate_id, "assessments": ["coding"], **fields}
    r = await client.post("/api/v1/invitations", json=body, headers=auth)
    assert r.status_code == 201, r.text
    return dict(r.json())


def token_of(issued: dict[str, Any]) -> str:
    """The token in an invitation's url."""
    return str(issued["url"]).rsplit("/", 1)[-1]


async def take(client: Client, token: str, assessment: str = "coding") -> None:
    """Consent, start, answer the first item and submit, as the candidate's browser does."""
    await begin(client, token, assessment)
    r = await client.post(f"/take/{token}/{assessment}/submit", follow_redirects=False)
    assert r.status_code == 303, r.text


REPLY = (
    "Dear Ms. Rivera, we received your request for a copy of your records. We will send "
    "them within 30 days. Please bring photo ID."
)


async def scored_results(pool: asyncpg.Pool, org_id: uuid.UUID, n: int) -> list[uuid.UUID]:
    """``n`` scored, published results (communication attempts), fast: straight to the
    database, then scored by the real rescoring path (which publishes)."""
    content = load_content()
    out = []
    for _ in range(n):
        attempt = await finished_attempt(
            pool, org_id, "communication-a", {"COM-A-14": REPLY, "COM-A-01": "a"}, content
        )
        async with pool.acquire() as conn:
            await rescore_attempt(
                conn,
                org_id,
                attempt,
                content,
                reason="submitted",
                actor="test",
                thresholds=BandThresholds(),
            )
        out.append(attempt)
    return out


async def rescore(pool: asyncpg.Pool, org_id: uuid.UUID, attempt: uuid.UUID) -> None:
    """A new scoring run (and result version) for ``attempt``."""
    async with pool.acquire() as conn:
        await rescore_attempt(
            conn,
            org_id,
            attempt,
            load_content(),
            reason="rescore",
            actor="test",
            thresholds=BandThresholds(),
        )
