"""E-mails to candidates: the invitation and one reminder before it expires, nothing else.

Each message is a row of ``outbound_emails``: ``queued`` when SMTP is configured (the row
defers its ``send_email`` job in the same transaction) or ``outbox`` when it is not (the
demo): staff read the outbox and nothing is lost. The text is composed when it is sent or
read, from the invitation; the link (which holds the token) is kept with the row only while
the invitation is live.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import asyncpg
import msgspec
from markupsafe import escape

from service.assessments.bank import ContentVersion

EmailKind = Literal["invitation", "reminder"]
EmailStatus = Literal["outbox", "queued", "sent", "failed", "bounced"]


class Message(msgspec.Struct, frozen=True):
    """A composed message: plain text and HTML with the same content."""

    to: str
    subject: str
    text: str
    html: str


class Facts(msgspec.Struct, frozen=True, kw_only=True):
    """What a message says: who, from which organization, which assessments, until when."""

    to: str
    given_name: str
    organization_name: str
    assessments: list[str]
    expires_at: dt.datetime
    link: str | None


def _deadline(expires_at: dt.datetime) -> str:
    utc = expires_at.astimezone(dt.UTC)
    return f"{utc:%A %B} {utc.day}, {utc:%Y at %H:%M} UTC"


def compose(kind: EmailKind, facts: Facts, content: ContentVersion) -> Message:
    """The invitation or reminder for ``facts`` (link shown as withdrawn when it is gone)."""
    titles = [
        content.assessments[a].title if a in content.assessments else a for a in facts.assessments
    ]
    org, deadline = facts.organization_name, _deadline(facts.expires_at)
    link = facts.link or "(this link is no longer active)"
    if kind == "invitation":
        subject = f"{org} invites you to an online skills assessment"
        opening = (
            f"{org} has invited you to take an online skills assessment for an "
            f"entry-level Medical Records Clerk role."
        )
    else:
        subject = f"Reminder: your {org} assessment link expires {deadline}"
        opening = (
            f"This is a reminder: your assessment invitation from {org} has not been completed yet."
        )
    lines = [
        f"Hello {facts.given_name},",
        "",
        opening,
        "",
        "What you will take: " + "; ".join(titles) + ".",
        f"Complete it by: {deadline}.",
        "",
        "Start here (the link is personal; do not share it):",
        link,
        "",
        "Your answers save as you go; open the same link again on any device to continue.",
        "",
        "Accommodations: if you need extra time, no time limit, assistive technology or a "
        f"different way to be assessed, reply to this e-mail or contact {org} before you "
        "start. Asking never counts against you.",
        "",
        f"This message was sent on behalf of {org} by ChartReady.",
    ]
    text = "\n".join(lines) + "\n"
    paragraphs = [
        f"<p>Hello {escape(facts.given_name)},</p>",
        f"<p>{escape(opening)}</p>",
        "<p>What you will take:</p><ul>"
        + "".join(f"<li>{escape(t)}</li>" for t in titles)
        + "</ul>",
        f"<p>Complete it by: <strong>{escape(deadline)}</strong>.</p>",
        (
            f'<p><a href="{escape(facts.link)}">Start your assessment</a> (the link is personal; '
            "do not share it).</p>"
        )
        if facts.link
        else "<p>This link is no longer active.</p>",
        "<p>Your answers save as you go; open the same link again on any device to continue.</p>",
        "<p><strong>Accommodations:</strong> if you need extra time, no time limit, assistive "
        "technology or a different way to be assessed, reply to this e-mail or contact "
        f"{escape(org)} before you start. Asking never counts against you.</p>",
        f"<p>This message was sent on behalf of {escape(org)} by ChartReady.</p>",
    ]
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>'
        + str(escape(subject))
        + "</title></head><body>"
        + "".join(paragraphs)
        + "</body></html>"
    )
    return Message(facts.to, subject, text, html)


async def queue_email(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    invitation_id: uuid.UUID,
    kind: EmailKind,
    *,
    link: str,
    smtp: bool,
) -> uuid.UUID:
    """Record a message to the invitation's candidate: queued for SMTP (its job deferred
    with the row) or kept in the outbox."""
    email_id = uuid.uuid4()
    await conn.execute(
        """INSERT INTO outbound_emails (id, organization_id, invitation_id, kind, to_address,
                                        link, status)
           SELECT $1, i.organization_id, i.id, $3, c.email, $4, $5
           FROM invitations i
           JOIN candidates c ON c.organization_id = i.organization_id AND c.id = i.candidate_id
           WHERE i.organization_id = $2 AND i.id = $6""",
        email_id,
        organization_id,
        kind,
        link,
        "queued" if smtp else "outbox",
        invitation_id,
    )
    return email_id


_FACTS = """
SELECT m.id, m.kind, m.to_address, m.link, m.status, m.attempts, m.last_error, m.created_at,
       m.sent_at, m.invitation_id, c.given_name, o.name AS organization_name, i.assessments,
       i.expires_at
