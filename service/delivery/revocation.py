"""Revoking (cancelling) an invitation and re-issuing its link.

Revoking: from then on the link shows nothing (every page and endpoint answers as for an
unknown link, autosaves are refused), whatever its expiry; revoking twice keeps the first
time. Re-issuing: a new token replaces the old one, so the old link stops working at once;
the candidate's attempts and progress stay with the invitation.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import asyncpg
import msgspec

from service.delivery.emails import forget_links, queue_email
from service.delivery.invitations import IssuedInvitation, MailPolicy, invitation_url
from service.delivery.tokens import mint_token, token_digest
from service.ground.errors import Conflict, NotFound
from service.tenancy import audit


class RevokedInvitation(msgspec.Struct, frozen=True, kw_only=True):
    """An invitation after revocation."""

    id: uuid.UUID
    candidate_id: uuid.UUID
    revoked_at: dt.datetime


async def revoke_invitation(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    invitation_id: uuid.UUID,
    *,
    actor: str,
) -> RevokedInvitation:
    """Set ``invitations.revoked_at`` (once), forget the stored link, audit it; NotFound
    outside the organization."""
    async with conn.transaction():
        row = await conn.fetchrow(
            """UPDATE invitations SET revoked_at = coalesce(revoked_at, now())
               WHERE organization_id = $1 AND id = $2
               RETURNING id, candidate_id, revoked_at""",
            organization_id,
            invitation_id,
        )
        if row is None:
            raise NotFound(f"No invitation {invitation_id}", field="invitation_id")
        await forget_links(conn, organization_id, invitation_id)
        await audit.record(
            conn,
            organization_id,
            actor=actor,
            action="invitation.revoke",
            subject_kind="candidate",
            subject_id=row["candidate_id"],
        )
    return RevokedInvitation(**dict(row))


class Reissue(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new link for a live invitation; optionally a later expiry and no e-mail."""

    expires_in_days: Annotated[int, msgspec.Meta(ge=1, le=90)] | None = None
    """Days from now; the expiry never moves earlier. Omit to keep it."""
    send_email: bool = True


async def reissue_invitation(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    invitation_id: uuid.UUID,
    request: Reissue,
    *,
    base_url: str,
    actor: str,
    mail: MailPolicy | None,
) -> IssuedInvitation:
    """Replace the invitation's token (the old link dies at once) and return the new link
    (shown once); e-mail it when asked. Conflict for cancelled or completed invitations."""
    token = mint_token()
    digest = token_digest(token)
    assert digest is not None
    async with conn.transaction():
        state = await conn.fetchrow(
            """SELECT revoked_at, completed_at FROM invitations
               WHERE organization_id = $1 AND id = $2 FOR UPDATE""",
            organization_id,
            invitation_id,
        )
        if state is None:
            raise NotFound(f"No invitation {invitation_id}", field="invitation_id")
        if state["revoked_at"] is not None:
            raise Conflict("This invitation was cancelled; create a new one", field="invitation_id")
        if state["completed_at"] is not None:
            raise Conflict(
                "This invitation is completed; its link is no longer needed", field="invitation_id"
            )
        row = await conn.fetchrow(
            """UPDATE invitations SET token_sha256 = $3, reissued_at = now(),
                   reminded_at = NULL,
                   expires_at = CASE WHEN $4::int IS NULL THEN expires_at
                                     ELSE greatest(expires_at, now() + make_interval(days => $4))
                                END
               WHERE organization_id = $1 AND id = $2
               RETURNING id, candidate_id, assessments, package, expires_at, created_at,
                         time_multiplier::float8 AS time_multiplier, untimed, callback_url""",
            organization_id,
            invitation_id,
            digest,
            request.expires_in_days,
        )
        await forget_links(conn, organization_id, invitation_id)
        url = invitation_url(base_url, token)
        email = None
        if mail is not None and request.send_email:
            await queue_email(
                conn, organization_id, invitation_id, "invitation", link=url, smtp=mail.smtp
            )
            email = "queued" if mail.smtp else "outbox"
        await audit.record(
            conn,
            organization_id,
            actor=actor,
            action="invitation.reissue",
            subject_kind="candidate",
            subject_id=row["candidate_id"],
        )
    return IssuedInvitation(
        id=row["id"],
        candidate_id=row["candidate_id"],
        url=url,
        assessments=list(row["assessments"]),
        package=row["package"],
        expires_at=row["expires_at"],
        time_multiplier=row["time_multiplier"],
        untimed=row["untimed"],
        created_at=row["created_at"],
        callback_url=row["callback_url"],
        email=email,
    )
