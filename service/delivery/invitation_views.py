"""Invitations as HR systems read them: status, per-assessment progress, e-mail state; one,
or a keyset page filtered by candidate and status.

The status rule lives here only (``STATUS_SQL``, over an ``invitations`` row aliased
``i``): cancelled (revoked) > completed > expired > started (the candidate consented) > sent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import asyncpg
import msgspec

from service.ground.cursor import decode_cursor, encode_cursor
from service.ground.errors import NotFound

InvitationStatus = Literal["sent", "started", "completed", "expired", "cancelled"]
INVITATION_STATUSES: tuple[str, ...] = ("sent", "started", "completed", "expired", "cancelled")
ProgressStatus = Literal["not_started", "in_progress", "finished"]


class AssessmentProgress(msgspec.Struct, frozen=True, kw_only=True):
    """Where the candidate stands in one assessment of the package."""

    assessment_id: str
    status: ProgressStatus
    attempt_id: uuid.UUID | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result_id: uuid.UUID | None
    """The attempt's result (GET /api/v1/results/{result_id}) once it is scored."""


class EmailState(msgspec.Struct, frozen=True, kw_only=True):
    """The latest e-mail to the candidate about this invitation. `bounced`: the mail server
    refused the address; `failed`: sending kept failing and was given up."""

    kind: Literal["invitation", "reminder"]
    status: Literal["outbox", "queued", "sent", "failed", "bounced"]
    attempts: int
    last_error: str | None
    sent_at: dt.datetime | None


class InvitationView(msgspec.Struct, frozen=True, kw_only=True):
    """An invitation: its status, the package with progress, the candidate's e-mail."""

    id: uuid.UUID
    candidate_id: uuid.UUID
    status: InvitationStatus
    assessments: list[AssessmentProgress]
    expires_at: dt.datetime
    created_at: dt.datetime
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    reissued_at: dt.datetime | None
    time_multiplier: float | None
    untimed: bool
    callback_url: str | None
    email: EmailState | None


class InvitationPage(msgspec.Struct, frozen=True):
    """A page of invitations, newest first; pass ``next_cursor`` back for the next one."""

    items: list[InvitationView]
    next_cursor: str | None


STATUS_SQL = """CASE WHEN i.revoked_at IS NOT NULL THEN 'cancelled'
                  WHEN i.completed_at IS NOT NULL THEN 'completed'
                  WHEN i.expires_at <= now() THEN 'expired'
                  WHEN i.started_at IS NOT NULL OR i.consented_at IS NOT NULL THEN 'started'
                  ELSE 'sent' END"""

_SELECT = f"""
SELECT i.id, i.candidate_id, i.assessments, i.expires_at, i.created_at,
       coalesce(i.started_at, i.consented_at) AS started_at, i.completed_at,
       i.revoked_at AS cancelled_at, i.reissued_at, i.time_multiplier::float8 AS time_multiplier,
       i.untimed, i.callback_url, {STATUS_SQL} AS status,
       (SELECT json_agg(json_build_object(
                'assessment_id', t.assessment_id, 'status', t.status, 'attempt_id', t.id,
                'started_at', t.started_at, 'submitted_at', t.submitted_at,
                'scored', EXISTS (SELECT 1 FROM result_versions v WHERE v.attempt_id = t.id)))
        FROM attempts t WHERE t.invitation_id = i.id) AS attempts,
       (SELECT json_build_object('kind', m.kind, 'status', m.status, 'attempts', m.attempts,
                                 'last_error', m.last_error, 'sent_at', m.sent_at)
        FROM outbound_emails m WHERE m.invitation_id = i.id
        ORDER BY m.created_at DESC, m.id LIMIT 1) AS email
FROM invitations i
"""  # noqa: S608 - constant SQL


class _Attempt(msgspec.Struct, frozen=True):
    assessment_id: str
    status: str
    attempt_id: uuid.UUID
    started_at: dt.datetime
    submitted_at: dt.datetime | None
    scored: bool


def _view(row: asyncpg.Record) -> InvitationView:
    attempts = {
        a.assessment_id: a
        for a in msgspec.convert(row["attempts"] or [], list[_Attempt], strict=False)
    }
    progress = []
    for assessment_id in row["assessments"]:
        a = attempts.get(assessment_id)
        status: ProgressStatus = (
            "not_started"
            if a is None
            else "in_progress"
            if a.status == "in_progress"
            else "finished"
        )
        progress.append(
            AssessmentProgress(
                assessment_id=assessment_id,
                status=status,
                attempt_id=a.attempt_id if a else None,
                started_at=a.started_at if a else None,
                finished_at=a.submitted_at if a else None,
                result_id=a.attempt_id if a is not None and a.scored else None,
            )
        )
    email = (
        msgspec.convert(row["email"], EmailState, strict=False)
        if row["email"] is not None
        else None
    )
    return InvitationView(
        id=row["id"],
        candidate_id=row["candidate_id"],
        status=row["status"],
        assessments=progress,
        expires_at=row["expires_at"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        completed_at=row["completed_at"],
        cancelled_at=row["cancelled_at"],
        reissued_at=row["reissued_at"],
        time_multiplier=row["time_multiplier"],
        untimed=row["untimed"],
        callback_url=row["callback_url"],
        email=email,
    )


async def get_invitation(
    conn: asyncpg.Connection, organization_id: uuid.UUID, invitation_id: uuid.UUID
) -> InvitationView:
    """One invitation of the organization; NotFound otherwise."""
    row = await conn.fetchrow(
        _SELECT + "WHERE i.organization_id = $1 AND i.id = $2", organization_id, invitation_id
    )
    if row is None:
        raise NotFound(f"No invitation {invitation_id}", field="invitation_id")
    return _view(row)


class _Position(msgspec.Struct, frozen=True):
    at: dt.datetime
    id: uuid.UUID
    candidate: uuid.UUID | None
    status: str | None


async def list_invitations(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    *,
    limit: int,
    cursor: str | None = None,
    candidate_id: uuid.UUID | None = None,
    status: InvitationStatus | None = None,
) -> InvitationPage:
    """A page of the organization's invitations, newest first (keyset: no skips or repeats
    while others are created)."""
    after = decode_cursor(cursor, _Position) if cursor else None
    if after is not None:
        candidate_id, status = (
            after.candidate,
            msgspec.convert(after.status, InvitationStatus | None),
        )
    rows = await conn.fetch(
        _SELECT
        + f"""WHERE i.organization_id = $1
                       AND ($2::uuid IS NULL OR i.candidate_id = $2)
                       AND ($3::text IS NULL OR {STATUS_SQL} = $3)
                       AND ($4::timestamptz IS NULL OR (i.created_at, i.id) < ($4, $5))
                     ORDER BY i.created_at DESC, i.id DESC LIMIT $6""",
        organization_id,
        candidate_id,
        status,
        after.at if after else None,
        after.id if after else None,
        limit + 1,
    )
    items = [_view(r) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(_Position(last.created_at, last.id, candidate_id, status))
    return InvitationPage(items, next_cursor)
