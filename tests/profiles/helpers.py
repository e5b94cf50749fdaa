"""Shared helpers for profile tests: seeding candidates and a renderer that counts."""

from __future__ import annotations

import uuid

import asyncpg

from service.profiles.render import RenderRequest


class CountingRenderer:
    """Stands in for the process pool: returns a small fake PDF and counts renders."""

    def __init__(self) -> None:
        self.calls: list[RenderRequest] = []

    async def render(self, request: RenderRequest) -> bytes:
        """Record the request and return bytes unique to it."""
        self.calls.append(request)
        return b"%PDF-1.7 fake " + request.sha256.encode()


async def seed_candidate(conn: asyncpg.Connection, org_id: uuid.UUID) -> uuid.UUID:
    """Insert a candidate in ``org_id`` and return its id."""
    candidate_id = uuid.uuid4()
    await conn.execute(
        """INSERT INTO candidates (id, organization_id, given_name, family_name, email)
           VALUES ($1, $2, 'Ana María', 'Ruiz', 'ana@example.org')""",
        candidate_id,
        org_id,
    )
    return candidate_id


async def seed_organization(conn: asyncpg.Connection, name: str = "Other Health") -> uuid.UUID:
    """Insert another organization and return its id."""
    org_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, $3)",
        org_id,
        f"org-{org_id.hex[:8]}",
        name,
    )
    return org_id
