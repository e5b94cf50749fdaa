"""Invitations: a link with a random token (stored hashed), a package of assessments, an
expiry and timing accommodations."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Literal

import asyncpg
import msgspec
from msgspec import Meta

from service.assessments.bank import ContentVersion
from service.delivery.emails import queue_email
from service.delivery.lifecycle import mark_started
from service.delivery.timing import Accommodation
from service.delivery.tokens import mint_token, token_digest
from service.ground.errors import Gone, InvalidInput, NotFound
from service.ground.types import URL_PATTERN
from service.tenancy.signing import new_signing_secret
from service.tenancy.target_urls import check_url

AssessmentId = Annotated[str, Meta(pattern=r"^[a-z_]{2,40}$", description="An assessment id")]
CallbackUrl = Annotated[
    str,
    Meta(
        min_length=8,
        max_length=2000,
        pattern=URL_PATTERN,
        description="Where every event about this invitation is POSTed (signed like webhooks, "
        "with the callback_secret returned once at creation). https only in "
        "production.",
    ),
]
PackageId = Annotated[
    str, Meta(pattern=r"^[a-z_]{2,40}$", description="A package id, e.g. clerk or coding_track")
]


class NewInvitation(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """An invitation to create: name either ``assessments`` or a ``package`` of them.

    ``time_multiplier`` (1-4) or ``untimed`` are accommodations.
    """

    candidate_id: uuid.UUID
    assessments: Annotated[list[AssessmentId], Meta(min_length=1, max_length=8)] | None = None
    package: PackageId | None = None
    expires_in_days: Annotated[int, Meta(ge=1, le=90)] = 14
    time_multiplier: Annotated[float, Meta(ge=1.0, le=4.0)] | None = None
    untimed: bool = False
    cohort_id: uuid.UUID | None = None
    callback_url: CallbackUrl | None = None
    send_email: bool = True


class MailPolicy(msgspec.Struct, frozen=True):
    """Whether invitation e-mails go out over SMTP or wait in the outbox (no SMTP set)."""

    smtp: bool


class IssuedInvitation(msgspec.Struct, frozen=True, kw_only=True):
    """A created invitation. ``url`` carries the token and is shown only this once."""

    id: uuid.UUID
    candidate_id: uuid.UUID
    url: str
    assessments: list[str]
    package: str | None
    expires_at: dt.datetime
    time_multiplier: float | None
    untimed: bool
    created_at: dt.datetime
    callback_url: str | None = None
    callback_secret: str | None = None
    """Signs the callbacks of this invitation (Standard Webhooks); shown only this once."""
    email: str | None = None
    """`queued` (sent over SMTP by a job), `outbox` (kept for staff: SMTP is not set up),
    or null (send_email was false)."""


class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    """An invitation as the candidate pages see it, resolved from its token."""

    id: uuid.UUID
    organization_id: uuid.UUID
    candidate_id: uuid.UUID
    given_name: str
    organization_name: str
    assessments: list[str]
    accommodation: Accommodation
    expires_at: dt.datetime
    consented_at: dt.datetime | None
    expired: bool


class InvalidLink(NotFound):
    """The token is malformed, unknown or revoked."""


class ExpiredLink(Gone):
    """The invitation existed but its expiry has passed."""


def check_package(content: ContentVersion, assessments: list[str]) -> list[str]:
    """The package without repeats, in the order given; InvalidInput for unknown ids."""
    seen: list[str] = []
    for index, assessment_id in enumerate(assessments):
        if assessment_id not in content.assessments:
            known = ", ".join(sorted(content.assessments))
            raise InvalidInput(
                f"Unknown assessment {assessment_id!r} (known: {known})",
                field=f"assessments[{index}]",
            )
        if assessment_id not in seen:
            seen.append(assessment_id)
    return seen


def resolve_package(content: ContentVersion, new: NewInvitation) -> list[str]:
    """The assessments an invitation offers: those listed, or those of the named package."""
    if (new.assessments is None) == (new.package is None):
        raise InvalidInput(
            "Name either assessments or a package, not both and not neither",
            field="package" if new.package is not None else "assessments",
        )
    if new.package is not None:
        found = content.packages.get(new.package)
        if found is None:
            known = ", ".join(sorted(content.packages)) or "none"
            raise InvalidInput(f"Unknown package {new.package!r} (known: {known})", field="package")
        return check_package(content, list(found.assessments))
    assert new.assessments is not None
    return check_package(content, new.assessments)


async def create_invitation(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    new: NewInvitation,
    *,
    content: ContentVersion,
    base_url: str,
    created_by: str,
    mail: MailPolicy | None = None,
    allow_private_callbacks: bool = False,
    callback_kind: Literal["webhook", "greenhouse"] = "webhook",
) -> IssuedInvitation:
    """Store an invitation (token hashed) and return its link, which is never stored with
    it. With ``mail`` (and ``send_email``) the candidate's invitation e-mail is queued (or
    kept in the outbox) in the same transaction."""
    package = resolve_package(content, new)
    if new.callback_url is not None:
        check_url(new.callback_url, allow_private=allow_private_callbacks, field="callback_url")
    if new.untimed and new.time_multiplier is not None:
        raise InvalidInput(
            "Give either time_multiplier or untimed, not both", field="time_multiplier"
        )
    exists = await conn.fetchval(
        "SELECT true FROM candidates WHERE organization_id = $1 AND id = $2",
        organization_id,
        new.candidate_id,
    )
    if not exists:
        raise NotFound(f"No candidate {new.candidate_id}", field="candidate_id")
    token = mint_token()
    digest = token_digest(token)
    assert digest is not None
    multiplier = None if new.time_multiplier is None else Decimal(f"{new.time_multiplier:.2f}")
    secret = None
    if new.callback_url is not None and callback_kind == "webhook":
        secret = new_signing_secret()
    async with conn.transaction():
        row = await conn.fetchrow(
            """INSERT INTO invitations (id, organization_id, candidate_id, cohort_id,
                   token_sha256, assessments, package, time_multiplier, untimed, expires_at,
                   created_by, callback_url, callback_kind, callback_secret)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(days => $10),
                       $11, $12, $13, $14)
               RETURNING id, expires_at, created_at""",
            uuid.uuid4(),
            organization_id,
            new.candidate_id,
            new.cohort_id,
            digest,
            package,
            new.package,
            multiplier,
            new.untimed,
            new.expires_in_days,
            created_by,
            new.callback_url,
            None if new.callback_url is None else callback_kind,
            secret,
        )
        url = invitation_url(base_url, token)
        email = None
        if mail is not None and new.send_email:
            await queue_email(
                conn, organization_id, row["id"], "invitation", link=url, smtp=mail.smtp
            )
            email = "queued" if mail.smtp else "outbox"
    return IssuedInvitation(
        id=row["id"],
        candidate_id=new.candidate_id,
        url=url,
        assessments=package,
        package=new.package,
        expires_at=row["expires_at"],
        time_multiplier=None if multiplier is None else float(multiplier),
        untimed=new.untimed,
        created_at=row["created_at"],
        callback_url=new.callback_url,
        callback_secret=secret,
        email=email,
    )


def invitation_url(base_url: str, token: str) -> str:
    """The candidate's link."""
    return f"{base_url.rstrip('/')}/take/{token}"


