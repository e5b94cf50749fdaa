"""Administration (admins only): staff users, HR API keys, webhooks with their delivery log,
and the organization's failed background jobs.

Every change is a form post (CSRF checked by the guard), writes the audit log in the same
transaction, and a secret (a generated password, an API key, a webhook signing secret) is
shown on the page that answers the post, once, and never stored in the clear."""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from service.analytics.export import to_csv
from service.auth.api_keys import SCOPES, create_api_key, list_api_keys, revoke_api_key
from service.auth.roles import ROLES
from service.auth.staff import (
    StaffUser,
    create_staff_user,
    list_staff,
    reset_password,
    set_disabled,
    set_role,
)
from service.faces.dashboard.ratings import csv_download
from service.faces.dashboard.web import error_page, go, page, require_dashboard
from service.ground.errors import ChartReadyError, Conflict, InvalidInput, NotFound
from service.jobs.inspect import recent_jobs, retry_failed_job
from service.tenancy import audit
from service.tenancy.events import EVENT_TYPES
from service.tenancy.webhooks import (
    DeliveryAttempt,
    NewWebhook,
    create_webhook,
    delete_webhook,
    disabled_webhooks,
    get_webhook,
    list_deliveries,
    list_webhooks,
    set_webhook_disabled,
)
from service.web.database import Conn
from service.web.guards import CurrentStaff
from service.web.settings import AppSettings

ADMIN = "/dashboard/admin"
ADMIN_ONLY = {"role": "admin"}
EMAIL = re.compile(r"^[^@\s\x00-\x1f]{1,200}@[^@\s\x00-\x1f]{1,200}\.[^@\s\x00-\x1f]{1,60}$")
NAME = re.compile(r"^[^\x00-\x1f]{1,200}$")
DONE = {
    "role": "Role changed; it applies from the user's next click.",
    "deactivated": "User deactivated; every session of theirs has ended.",
    "reactivated": "User reactivated; they can sign in again.",
    "revoked": "API key revoked: requests with it are refused from now on.",
    "webhook-removed": "Webhook removed; nothing more is sent to it.",
    "webhook-disabled": "Webhook disabled: nothing is sent to it until you enable it again.",
    "webhook-enabled": "Webhook enabled: new events are sent to it again.",
    "retried": "Job queued again.",
}


async def _noted(
    conn: Conn, staff: StaffUser, action: str, kind: str, subject: object, reason: str | None = None
) -> None:
    await audit.record(
        conn,
        staff.organization_id,
        actor=staff.actor,
        action=action,
        subject_kind=kind,
        subject_id=subject,
        reason=reason,
    )


