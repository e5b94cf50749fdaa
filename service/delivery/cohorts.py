"""A cohort's invitations: who is invited to what, in which status, and inviting the whole
cohort or a selection in one go. Links are made by ``create_invitation`` and replaced or
cancelled by ``service.delivery.revocation`` (one path for every face); the status comes
from ``invitation_views.STATUS_SQL`` (one rule)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import asyncpg
import msgspec
from msgspec import Meta

from service.assessments.bank import ContentVersion
from service.delivery.invitation_views import STATUS_SQL
from service.delivery.invitations import MailPolicy, NewInvitation, create_invitation
from service.delivery.revocation import (
    Reissue,
    RevokedInvitation,
    reissue_invitation,
    revoke_invitation,
)
from service.ground.errors import InvalidInput, NotFound
from service.tenancy import audit
from service.tenancy.cohorts import get_cohort

LIVE = ("sent", "started")
"""Statuses whose link still works: such members are not invited a second time."""
MAX_SHOWN = 300
"""Members listed on one page (the CSV export has all of them)."""


class Member(msgspec.Struct, frozen=True, kw_only=True):
    """A cohort member and their latest invitation of this cohort (None: not invited)."""

    candidate_id: uuid.UUID
    given_name: str
    family_name: str
    email: str
    external_id: str | None
    added_at: dt.datetime
    invitation_id: uuid.UUID | None
    status: str | None
    """sent, started, completed, expired or cancelled (``STATUS_SQL``)."""
    package: str | None
    assessments: list[str]
    finished: int
    """Assessments of the invitation the candidate has finished."""
    invited_at: dt.datetime | None
    expires_at: dt.datetime | None
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    time_multiplier: float | None
    untimed: bool


class StatusCounts(msgspec.Struct, frozen=True, kw_only=True):
    """Members by the status of their latest invitation in the cohort."""

    not_invited: int = 0
    sent: int = 0
    started: int = 0
    completed: int = 0
    expired: int = 0
    cancelled: int = 0


class CohortInvite(msgspec.Struct, frozen=True, kw_only=True):
    """How to invite: a package, days until the links expire, and accommodations."""

    package: str
    expires_in_days: Annotated[int, Meta(ge=1, le=90)] = 14
    time_multiplier: Annotated[float, Meta(ge=1.0, le=4.0)] | None = None
    untimed: bool = False
    send_email: bool = True


class IssuedLink(msgspec.Struct, frozen=True, kw_only=True):
    """A new link for one member: the URL holds the token and exists only in this answer."""

    candidate_id: uuid.UUID
    name: str
    email: str
    invitation_id: uuid.UUID
    url: str
    expires_at: dt.datetime
    email_state: str | None


class Invited(msgspec.Struct, frozen=True, kw_only=True):
    """What inviting did: the new links, and members passed over (their link still works)."""

    issued: list[IssuedLink]
    skipped: list[str]


_MEMBERS = f"""
SELECT c.id AS candidate_id, c.given_name, c.family_name, c.email, c.external_id, m.added_at,
       i.id AS invitation_id, i.status, i.package, coalesce(i.assessments, '{{}}') AS assessments,
       coalesce(i.finished, 0) AS finished, i.created_at AS invited_at, i.expires_at,
       i.started_at, i.completed_at, i.time_multiplier, coalesce(i.untimed, false) AS untimed