FROM outbound_emails m
JOIN invitations i ON i.organization_id = m.organization_id AND i.id = m.invitation_id
JOIN candidates c ON c.organization_id = i.organization_id AND c.id = i.candidate_id
JOIN organizations o ON o.id = m.organization_id
"""


def facts_of(row: asyncpg.Record) -> Facts:
    """The composition facts of an ``_FACTS`` row."""
    return Facts(
        to=row["to_address"],
        given_name=row["given_name"],
        organization_name=row["organization_name"],
        assessments=list(row["assessments"]),
        expires_at=row["expires_at"],
        link=row["link"],
    )


async def email_to_send(conn: asyncpg.Connection, email_id: uuid.UUID) -> asyncpg.Record | None:
    """A queued message with what composing it needs (None when gone or not queued)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        _FACTS + "WHERE m.id = $1 AND m.status = 'queued'", email_id
    )
    return row


async def mark_email(
    conn: asyncpg.Connection, email_id: uuid.UUID, status: EmailStatus, *, error: str | None = None
) -> None:
    """Record the outcome of one send attempt (``queued`` with an error: will retry)."""
    await conn.execute(
        """UPDATE outbound_emails SET status = $2, attempts = attempts + 1, last_error = $3,
               sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END
           WHERE id = $1""",
        email_id,
        status,
        None if error is None else error[:500],
    )


class OutboxMessage(msgspec.Struct, frozen=True, kw_only=True):
    """A message as staff read it in the outbox."""

    id: uuid.UUID
    invitation_id: uuid.UUID
    kind: EmailKind
    status: EmailStatus
    to: str
    subject: str
    text: str
    html: str
    created_at: dt.datetime


async def outbox(
    conn: asyncpg.Connection, organization_id: uuid.UUID, content: ContentVersion, *, limit: int
) -> list[OutboxMessage]:
    """Messages kept because SMTP is not configured, newest first, composed for reading."""
    rows = await conn.fetch(
        _FACTS
        + """WHERE m.organization_id = $1 AND m.status = 'outbox'
                    ORDER BY m.created_at DESC, m.id LIMIT $2""",
        organization_id,
        limit,
    )
    out = []
    for row in rows:
        message = compose(row["kind"], facts_of(row), content)
        out.append(
            OutboxMessage(
                id=row["id"],
                invitation_id=row["invitation_id"],
                kind=row["kind"],
                status=row["status"],
                to=message.to,
                subject=message.subject,
                text=message.text,
                html=message.html,
                created_at=row["created_at"],
            )
        )
    return out


async def forget_links(
    conn: asyncpg.Connection, organization_id: uuid.UUID, invitation_id: uuid.UUID
) -> None:
    """Drop the stored link of the invitation's messages (the invitation ended or got a new
    link)."""
    await conn.execute(
        "UPDATE outbound_emails SET link = NULL WHERE organization_id = $1 "
        "AND invitation_id = $2 AND link IS NOT NULL",
        organization_id,
        invitation_id,
    )
