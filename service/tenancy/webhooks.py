"""An organization's webhook endpoints: where events go, which events, the signing secret
(shown once, rotatable with the old one valid 24 hours more), and the log of deliveries."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import asyncpg
import msgspec
from msgspec import Meta

from service.ground.cursor import decode_cursor, encode_cursor
from service.ground.errors import NotFound
from service.ground.types import URL_PATTERN
from service.tenancy.events import EventType
from service.tenancy.signing import new_signing_secret
from service.tenancy.target_urls import check_url

ROTATION_GRACE = dt.timedelta(hours=24)
"""How long the previous secret keeps signing after a rotation."""

WebhookUrl = Annotated[
    str,
    Meta(
        min_length=8,
        max_length=2000,
        pattern=URL_PATTERN,
        description="https URL on a public address",
    ),
]


class NewWebhook(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A webhook endpoint to register."""

    url: WebhookUrl
    events: Annotated[list[EventType], Meta(min_length=1, max_length=6)]
    description: Annotated[str, Meta(max_length=500, pattern=r"^[^\x00]*$")] = ""


class Webhook(msgspec.Struct, frozen=True, kw_only=True):
    """A registered endpoint (never its secret, except once in ``WebhookWithSecret``)."""

    id: uuid.UUID
    url: str
    events: list[EventType]
    description: str
    created_at: dt.datetime
    previous_secret_valid_until: dt.datetime | None


class WebhookWithSecret(Webhook, frozen=True, kw_only=True):
    """An endpoint with its signing secret: shown only when created or rotated."""

    secret: str


_COLUMNS = """id, url, events, description, created_at,
    CASE WHEN previous_secret_until > now() THEN previous_secret_until END
        AS previous_secret_valid_until"""


def _webhook(row: asyncpg.Record) -> Webhook:
    return msgspec.convert(dict(row), Webhook)


async def create_webhook(
    conn: asyncpg.Connection, organization_id: uuid.UUID, new: NewWebhook, *, allow_private: bool
) -> WebhookWithSecret:
    """Register an endpoint; its secret is returned this once."""
    check_url(new.url, allow_private=allow_private)
    secret = new_signing_secret()
    row = await conn.fetchrow(
        f"""INSERT INTO webhook_endpoints (id, organization_id, url, events, description,
                                           secret)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_COLUMNS}""",  # noqa: S608
        uuid.uuid4(),
        organization_id,
        new.url,
        sorted(set(new.events)),
        new.description,
        secret,
    )
    return WebhookWithSecret(**msgspec.structs.asdict(_webhook(row)), secret=secret)


async def list_webhooks(conn: asyncpg.Connection, organization_id: uuid.UUID) -> list[Webhook]:
    """The organization's endpoints, newest first."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM webhook_endpoints WHERE organization_id = $1 "  # noqa: S608
        "ORDER BY created_at DESC, id",
        organization_id,
    )
    return [_webhook(r) for r in rows]


async def get_webhook(
    conn: asyncpg.Connection, organization_id: uuid.UUID, webhook_id: uuid.UUID
) -> Webhook:
    """One endpoint; NotFound otherwise."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM webhook_endpoints WHERE organization_id = $1 "  # noqa: S608
        "AND id = $2",
        organization_id,
        webhook_id,
    )
    if row is None:
        raise NotFound(f"No webhook {webhook_id}", field="webhook_id")
    return _webhook(row)


async def delete_webhook(
    conn: asyncpg.Connection, organization_id: uuid.UUID, webhook_id: uuid.UUID
) -> None:
    """Remove an endpoint and its pending deliveries; NotFound otherwise."""
    deleted = await conn.fetchval(
        "DELETE FROM webhook_endpoints WHERE organization_id = $1 AND id = $2 RETURNING id",
        organization_id,
        webhook_id,
    )
    if deleted is None:
        raise NotFound(f"No webhook {webhook_id}", field="webhook_id")


async def rotate_secret(
    conn: asyncpg.Connection, organization_id: uuid.UUID, webhook_id: uuid.UUID
) -> WebhookWithSecret:
    """A new secret (returned this once); the current one keeps signing for 24 hours."""
    secret = new_signing_secret()
    row = await conn.fetchrow(
        f"""UPDATE webhook_endpoints SET previous_secret = secret, secret = $3,
                previous_secret_until = now() + $4::interval
            WHERE organization_id = $1 AND id = $2 RETURNING {_COLUMNS}""",  # noqa: S608
        organization_id,
        webhook_id,
        secret,
        ROTATION_GRACE,
    )
    if row is None:
        raise NotFound(f"No webhook {webhook_id}", field="webhook_id")
    return WebhookWithSecret(**msgspec.structs.asdict(_webhook(row)), secret=secret)