async def resolve_invitation(conn: asyncpg.Connection, token: str) -> Invitation:
    """The live invitation behind ``token``; InvalidLink when tampered, unknown or revoked.

    An expired invitation resolves with ``expired`` set: the pages still let a candidate
    finish an attempt already under way, but nothing new starts.
    """
    digest = token_digest(token)
    if digest is None:
        raise InvalidLink("This link is not valid. Check that you copied all of it.")
    row = await conn.fetchrow(
        """SELECT i.id, i.organization_id, i.candidate_id, i.assessments, i.time_multiplier,
                  i.untimed, i.expires_at, i.consented_at, i.revoked_at,
                  i.expires_at <= now() AS expired, c.given_name, o.name AS organization_name
           FROM invitations i
           JOIN candidates c ON c.organization_id = i.organization_id AND c.id = i.candidate_id
           JOIN organizations o ON o.id = i.organization_id
           WHERE i.token_sha256 = $1""",
        digest,
    )
    if row is None or row["revoked_at"] is not None:
        raise InvalidLink("This link is not valid. Check that you copied all of it.")
    multiplier = row["time_multiplier"]
    return Invitation(
        id=row["id"],
        organization_id=row["organization_id"],
        candidate_id=row["candidate_id"],
        given_name=row["given_name"],
        organization_name=row["organization_name"],
        assessments=list(row["assessments"]),
        accommodation=Accommodation(
            time_multiplier=1.0 if multiplier is None else float(multiplier),
            untimed=row["untimed"],
        ),
        expires_at=row["expires_at"],
        consented_at=row["consented_at"],
        expired=row["expired"],
    )


def require_live(invitation: Invitation) -> None:
    """Raise ExpiredLink when the invitation can no longer start anything."""
    if invitation.expired:
        raise ExpiredLink(
            "This invitation has expired. Ask the person who invited you for a new link."
        )


async def record_consent(conn: asyncpg.Connection, invitation: Invitation) -> None:
    """Remember that the candidate read the notice and agreed (first time only): the
    invitation has started (``invitation.started`` is emitted with it)."""
    async with conn.transaction():
        await mark_started(conn, invitation.organization_id, invitation.id)
