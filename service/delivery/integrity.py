"""Integrity signals without a webcam: focus loss, tab switches, pastes into written
responses, a second open tab, implausibly fast answers.

They are stored as events with a severity for staff to weigh; nothing here rejects anyone.
Candidates with a timing accommodation may rely on assistive tools that move focus or paste
text, so their events are stored with severity 'info' (never a flag).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import asyncpg
import msgspec
from msgspec import Meta

from service.delivery.autosave import TabId
from service.delivery.catalog import Catalog
from service.delivery.tokens import token_digest
from service.ground.errors import Gone, NotFound

Severity = Literal["info", "low", "medium", "high"]
MAX_EVENTS_PER_ATTEMPT = 500  # a misbehaving page cannot flood the table (fast-answer flags,
# raised by the server at most once per item, are not counted)
LONG_PASTE_CHARS = 200
LONG_ABSENCE_SECONDS = 60.0


class EventIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A signal reported by the candidate's page."""

    kind: Literal["focus_lost", "tab_hidden", "paste"]
    tab_id: TabId
    item_id: Annotated[str, Meta(max_length=40, pattern=r"^[A-Za-z0-9_-]+$")] | None = None
    chars: Annotated[int, Meta(ge=0, le=10_000_000)] | None = None
    seconds: Annotated[float, Meta(ge=0, le=86_400)] | None = None


class EventAck(msgspec.Struct, frozen=True):
    """What was stored."""

    recorded: bool
    severity: str


def severity_of(
    kind: str, *, chars: int | None = None, seconds: float | None = None, accommodated: bool = False
) -> Severity:
    """How much weight a signal deserves; always 'info' for accommodated candidates."""
    if accommodated:
        return "info"
    if kind == "paste":
        return "medium" if (chars or 0) >= LONG_PASTE_CHARS else "low"
    if kind == "tab_hidden" and (seconds or 0.0) >= LONG_ABSENCE_SECONDS:
        return "medium"
    return "low"


def implausibly_fast(elapsed_seconds: float, estimate_seconds: int) -> bool:
    """An answer given in under a tenth of the item's estimated time (and under 3 s for
    short items) is faster than reading the question allows."""
    return elapsed_seconds < max(3.0, 0.1 * estimate_seconds)


_ATTEMPT = """
SELECT t.id, t.organization_id, t.status,
       i.untimed OR coalesce(i.time_multiplier, 1) > 1 AS accommodated
FROM invitations i JOIN attempts t ON t.invitation_id = i.id AND t.assessment_id = $2
WHERE i.id = (SELECT id FROM invitations WHERE token_sha256 = $1 AND revoked_at IS NULL)
"""  # the sub-select makes the attempt a point lookup on (invitation_id, assessment_id)


async def record_event(
    conn: asyncpg.Connection, catalog: Catalog, token: str, assessment_id: str, event: EventIn
) -> EventAck:
    """Store a signal from the candidate's page against their open attempt."""
    digest = token_digest(token)
    row = None if digest is None else await conn.fetchrow(_ATTEMPT, digest, assessment_id)
    if row is None:
        raise NotFound("This link is not valid.", field="token")
    if row["status"] != "in_progress":
        raise Gone("This assessment is already finished.")
    item_id = event.item_id if event.item_id in catalog.placements else None
    severity = severity_of(
        event.kind, chars=event.chars, seconds=event.seconds, accommodated=row["accommodated"]
    )
    pairs = (("chars", event.chars), ("seconds", event.seconds), ("tab_id", event.tab_id))
    detail: dict[str, object] = {k: v for k, v in pairs if v is not None}
    recorded = await insert_event(
        conn,
        row["organization_id"],
        row["id"],
        event.kind,
        severity,
        item_id=item_id,
        detail=detail,
        accommodated=row["accommodated"],
    )
    return EventAck(recorded=recorded, severity=severity)


async def insert_event(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    attempt_id: uuid.UUID,
    kind: str,
    severity: str,
    *,
    item_id: str | None = None,
    detail: dict[str, object] | None = None,
    accommodated: bool = False,
) -> bool:
    """Append one event the candidate's page caused, unless the attempt already has
    MAX_EVENTS_PER_ATTEMPT of them; returns whether it was stored. The cap is taken by a
    guarded UPDATE of the attempt's counter in the same statement, so it holds exactly
    under any concurrency (the row lock orders the reports)."""
    stored = await conn.fetchval(
        """WITH slot AS (
               UPDATE attempts SET page_events = page_events + 1
               WHERE organization_id = $1 AND id = $2 AND page_events < $8
               RETURNING id)
           INSERT INTO integrity_events (organization_id, attempt_id, kind, severity, item_id,
                                         detail, accommodated)
           SELECT $1, slot.id, $3, $4, $5, $6, $7 FROM slot
           RETURNING true""",
        organization_id,
        attempt_id,
        kind,
        severity,
        item_id,
        detail or {},
        accommodated,
        MAX_EVENTS_PER_ATTEMPT,
    )
    return bool(stored)


async def flag_fast_answers(
    conn: asyncpg.Connection,
    catalog: Catalog,
    organization_id: uuid.UUID,
    attempt_id: uuid.UUID,
    *,
    accommodated: bool,
) -> int:
    """At finalisation: one event per answer saved implausibly soon after the item was first
    shown. Returns how many were recorded."""
    rows = await conn.fetch(
        """SELECT r.item_id, extract(epoch FROM r.saved_at - v.first_viewed_at)::float8 AS s
           FROM responses r JOIN item_views v ON v.attempt_id = r.attempt_id
                                             AND v.item_id = r.item_id
           WHERE r.attempt_id = $1 AND r.answer <> 'null'::jsonb""",
        attempt_id,
    )
    items = catalog.content.items
    fast = [
        (r["item_id"], max(0.0, r["s"]))
        for r in rows
        if r["item_id"] in items
        and implausibly_fast(r["s"], items[r["item_id"]].time_estimate_seconds)
    ]
    severity = severity_of("fast_answer", accommodated=accommodated)
    await conn.executemany(
        """INSERT INTO integrity_events (organization_id, attempt_id, kind, severity, item_id,
                                         detail, accommodated)
           VALUES ($1, $2, 'fast_answer', $3, $4, $5, $6)""",
        [
            (organization_id, attempt_id, severity, item_id, {"seconds": round(s, 1)}, accommodated)
            for item_id, s in fast
        ],
    )
    return len(fast)


class IntegrityEvent(msgspec.Struct, frozen=True):
    """A stored signal, as staff see it: what happened, when, on which item, and whether the
    candidate had an accommodation (then it is information, never a flag)."""

    kind: str
    severity: str
    item_id: str | None
    detail: dict[str, object]
    accommodated: bool
    at: datetime


async def list_events(
    conn: asyncpg.Connection, organization_id: uuid.UUID, attempt_id: uuid.UUID
) -> list[IntegrityEvent]:
    """An attempt's signals in the order they happened; NotFound for another tenant's id."""
    exists = await conn.fetchval(
        "SELECT 1 FROM attempts WHERE organization_id = $1 AND id = $2", organization_id, attempt_id
    )
    if exists is None:
        raise NotFound(f"No attempt {attempt_id}", field="attempt_id")
    rows = await conn.fetch(
        """SELECT kind, severity, item_id, detail, accommodated, at FROM integrity_events
           WHERE organization_id = $1 AND attempt_id = $2 ORDER BY id""",
        organization_id,
        attempt_id,
    )
    return [IntegrityEvent(**dict(r)) for r in rows]