async def set_webhook_disabled(
    conn: asyncpg.Connection, organization_id: uuid.UUID, webhook_id: uuid.UUID, *, disabled: bool
) -> None:
    """Disable an endpoint (no new deliveries, pending ones not sent) or enable it again;
    NotFound otherwise. Its secret and delivery log stay."""
    done = await conn.fetchval(
        """UPDATE webhook_endpoints
           SET disabled_at = CASE WHEN $3 THEN coalesce(disabled_at, now()) END
           WHERE organization_id = $1 AND id = $2 RETURNING id""",
        organization_id,
        webhook_id,
        disabled,
    )
    if done is None:
        raise NotFound(f"No webhook {webhook_id}", field="webhook_id")


async def disabled_webhooks(
    conn: asyncpg.Connection, organization_id: uuid.UUID
) -> dict[uuid.UUID, dt.datetime]:
    """The organization's disabled endpoints and since when."""
    rows = await conn.fetch(
        """SELECT id, disabled_at FROM webhook_endpoints
           WHERE organization_id = $1 AND disabled_at IS NOT NULL""",
        organization_id,
    )
    return {r["id"]: r["disabled_at"] for r in rows}


class DeliveryAttempt(msgspec.Struct, frozen=True, kw_only=True):
    """One try: the receiver's status code (null when none came), how long it took, why it
    failed."""

    attempt: int
    status_code: int | None
    duration_ms: float
    error: str | None
    at: dt.datetime


class Delivery(msgspec.Struct, frozen=True, kw_only=True):
    """One event sent to one endpoint, with every attempt."""

    id: uuid.UUID
    event_id: str
    event_type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: list[DeliveryAttempt]
    created_at: dt.datetime
    finished_at: dt.datetime | None


class DeliveryPage(msgspec.Struct, frozen=True):
    """A page of deliveries, newest first; pass ``next_cursor`` back for the next one."""

    items: list[Delivery]
    next_cursor: str | None


class _After(msgspec.Struct, frozen=True):
    at: dt.datetime
    id: uuid.UUID


async def list_deliveries(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    webhook_id: uuid.UUID,
    *,
    limit: int,
    cursor: str | None = None,
) -> DeliveryPage:
    """An endpoint's deliveries, newest first, each with its attempts."""
    await get_webhook(conn, organization_id, webhook_id)
    after = decode_cursor(cursor, _After) if cursor else None
    rows = await conn.fetch(
        """SELECT d.id, d.event_id, e.type AS event_type, d.status, d.created_at,
                  d.finished_at,
                  coalesce((SELECT json_agg(json_build_object(
                               'attempt', a.attempt, 'status_code', a.status_code,
                               'duration_ms', a.duration_ms, 'error', a.error, 'at', a.at)
                               ORDER BY a.id)
                            FROM webhook_delivery_attempts a WHERE a.delivery_id = d.id),
                           '[]') AS attempts
           FROM webhook_deliveries d
           JOIN integration_events e ON e.id = d.event_id
           WHERE d.organization_id = $1 AND d.endpoint_id = $2
             AND ($3::timestamptz IS NULL OR (d.created_at, d.id) < ($3, $4))
           ORDER BY d.created_at DESC, d.id DESC LIMIT $5""",
        organization_id,
        webhook_id,
        after.at if after else None,
        after.id if after else None,
        limit + 1,
    )
    items = [msgspec.convert(dict(r), Delivery, strict=False) for r in rows[:limit]]
    next_cursor = (
        encode_cursor(_After(items[-1].created_at, items[-1].id)) if len(rows) > limit else None
    )
    return DeliveryPage(items, next_cursor)


async def get_delivery(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    webhook_id: uuid.UUID,
    delivery_id: uuid.UUID,
) -> Delivery:
    """One delivery of one endpoint; NotFound otherwise."""
    row = await conn.fetchrow(
        """SELECT d.id, d.event_id, e.type AS event_type, d.status, d.created_at,
                  d.finished_at,
                  coalesce((SELECT json_agg(json_build_object(
                               'attempt', a.attempt, 'status_code', a.status_code,
                               'duration_ms', a.duration_ms, 'error', a.error, 'at', a.at)
                               ORDER BY a.id)
                            FROM webhook_delivery_attempts a WHERE a.delivery_id = d.id),
                           '[]') AS attempts
           FROM webhook_deliveries d JOIN integration_events e ON e.id = d.event_id
           WHERE d.organization_id = $1 AND d.endpoint_id = $2 AND d.id = $3""",
        organization_id,
        webhook_id,
        delivery_id,
    )
    if row is None:
        raise NotFound(f"No delivery {delivery_id}", field="delivery_id")
    return msgspec.convert(dict(row), Delivery, strict=False)
