"""Integration events: what happened in an organization, as thin events (ids and links),
fanned out to the organization's webhook endpoints and to an invitation's own callback.

``emit`` is called by the core where the thing happens, inside that transaction: the event
and its deliveries commit (or roll back) with it, and each delivery row defers its job in
the same transaction (a trigger, see migration 0010), so nothing is sent for work that did
not happen and nothing that happened goes unsent.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any, Literal

import asyncpg
import msgspec

EventType = Literal[
    "invitation.started",
    "invitation.completed",
    "attempt.completed",
    "result.created",
    "result.updated",
    "profile.ready",
]
EVENT_TYPES: tuple[str, ...] = (
    "invitation.started",
    "invitation.completed",
    "attempt.completed",
    "result.created",
    "result.updated",
    "profile.ready",
)


class Event(msgspec.Struct, frozen=True):
    """The payload every receiver gets (Standard Webhooks' shape): type, time, thin data."""

    type: str
    timestamp: dt.datetime
    data: dict[str, Any]


def new_event_id() -> str:
    """A message id (``webhook-id``): receivers deduplicate by it."""
    return "msg_" + secrets.token_hex(16)


async def emit(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    event_type: EventType,
    data: dict[str, Any],
    *,
    invitation_id: uuid.UUID | None = None,
) -> str:
    """Record the event and one delivery per subscribed endpoint (and the invitation's
    callback); returns the event id. Call inside the transaction that did the thing."""
    event_id = new_event_id()
    now: dt.datetime = await conn.fetchval("SELECT now()")
    payload = msgspec.json.encode(Event(event_type, now, data)).decode()
    await conn.execute(
        """INSERT INTO integration_events (id, organization_id, type, invitation_id, payload,
                                           created_at) VALUES ($1, $2, $3, $4, $5, $6)""",
        event_id,
        organization_id,
        event_type,
        invitation_id,
        payload,
        now,
    )
    await conn.execute(
        """INSERT INTO webhook_deliveries (id, organization_id, event_id, kind, endpoint_id, url)
           SELECT gen_random_uuid(), $1, $2, 'webhook', e.id, e.url FROM webhook_endpoints e
           WHERE e.organization_id = $1 AND $3 = ANY(e.events) AND e.disabled_at IS NULL""",
        organization_id,
        event_id,
        event_type,
    )
    if invitation_id is not None:
        # The invitation's own target: every event for a webhook callback; Greenhouse wants
        # only "the test is done" (an empty PATCH, after which it calls test_status).
        await conn.execute(
            """INSERT INTO webhook_deliveries (id, organization_id, event_id, kind,
                                               invitation_id, url)
               SELECT gen_random_uuid(), $1, $2,
                      CASE i.callback_kind WHEN 'webhook' THEN 'callback' ELSE 'greenhouse' END,
                      i.id, i.callback_url
               FROM invitations i
               WHERE i.organization_id = $1 AND i.id = $3 AND i.callback_url IS NOT NULL
                 AND (i.callback_kind = 'webhook' OR $4 = 'invitation.completed')""",
            organization_id,
            event_id,
            invitation_id,
            event_type,
        )
    return event_id


async def redeliver(
    conn: asyncpg.Connection, organization_id: uuid.UUID, delivery_id: uuid.UUID
) -> uuid.UUID | None:
    """A new delivery of the same event to the same target (its job is deferred with it);
    None when the organization has no such delivery."""
    new_id: uuid.UUID | None = await conn.fetchval(
        """INSERT INTO webhook_deliveries (id, organization_id, event_id, kind, endpoint_id,
                                           invitation_id, url)
           SELECT gen_random_uuid(), d.organization_id, d.event_id, d.kind, d.endpoint_id,
                  d.invitation_id, coalesce(e.url, d.url)
           FROM webhook_deliveries d
           LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id
           WHERE d.organization_id = $1 AND d.id = $2
           RETURNING id""",
        organization_id,
        delivery_id,
    )
    return new_id
