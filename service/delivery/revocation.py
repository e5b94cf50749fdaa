"""Revoking an invitation link: from then on the link shows nothing (404 on every page and
endpoint, autosaves refused), whatever its expiry. Revoking twice keeps the first time."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

from service.ground.errors import NotFound
from service.tenancy import audit


class RevokedInvitation(msgspec.Struct, frozen=True, kw_only=True):
    """An invitation after revocation."""

    id: uuid.UUID
    candidate_id: uuid.UUID
    revoked_at: dt.datetime


async def revoke_invitation(
    conn: asyncpg.Connection, organization_id: uuid.UUID, invitation_id: uuid.UUID, *,
    actor: str,
) -> RevokedInvitation:
    """Set ``invitations.revoked_at`` (once) and audit it; NotFound outside the
    organization."""
    row = await conn.fetchrow(
        """UPDATE invitations SET revoked_at = coalesce(revoked_at, now())
           WHERE organization_id = $1 AND id = $2
           RETURNING id, candidate_id, revoked_at""",
        organization_id, invitation_id,
    )
    if row is None:
        raise NotFound(f"No invitation {invitation_id}", field="invitation_id")
    await audit.record(conn, organization_id, actor=actor, action="invitation.revoke",
                       subject_kind="candidate", subject_id=row["candidate_id"])
    return RevokedInvitation(**dict(row))
