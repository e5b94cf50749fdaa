"""Demo data for newcomers: one organization, an admin, an API key."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec
from argon2 import PasswordHasher

from service.auth.api_keys import SCOPES, create_api_key

DEMO_SLUG = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.chartready.example"
DEMO_ADMIN_PASSWORD = "demo-password-change-me"  # noqa: S105 - printed for newcomers on purpose


class DemoCredentials(msgspec.Struct, frozen=True):
    """What `chartready demo` prints."""

    organization_id: uuid.UUID
    admin_email: str
    admin_password: str
    api_key: str


async def seed_demo(conn: asyncpg.Connection) -> DemoCredentials:
    """Create (or reuse) the demo organization and admin; mint a fresh demo API key."""
    async with conn.transaction():
        org_id = await conn.fetchval(
            """INSERT INTO organizations (id, slug, name) VALUES ($1, $2, $3)
               ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name RETURNING id""",
            uuid.uuid4(), DEMO_SLUG, "Demo Health System",
        )
        await conn.execute(
            """INSERT INTO users (id, organization_id, email, display_name, role, password_hash)
               VALUES ($1, $2, $3, $4, 'admin', $5)
               ON CONFLICT (organization_id, email) DO NOTHING""",
            uuid.uuid4(), org_id, DEMO_ADMIN_EMAIL, "Demo Admin",
            PasswordHasher().hash(DEMO_ADMIN_PASSWORD),
        )
        key = await create_api_key(conn, org_id, "demo key", sorted(SCOPES))
    return DemoCredentials(org_id, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, key.secret)
