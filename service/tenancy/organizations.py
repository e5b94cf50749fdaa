"""Organizations: the tenants. Every tenant-owned row carries an organization's id."""

from __future__ import annotations

import re
import uuid

import asyncpg

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
"""What the database's CHECK accepts: lower-case letters, digits and hyphens, 2-63 long."""


async def create_organization(conn: asyncpg.Connection, slug: str, name: str) -> uuid.UUID:
    """Store a new organization; ValueError for a malformed slug or name."""
    if not SLUG.match(slug):
        raise ValueError(
            "the slug must be 2-63 lower-case letters, digits or hyphens, "
            "starting with a letter or digit"
        )
    if not 1 <= len(name.strip()) <= 200:
        raise ValueError("the name must have 1-200 characters")
    org_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, $3)", org_id, slug, name.strip()
    )
    return org_id


async def organization_id(conn: asyncpg.Connection, slug: str) -> uuid.UUID | None:
    """The id of the organization with this slug, if any."""
    found: uuid.UUID | None = await conn.fetchval(
        "SELECT id FROM organizations WHERE slug = $1", slug
    )
    return found