async def _admin_page(
    conn: Conn,
    staff: StaffUser,
    *,
    notice: str | None = None,
    shown_once: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Template:
    org = staff.organization_id
    return page(
        "admin.html",
        staff,
        {
            "users": await list_staff(conn, org),
            "keys": await list_api_keys(conn, org),
            "webhooks": await list_webhooks(conn, org),
            "disabled_hooks": await disabled_webhooks(conn, org),
            "jobs": await recent_jobs(conn, status="failed", limit=50, organization_id=org),
            "roles": ROLES,
            "scopes": sorted(SCOPES),
            "event_types": EVENT_TYPES,
            "notice": notice,
            "shown_once": shown_once,
            "errors": errors or {},
            "values": values or {},
        },
        path=ADMIN,
        status=status,
    )


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("No such user") from None


class DashboardAdmin(Controller):
    """``/dashboard/admin``: admins only (the guard checks the role on every handler)."""

    path = ADMIN
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get("/", operation_id="dashboardAdmin", opt=ADMIN_ONLY)
    async def index(
        self, request: Request[Any, Any, Any], conn: Conn, staff: CurrentStaff
    ) -> Template:
        """Staff users, API keys, webhooks and failed jobs of this organization."""
        done = request.query_params.get("done")
        return await _admin_page(conn, staff, notice=DONE.get(done or ""))

    @post("/users", operation_id="dashboardCreateUser", opt=ADMIN_ONLY, status_code=201)
    async def create_user(
        self, request: Request[Any, Any, Any], conn: Conn, staff: CurrentStaff
    ) -> Template:
        """A staff user with a role; their first password is generated and shown once."""
        form = await request.form()
        email, name, role = _text(form, "email"), _text(form, "display_name"), _text(form, "role")
        values = {"email": email, "display_name": name, "role": role}
        errors: dict[str, str] = {}
        if not EMAIL.match(email):
            errors["email"] = "Give an e-mail address such as name@example.org."
        if not NAME.match(name):
            errors["display_name"] = "Give a name (1–200 characters)."
        if role not in ROLES:
            errors["role"] = f"Choose one of: {', '.join(ROLES)}."
        if errors:
            return await _admin_page(conn, staff, errors=errors, values=values, status=422)
        password = secrets.token_urlsafe(15)
        try:
            async with conn.transaction():
                user_id = await create_staff_user(
                    conn,
                    staff.organization_id,
                    email=email,
                    display_name=name,
                    role=role,
                    password=password,
                    generated=True,
                )
                await _noted(conn, staff, "user.create", "user", user_id)
        except asyncpg.UniqueViolationError:
            errors["email"] = "A user with this e-mail already exists here."
            return await _admin_page(conn, staff, errors=errors, values=values, status=409)
        except ValueError as refused:
            errors["email"] = str(refused)
            return await _admin_page(conn, staff, errors=errors, values=values, status=422)
        return await _admin_page(
            conn,
            staff,
            notice=(
                f"{name} ({role}) can now sign in with {email.lower()} and this password, "
                "and will then be asked to choose their own."
            ),
            shown_once={"label": f"First password of {email.lower()}", "secret": password},
            status=201,
        )

    @post("/users/{user_id:str}/role", operation_id="dashboardSetRole", opt=ADMIN_ONLY)
    async def change_role(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[str],
        conn: Conn,
        staff: CurrentStaff,
    ) -> Response[Any]:
        """Another role for a user (not oneself: an admin cannot lock the organization out)."""
        target = _uuid(user_id)
        role = _text(await request.form(), "role")
        if role not in ROLES:
            return await _admin_page(
                conn, staff, errors={f"role-{target}": f"Choose one of: {', '.join(ROLES)}."},
                status=422,
            )  # fmt: skip
        if target == staff.id:
            raise Conflict("You cannot change your own role; ask another admin.", field="role")
        async with conn.transaction():
            if not await set_role(conn, staff.organization_id, target, role):
                raise NotFound("No such user", field="user_id")
            await _noted(conn, staff, "user.role", "user", target, reason=f"role set to {role}")
        return go(f"{ADMIN}?done=role")

    @post("/users/{user_id:str}/deactivate", operation_id="dashboardDeactivate", opt=ADMIN_ONLY)
    async def deactivate(
        self, user_id: FromPath[str], conn: Conn, staff: CurrentStaff
    ) -> Response[Any]:
        """Deactivate a user: they cannot sign in, and every session of theirs ends now."""
        target = _uuid(user_id)
        if target == staff.id:
            raise Conflict("You cannot deactivate yourself; ask another admin.", field="user_id")
        async with conn.transaction():
            ended = await set_disabled(conn, staff.organization_id, target, disabled=True)
            if ended is None:
                raise NotFound("No such user", field="user_id")
            await _noted(
                conn, staff, "user.deactivate", "user", target, reason=f"{ended} session(s) ended"
            )
        return go(f"{ADMIN}?done=deactivated")

    @post("/users/{user_id:str}/password", operation_id="dashboardResetPassword", opt=ADMIN_ONLY)
    async def reset(self, user_id: FromPath[str], conn: Conn, staff: CurrentStaff) -> Template:
        """A forgotten password: a new one is generated and shown once, every session of the
        user ends, and they choose their own at next sign-in."""
        target = _uuid(user_id)
        if target == staff.id:
            raise Conflict("Change your own password on the Password page.", field="user_id")
        password = secrets.token_urlsafe(15)
        async with conn.transaction():
            ended = await reset_password(conn, staff.organization_id, target, password)
            if ended is None:
                raise NotFound("No such user", field="user_id")
            email = await conn.fetchval(
                "SELECT email FROM users WHERE organization_id = $1 AND id = $2",
                staff.organization_id,
                target,
            )
            await _noted(
                conn,
                staff,
                "user.password_reset",
                "user",
                target,
                reason=f"{ended} session(s) ended",
            )
        return await _admin_page(
            conn,
            staff,
            notice=(
                f"{email} has a new password ({ended} session(s) ended) and will be asked to "
                "choose their own at next sign-in."
            ),
            shown_once={"label": f"New password of {email}", "secret": password},
        )

    @post("/users/{user_id:str}/reactivate", operation_id="dashboardReactivate", opt=ADMIN_ONLY)
    async def reactivate(
        self, user_id: FromPath[str], conn: Conn, staff: CurrentStaff
    ) -> Response[Any]:
        """Let a deactivated user sign in again."""
        target = _uuid(user_id)
        async with conn.transaction():
            if await set_disabled(conn, staff.organization_id, target, disabled=False) is None:
                raise NotFound("No such user", field="user_id")
            await _noted(conn, staff, "user.reactivate", "user", target)
        return go(f"{ADMIN}?done=reactivated")

    @post("/api-keys", operation_id="dashboardCreateApiKey", opt=ADMIN_ONLY, status_code=201)
    async def create_key(
        self, request: Request[Any, Any, Any], conn: Conn, staff: CurrentStaff
    ) -> Template:
        """An HR API key with the chosen scopes; its secret is shown this once."""
        form = await request.form()
        name = _text(form, "name")
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
            return await _admin_page(conn, staff, errors=errors, values=values, status=422)
        async with conn.transaction():
            issued = await create_api_key(conn, staff.organization_id, name, scopes)
            await _noted(conn, staff, "api_key.create", "api_key", issued.id)
        return await _admin_page(
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
            await _noted(conn, staff, "api_key.revoke", "api_key", key_id)
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
        url, description = _text(form, "url"), _text(form, "description")
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
            return await _admin_page(conn, staff, errors=errors, values=values, status=422)
        try:
            async with conn.transaction():
                created = await create_webhook(
                    conn,
                    staff.organization_id,
                    NewWebhook(url=url, events=chosen, description=description),  # type: ignore[arg-type]
                    allow_private=settings.webhook_allow_private,
                )
                await _noted(conn, staff, "webhook.create", "webhook", created.id)
        except InvalidInput as refused:
            errors["url"] = refused.detail
            return await _admin_page(conn, staff, errors=errors, values=values, status=422)
        return await _admin_page(
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
            await _noted(conn, staff, "webhook.delete", "webhook", webhook_id)
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
            await _noted(conn, staff, "webhook.disable", "webhook", webhook_id)
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
            await _noted(conn, staff, "webhook.enable", "webhook", webhook_id)
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

    @post("/jobs/{job_id:int}/retry", operation_id="dashboardRetryJob", opt=ADMIN_ONLY)
    async def retry(self, job_id: FromPath[int], conn: Conn, staff: CurrentStaff) -> Response[Any]:
        """Queue one of the organization's failed jobs again."""
        if not 0 < job_id < 2**62:
            raise NotFound(f"No job {job_id}", field="job_id")
        async with conn.transaction():
            await retry_failed_job(conn, job_id, organization_id=staff.organization_id)
            await _noted(conn, staff, "job.retry", "job", job_id)
        return go(f"{ADMIN}?done=retried")


def _or_none(attempts: list[DeliveryAttempt]) -> list[DeliveryAttempt | None]:
    """A delivery's attempts, or one empty place for a delivery not tried yet."""
    return [*attempts] if attempts else [None]


class DashboardAdminExports(Controller):
    """Every administration table as CSV (the same rows as the page)."""

    path = ADMIN
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012

    @get("/users.csv", operation_id="dashboardUsersCsv", opt=ADMIN_ONLY, media_type="text/csv")
    async def users_csv(self, conn: Conn, staff: CurrentStaff) -> Response[str]:
        """Staff users (never password hashes)."""
        rows = await list_staff(conn, staff.organization_id)
        return csv_download(
            to_csv(
                [
                    "id",
                    "email",
                    "display_name",
                    "role",
                    "active",
                    "password_change_required",
                    "sessions",
                    "created_at",
                ],
                [
                    [
                        str(u.id),
                        u.email,
                        u.display_name,
                        u.role,
                        not u.disabled,
                        u.password_change_required,
                        u.sessions,
                        u.created_at.isoformat(),
                    ]
                    for u in rows
                ],
            ),
            "staff-users.csv",
        )

    @get("/api-keys.csv", operation_id="dashboardKeysCsv", opt=ADMIN_ONLY, media_type="text/csv")
    async def keys_csv(self, conn: Conn, staff: CurrentStaff) -> Response[str]:
        """API keys (prefix, never the secret)."""
        rows = await list_api_keys(conn, staff.organization_id)
        return csv_download(
            to_csv(
                ["prefix", "name", "scopes", "created_at", "last_used_at", "revoked_at"],
                [
                    [
                        k.prefix,
                        k.name,
                        " ".join(k.scopes),
                        k.created_at.isoformat(),
                        k.last_used_at.isoformat() if k.last_used_at else None,
                        k.revoked_at.isoformat() if k.revoked_at else None,
                    ]
                    for k in rows
                ],
            ),
            "api-keys.csv",
        )

    @get(
        "/webhooks.csv", operation_id="dashboardWebhooksCsv", opt=ADMIN_ONLY, media_type="text/csv"
    )
    async def hooks_csv(self, conn: Conn, staff: CurrentStaff) -> Response[str]:
        """Webhook endpoints (never their secrets)."""
        rows = await list_webhooks(conn, staff.organization_id)
        off = await disabled_webhooks(conn, staff.organization_id)
        return csv_download(
            to_csv(
                ["id", "url", "events", "description", "created_at", "disabled_at"],
                [
                    [
                        str(h.id),
                        h.url,
                        " ".join(h.events),
                        h.description,
                        h.created_at.isoformat(),
                        off[h.id].isoformat() if h.id in off else None,
                    ]
                    for h in rows
                ],
            ),
            "webhooks.csv",
        )

    @get("/jobs.csv", operation_id="dashboardJobsCsv", opt=ADMIN_ONLY, media_type="text/csv")
    async def jobs_csv(self, conn: Conn, staff: CurrentStaff) -> Response[str]:
        """The organization's failed jobs with their last error."""
        rows = await recent_jobs(
            conn, status="failed", limit=50, organization_id=staff.organization_id
        )
        return csv_download(
            to_csv(
                ["id", "task", "queue", "status", "attempts", "scheduled_at", "last_error"],
                [
                    [j.id, j.task, j.queue, j.status, j.attempts, j.scheduled_at, j.last_error]
                    for j in rows
                ],
            ),
            "failed-jobs.csv",
        )

    @get(
        "/webhooks/{webhook_id:uuid}/deliveries.csv",
        operation_id="dashboardWebhookLogCsv",
        opt=ADMIN_ONLY,
        media_type="text/csv",
    )
    async def hook_log_csv(
        self, webhook_id: FromPath[uuid.UUID], conn: Conn, staff: CurrentStaff
    ) -> Response[str]:
        """The delivery log: one row per attempt (a delivery not tried yet: one empty row)."""
        page_ = await list_deliveries(conn, staff.organization_id, webhook_id, limit=100)
        rows = [
            [str(d.id), d.event_id, d.event_type, d.status, d.created_at.isoformat()]
            + (
                [a.attempt, a.status_code, a.duration_ms, a.error, a.at.isoformat()]
                if a
                else [None, None, None, None, None]
            )
            for d in page_.items
            for a in _or_none(d.attempts)
        ]
        return csv_download(
            to_csv(
                [
                    "delivery_id",
                    "event_id",
                    "event_type",
                    "status",
                    "created_at",
                    "attempt",
                    "status_code",
                    "duration_ms",
                    "error",
                    "attempted_at",
                ],
                rows,
            ),
            f"webhook-deliveries-{webhook_id}.csv",
        )