FROM cohort_members m
JOIN candidates c ON c.organization_id = m.organization_id AND c.id = m.candidate_id
LEFT JOIN LATERAL (
    SELECT i.id, {STATUS_SQL} AS status, i.package, i.assessments, i.created_at, i.expires_at,
           coalesce(i.started_at, i.consented_at) AS started_at, i.completed_at,
           i.time_multiplier::float8 AS time_multiplier, i.untimed,
           (SELECT count(*) FROM attempts t  -- i is this organization's: t is too
            WHERE t.invitation_id = i.id AND t.status <> 'in_progress') AS finished
    FROM invitations i
    WHERE i.organization_id = m.organization_id AND i.candidate_id = m.candidate_id
      AND i.cohort_id = m.cohort_id
    ORDER BY i.created_at DESC, i.id DESC LIMIT 1
) i ON true
WHERE m.organization_id = $1 AND m.cohort_id = $2
"""  # noqa: S608 - constant SQL


MEMBER_STATUSES = ("not_invited", "sent", "started", "completed", "expired", "cancelled")
"""A member's status: their latest invitation's, or ``not_invited``."""


async def cohort_members(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    cohort_id: uuid.UUID,
    *,
    limit: int | None = MAX_SHOWN,
    offset: int = 0,
    status: str | None = None,
) -> list[Member]:
    """Members by family name, each with their latest invitation of this cohort; only
    those in ``status`` (one of MEMBER_STATUSES) when given; ``limit`` None: all of them."""
    rows = await conn.fetch(
        f"""SELECT * FROM ({_MEMBERS}) s
            WHERE ($4::text IS NULL OR coalesce(s.status, 'not_invited') = $4)
            ORDER BY lower(s.family_name), lower(s.given_name), s.candidate_id
            LIMIT $3 OFFSET $5""",  # noqa: S608 - constant SQL
        organization_id,
        cohort_id,
        limit,
        status,
        offset,
    )
    return [Member(**dict(r)) for r in rows]


async def status_counts(
    conn: asyncpg.Connection, organization_id: uuid.UUID, cohort_id: uuid.UUID
) -> StatusCounts:
    """How many members stand in each status (all members, not only those listed)."""
    rows = await conn.fetch(
        f"SELECT coalesce(status, 'not_invited') AS status, count(*) AS n "  # noqa: S608
        f"FROM ({_MEMBERS}) s GROUP BY 1",
        organization_id,
        cohort_id,
    )
    return StatusCounts(**{r["status"]: r["n"] for r in rows})


async def invite_members(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    cohort_id: uuid.UUID,
    invite: CohortInvite,
    *,
    candidate_ids: list[uuid.UUID] | None,
    content: ContentVersion,
    base_url: str,
    actor: str,
    mail: MailPolicy | None,
) -> Invited:
    """Invite every member (``candidate_ids`` None) or the members named, all in one
    transaction; members whose latest link of this cohort still works are skipped (re-issue
    theirs instead). InvalidInput when a named candidate is not a member."""
    if invite.package not in content.packages:
        raise InvalidInput(f"Unknown package {invite.package!r}", field="package")
    if candidate_ids is not None and not candidate_ids:
        raise InvalidInput("Tick at least one candidate, or invite the whole cohort", field="ids")
    async with conn.transaction():
        await get_cohort(conn, organization_id, cohort_id)
        members = [
            m
            for m in await cohort_members(conn, organization_id, cohort_id, limit=None)
            if candidate_ids is None or m.candidate_id in set(candidate_ids)
        ]
        if candidate_ids is not None and len(members) != len(set(candidate_ids)):
            raise InvalidInput("Some ticked candidates are not in this cohort", field="ids")
        issued: list[IssuedLink] = []
        skipped: list[str] = []
        for member in members:
            name = f"{member.given_name} {member.family_name}"
            if member.status in LIVE:
                skipped.append(name)
                continue
            made = await create_invitation(
                conn,
                organization_id,
                NewInvitation(
                    candidate_id=member.candidate_id,
                    package=invite.package,
                    expires_in_days=invite.expires_in_days,
                    time_multiplier=invite.time_multiplier,
                    untimed=invite.untimed,
                    cohort_id=cohort_id,
                    send_email=invite.send_email,
                ),
                content=content,
                base_url=base_url,
                created_by=actor,
                mail=mail,
            )
            await audit.record(
                conn,
                organization_id,
                actor=actor,
                action="invitation.create",
                subject_kind="candidate",
                subject_id=member.candidate_id,
                reason=f"cohort {cohort_id}",
            )
            issued.append(
                IssuedLink(
                    candidate_id=member.candidate_id,
                    name=name,
                    email=member.email,
                    invitation_id=made.id,
                    url=made.url,
                    expires_at=made.expires_at,
                    email_state=made.email,
                )
            )
    return Invited(issued=issued, skipped=skipped)


async def _member_invitation(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    cohort_id: uuid.UUID,
    invitation_id: uuid.UUID,
) -> asyncpg.Record:
    row = await conn.fetchrow(
        """SELECT i.candidate_id, c.given_name, c.family_name, c.email
           FROM invitations i
           JOIN candidates c ON c.organization_id = i.organization_id AND c.id = i.candidate_id
           WHERE i.organization_id = $1 AND i.cohort_id = $2 AND i.id = $3""",
        organization_id,
        cohort_id,
        invitation_id,
    )
    if row is None:
        raise NotFound(f"No invitation {invitation_id} in this cohort", field="invitation_id")
    return row


async def reissue_member_link(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    cohort_id: uuid.UUID,
    invitation_id: uuid.UUID,
    request: Reissue,
    *,
    base_url: str,
    actor: str,
    mail: MailPolicy | None,
) -> IssuedLink:
    """A new link for a member's invitation (the old one dies at once), through the same
    ``reissue_invitation`` the HR API uses; Conflict for cancelled or completed ones."""
    who = await _member_invitation(conn, organization_id, cohort_id, invitation_id)
    made = await reissue_invitation(
        conn, organization_id, invitation_id, request, base_url=base_url, actor=actor, mail=mail
    )
    return IssuedLink(
        candidate_id=made.candidate_id,
        name=f"{who['given_name']} {who['family_name']}",
        email=who["email"],
        invitation_id=made.id,
        url=made.url,
        expires_at=made.expires_at,
        email_state=made.email,
    )


async def cancel_member_invitation(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    cohort_id: uuid.UUID,
    invitation_id: uuid.UUID,
    *,
    actor: str,
) -> RevokedInvitation:
    """Cancel a member's invitation through the one revocation path."""
    await _member_invitation(conn, organization_id, cohort_id, invitation_id)
    return await revoke_invitation(conn, organization_id, invitation_id, actor=actor)
