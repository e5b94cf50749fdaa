"""Administration of what HR systems use: API keys (created with scopes, the secret shown
once, revoked) and webhooks (created with their signing secret shown once, disabled,
enabled, removed, and their delivery log). Admins only; every change is audited."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from service.auth.api_keys import SCOPES, create_api_key, revoke_api_key
from service.faces.dashboard.admin import ADMIN, ADMIN_ONLY, NAME, admin_page, form_text, noted
from service.faces.dashboard.web import error_page, go, page, require_dashboard
from service.ground.errors import ChartReadyError, InvalidInput, NotFound
from service.tenancy.events import EVENT_TYPES
from service.tenancy.webhooks import (
    NewWebhook,
    create_webhook,
    delete_webhook,
    get_webhook,
    list_deliveries,
    set_webhook_disabled,
)
from service.web.database import Conn
from service.web.guards import CurrentStaff
from service.web.settings import AppSettings


class DashboardIntegrations(Controller):
    """HR API keys and webhooks on ``/dashboard/admin`` (the guard checks the admin role)."""

    path = ADMIN
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @post("/api-keys", operation_id="dashboardCreateApiKey", opt=ADMIN_ONLY, status_code=201)
    async def create_key(
        self, request: Request[Any, Any, Any], conn: Conn, staff: CurrentStaff
    ) -> Template:
        """An HR API key with the chosen scopes; its secret is shown this once."""
        form = await request.form()
        name = form_text(form, "name")
        scopes = sorted({s for s in form.getall("scopes", []) if isinstance(s, str)})
        errors: dict[str, str] = {}
        if not NAME.match(name):
            errors["key-name"] = "Name the key (1–200 characters), e.g. the system using it."
        if not scopes:
            errors["scopes"] = "Choose at least one scope."
        elif set(scopes) - SCOPES:
            errors["scopes"] = "Choose scopes from the list."
        if errors:
            values = {"key-name": name, "scopes": scopes}
            return await admin_page(conn, staff, errors=errors, values=values, status=422)
        async with conn.transaction():
            issued = await create_api_key(conn, staff.organization_id, name, scopes)
            await noted(conn, staff, "api_key.create", "api_key", issued.id)
        return await admin_page(
            conn,
            staff,
            notice=f"API key {name!r} created with scopes {', '.join(issued.scopes)}.",
            shown_once={"label": f"API key {name}", "secret": issued.secret},
            status=201,
        )

    @post("/api-keys/{prefix:str}/revoke", operation_id="dashboardRevokeApiKey", opt=ADMIN_ONLY)
    async def revoke_key(
        self, prefix: FromPath[str], conn: Conn, staff: CurrentStaff
    ) -> Response[Any]:
        """Revoke a live key at once."""
        if not re.fullmatch(r"[0-9a-f]{8}", prefix):
            raise NotFound("No such live API key", field="prefix")
        async with conn.transaction():
            key_id = await revoke_api_key(conn, staff.organization_id, prefix)
            if key_id is None:
                raise NotFound("No such live API key", field="prefix")
            await noted(conn, staff, "api_key.revoke", "api_key", key_id)
        return go(f"{ADMIN}?done=revoked")

    @post("/webhooks", operation_id="dashboardCreateWebhook", opt=ADMIN_ONLY, status_code=201)
    async def create_hook(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        staff: CurrentStaff,
        settings: AppSettings,
    ) -> Template:
        """A webhook endpoint for the chosen events; its signing secret is shown this once."""
        form = await request.form()
        url, description = form_text(form, "url"), form_text(form, "description")
        chosen = sorted({e for e in form.getall("events", []) if isinstance(e, str)})
        errors: dict[str, str] = {}
        if not chosen or set(chosen) - set(EVENT_TYPES):
            errors["events"] = "Choose at least one event from the list."
        if len(description) > 500 or "\x00" in description:
            errors["description"] = "Keep the description under 500 characters."
        if not 8 <= len(url) <= 2000 or any(ord(ch) < 32 for ch in url):
            errors["url"] = "Give the https:// URL that receives the events."
        values = {"url": url, "events": chosen, "description": description}
        if errors:
            return await admin_page(conn, staff, errors=errors, values=values, status=422)
        try:
            async with conn.transaction():
                created = await create_webhook(
                    conn,
                    staff.organization_id,
                    NewWebhook(url=url, events=chosen, description=description),  # type: ignore[arg-type]
                    allow_private=settings.webhook_allow_private,
                )
                await noted(conn, staff, "webhook.create", "webhook", created.id)
        except InvalidInput as refused:
            errors["url"] = refused.detail
            return await admin_page(conn, staff, errors=errors, values=values, status=422)
        return await admin_page(
            conn,
            staff,
            notice=f"Webhook {url} added for {', '.join(chosen)}.",
            shown_once={"label": f"Signing secret of {url}", "secret": created.secret},
            status=201,
        )

    @post(
        "/webhooks/{webhook_id:uuid}/remove", operation_id="dashboardRemoveWebhook", opt=ADMIN_ONLY
    )
    async def remove_hook(
        self, webhook_id: FromPath[uuid.UUID], conn: Conn, staff: CurrentStaff
    ) -> Response[Any]:
        """Stop sending to an endpoint (its pending deliveries are dropped)."""
        async with conn.transaction():
            await delete_webhook(conn, staff.organization_id, webhook_id)
            await noted(conn, staff, "webhook.delete", "webhook", webhook_id)
        return go(f"{ADMIN}?done=webhook-removed")

    @post(
        "/webhooks/{webhook_id:uuid}/disable",
        operation_id="dashboardDisableWebhook",
        opt=ADMIN_ONLY,
    )
    async def disable_hook(
        self, webhook_id: FromPath[uuid.UUID], conn: Conn, staff: CurrentStaff
    ) -> Response[Any]:
        """Stop sending to an endpoint, keeping it and its log (pending deliveries wait)."""
        async with conn.transaction():
            await set_webhook_disabled(conn, staff.organization_id, webhook_id, disabled=True)
            await noted(conn, staff, "webhook.disable", "webhook", webhook_id)
        return go(f"{ADMIN}?done=webhook-disabled")

    @post(
        "/webhooks/{webhook_id:uuid}/enable", operation_id="dashboardEnableWebhook", opt=ADMIN_ONLY
    )
    async def enable_hook(
        self, webhook_id: FromPath[uuid.UUID], conn: Conn, staff: CurrentStaff
    ) -> Response[Any]:
        """Send new events to a disabled endpoint again."""
        async with conn.transaction():
            await set_webhook_disabled(conn, staff.organization_id, webhook_id, disabled=False)
            await noted(conn, staff, "webhook.enable", "webhook", webhook_id)
        return go(f"{ADMIN}?done=webhook-enabled")

    @get("/webhooks/{webhook_id:uuid}", operation_id="dashboardWebhookLog", opt=ADMIN_ONLY)
    async def hook_log(
        self, webhook_id: FromPath[uuid.UUID], conn: Conn, staff: CurrentStaff
    ) -> Template:
        """An endpoint's deliveries, newest first, with every attempt."""
        hook = await get_webhook(conn, staff.organization_id, webhook_id)
        deliveries = await list_deliveries(conn, staff.organization_id, webhook_id, limit=100)
        return page(
            "admin_webhook.html",
            staff,
            {"hook": hook, "deliveries": deliveries.items, "more": deliveries.next_cursor},
            path=ADMIN,
        )
