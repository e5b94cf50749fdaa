"""Extra time for a candidate in the middle of an attempt, granted by staff.

The attempt's deadline and the deadline of every section not yet closed nor run out move
later by the same number of minutes (deadlines are cumulative, so they stay in order); the
candidate's page reads its deadlines from the server and shows the new time at the next save. Only a
timed attempt still in progress can be extended; the audit log records who, how much, why.
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

from service.ground.errors import Conflict, InvalidInput, NotFound
from service.tenancy import audit

MAX_EXTRA_MINUTES = 240


class Extension(msgspec.Struct, frozen=True):
    """The attempt's deadline after the extension."""

    attempt_id: uuid.UUID
    candidate_id: uuid.UUID
    minutes: int
    deadline_at: dt.datetime


async def extend_attempt_time(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    attempt_id: uuid.UUID,
    minutes: int,
    *,
    actor: str,
    reason: str,
) -> Extension:
    """Add ``minutes`` (1 to MAX_EXTRA_MINUTES) to an in-progress, timed attempt. NotFound
    outside the organization; Conflict when it is finished, untimed or already past its
    deadline (the sweeper may be finalising it)."""
    if not 1 <= minutes <= MAX_EXTRA_MINUTES:
        raise InvalidInput(f"Give 1 to {MAX_EXTRA_MINUTES} minutes", field="minutes")
    reason = reason.strip()
    if not 1 <= len(reason) <= 1000:
        raise InvalidInput("Say why the time is extended (up to 1000 characters)", field="reason")
    extra = dt.timedelta(minutes=minutes)
    async with conn.transaction():
        row = await conn.fetchrow(
            """SELECT candidate_id, status, deadline_at, deadline_at < now() AS past
               FROM attempts WHERE organization_id = $1 AND id = $2 FOR UPDATE""",
            organization_id,
            attempt_id,
        )
        if row is None:
            raise NotFound(f"No attempt {attempt_id}", field="attempt_id")
        if row["status"] != "in_progress":
            raise Conflict(
                "This attempt is finished; its time cannot be extended", field="attempt_id"
            )
        if row["deadline_at"] is None:
            raise Conflict(
                "This attempt is untimed; there is no deadline to extend", field="attempt_id"
            )
        if row["past"]:
            raise Conflict(
                "This attempt's time has already run out; it is being finalised",
                field="attempt_id",
            )
        deadline = await conn.fetchval(
            """UPDATE attempts SET deadline_at = deadline_at + $3
               WHERE organization_id = $1 AND id = $2 RETURNING deadline_at""",
            organization_id,
            attempt_id,
            extra,
        )
        await conn.execute(
            """UPDATE attempt_sections SET deadline_at = deadline_at + $3
               WHERE organization_id = $1 AND attempt_id = $2 AND closed_at IS NULL
                 AND deadline_at >= now()""",
            organization_id,
            attempt_id,
            extra,
        )
        await audit.record(
            conn,
            organization_id,
            actor=actor,
            action="attempt.extend_time",
            subject_kind="attempt",
            subject_id=attempt_id,
            reason=f"+{minutes} min: {reason}",
        )
    return Extension(attempt_id, row["candidate_id"], minutes, deadline)
