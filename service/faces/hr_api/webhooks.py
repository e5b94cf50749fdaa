"""HR API v1: webhook endpoints, their secrets and deliveries."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, delete, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody, QueryParameter

from service.ground.errors import NotFound
from service.tenancy import audit, events
from service.tenancy.webhooks import (
    Delivery,
    DeliveryPage,
    NewWebhook,
    Webhook,
    WebhookWithSecret,
    create_webhook,
    delete_webhook,
    get_delivery,
    get_webhook,
    list_deliveries,
    list_webhooks,
    rotate_secret,
)
from service.web.database import Conn
from service.web.guards import HR_API_SECURITY, CurrentPrincipal, require_api_key
from service.web.openapi import errors
from service.web.settings import AppSettings

SCOPE = {"scope": "webhooks:manage"}
LOCATION = [
    ResponseHeader(
        name="Location",
        documentation_only=True,
        description="The new endpoint: /api/v1/webhooks/{id}",
    )
]


class WebhookController(Controller):
    """Be told when things happen: invitation.started, attempt.completed, result.created,
    result.updated, profile.ready (and invitation.completed), signed per Standard
    Webhooks."""

    path = "/api/v1/webhooks"
    tags = ["webhooks"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [require_api_key]  # noqa: RUF012
    security = HR_API_SECURITY

    @post(
        operation_id="createWebhook",
        summary="Register a webhook endpoint",
        status_code=201,
        response_headers=LOCATION,
        opt=SCOPE,
        responses=errors(422),
    )
    async def create(
        self,
        data: JSONBody[NewWebhook],
        conn: Conn,
        principal: CurrentPrincipal,
        settings: AppSettings,
    ) -> Response[WebhookWithSecret]:
        """The response carries the signing `secret` (`whsec_...`) this once. Deliveries are
        POSTs of a thin event (`type`, `timestamp`, `data` with ids and links) with the
        headers `webhook-id`, `webhook-timestamp` and `webhook-signature`; reject stale
        timestamps and deduplicate by `webhook-id`. https URLs on public addresses only."""
        async with conn.transaction():
            created = await create_webhook(
                conn, principal.organization_id, data, allow_private=settings.webhook_allow_private
            )
            await audit.record(
                conn,
                principal.organization_id,
                actor=principal.actor,
                action="webhook.create",
                subject_kind="webhook",
                subject_id=created.id,
            )
        return Response(
            created, status_code=201, headers={"Location": f"/api/v1/webhooks/{created.id}"}
        )

    @get(
        operation_id="listWebhooks", summary="List webhook endpoints", opt=SCOPE, responses=errors()
    )
    async def index(self, conn: Conn, principal: CurrentPrincipal) -> list[Webhook]:
        """Your endpoints, newest first (never their secrets)."""
        return await list_webhooks(conn, principal.organization_id)

    @get(
        "/{webhook_id:uuid}",
        operation_id="getWebhook",
        summary="Read a webhook endpoint",
        opt=SCOPE,
        responses=errors(404),
    )
    async def read(
        self, webhook_id: FromPath[uuid.UUID], conn: Conn, principal: CurrentPrincipal
    ) -> Webhook:
        """One endpoint (never its secret)."""
        return await get_webhook(conn, principal.organization_id, webhook_id)

    @delete(
        "/{webhook_id:uuid}",
        operation_id="deleteWebhook",
        summary="Delete a webhook endpoint",
        status_code=204,
        opt=SCOPE,
        responses=errors(404),
    )
    async def remove(
        self, webhook_id: FromPath[uuid.UUID], conn: Conn, principal: CurrentPrincipal
    ) -> None:
        """Nothing more is sent to it; its pending deliveries are dropped."""
        async with conn.transaction():
            await delete_webhook(conn, principal.organization_id, webhook_id)
            await audit.record(
                conn,
                principal.organization_id,
                actor=principal.actor,
                action="webhook.delete",
                subject_kind="webhook",
                subject_id=webhook_id,
            )

    @post(
        "/{webhook_id:uuid}/rotate-secret",
        operation_id="rotateWebhookSecret",
        summary="Rotate a webhook endpoint's signing secret",
        status_code=200,
        opt=SCOPE,
        responses=errors(404),
    )
    async def rotate(
        self, webhook_id: FromPath[uuid.UUID], conn: Conn, principal: CurrentPrincipal
    ) -> WebhookWithSecret:
        """A new secret, shown this once. For 24 hours deliveries carry signatures with both
        the new and the old secret, so receivers can switch without losing any."""
        async with conn.transaction():
            rotated = await rotate_secret(conn, principal.organization_id, webhook_id)
            await audit.record(
                conn,
                principal.organization_id,
                actor=principal.actor,
                action="webhook.rotate",
                subject_kind="webhook",
                subject_id=webhook_id,
            )
        return rotated

    @get(
        "/{webhook_id:uuid}/deliveries",
        operation_id="listWebhookDeliveries",
        summary="An endpoint's deliveries and their attempts",
        opt=SCOPE,
        responses=errors(404, 422),
    )
    async def deliveries(
        self,
        webhook_id: FromPath[uuid.UUID],
        conn: Conn,
        principal: CurrentPrincipal,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, QueryParameter(max_length=1000)] = None,
    ) -> DeliveryPage:
        """Newest first, each with every attempt: the status code received (null when none),
        the duration and the error. Failed attempts are retried with exponential backoff for
        about 30 hours."""
        return await list_deliveries(
            conn, principal.organization_id, webhook_id, limit=limit, cursor=cursor
        )

    @post(
        "/{webhook_id:uuid}/deliveries/{delivery_id:uuid}/redeliver",
        operation_id="redeliverWebhook",
        summary="Send a delivery's event again",
        status_code=202,
        opt=SCOPE,
        responses=errors(404),
    )
    async def redeliver(
        self,
        webhook_id: FromPath[uuid.UUID],
        delivery_id: FromPath[uuid.UUID],
        conn: Conn,
        principal: CurrentPrincipal,
    ) -> Delivery:
        """A new delivery of the same event (same `webhook-id`, so receivers that already
        have it can deduplicate), queued at once."""
        await get_delivery(conn, principal.organization_id, webhook_id, delivery_id)
        async with conn.transaction():
            new_id = await events.redeliver(conn, principal.organization_id, delivery_id)
        if new_id is None:  # pragma: no cover - checked just above
            raise NotFound(f"No delivery {delivery_id}", field="delivery_id")
        return await get_delivery(conn, principal.organization_id, webhook_id, new_id)
