"""Expiring links to a candidate's employer profile, for recruiters who reach ChartReady
through their ATS (Greenhouse's ``partner_profile_url``): a random token in the link, only
its SHA-256 stored, valid for ``LINK_DAYS``."""

from __future__ import annotations

import hashlib
import secrets
import uuid

import asyncpg

from service.ground.errors import Gone, NotFound

LINK_DAYS = 90


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def create_profile_link(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    candidate_id: uuid.UUID,
    *,
    days: int = LINK_DAYS,
) -> str:
    """A new token for the candidate's employer profile (returned, never stored)."""
    token = secrets.token_urlsafe(32)
    await conn.execute(
        """INSERT INTO profile_links (token_sha256, organization_id, candidate_id, expires_at)
           VALUES ($1, $2, $3, now() + make_interval(days => $4))""",
        _digest(token),
        organization_id,
        candidate_id,
        days,
    )
    return token


async def resolve_profile_link(conn: asyncpg.Connection, token: str) -> tuple[uuid.UUID, uuid.UUID]:
    """(organization, candidate) of a live link; NotFound for unknown tokens, Gone once
    expired."""
    if not 20 <= len(token) <= 100:
        raise NotFound("This profile link is not valid", field="token")
    row = await conn.fetchrow(
        """SELECT organization_id, candidate_id, expires_at <= now() AS expired
           FROM profile_links WHERE token_sha256 = $1""",
        _digest(token),
    )
    if row is None:
        raise NotFound("This profile link is not valid", field="token")
    if row["expired"]:
        raise Gone(
            "This profile link has expired; open the candidate in your ATS again for a fresh one",
            field="token",
        )
    return row["organization_id"], row["candidate_id"]
