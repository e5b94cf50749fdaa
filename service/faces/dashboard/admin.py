"""Administration (admins only): the page, staff users and the organization's failed
background jobs; HR API keys and webhooks are in ``admin_integrations``, the tables as CSV in
``admin_exports``.

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

from service.auth.api_keys import SCOPES, list_api_keys
from service.auth.roles import ROLES
from service.auth.staff import (
    StaffUser,
    create_staff_user,
    list_staff,
    reset_password,
    set_disabled,
    set_role,
)
from service.faces.dashboard.web import error_page, go, page, require_dashboard
from service.ground.errors import ChartReadyError, Conflict, NotFound
from service.jobs.inspect import recent_jobs, retry_failed_job
from service.tenancy import audit
from service.tenancy.events import EVENT_TYPES
from service.tenancy.webhooks import (
    disabled_webhooks,
    list_webhooks,
)
from service.web.database import Conn
from service.web.guards import CurrentStaff

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


async def noted(
    conn: Conn, staff: StaffUser, action: str, kind: str, subject: object, reason: str | None = None
) -> None:
    """Write an administration change to the audit log (in the caller's transaction)."""
    await audit.record(
        conn,
        staff.organization_id,
        actor=staff.actor,
        action=action,
        subject_kind=kind,
        subject_id=subject,
        reason=reason,
    )


async def admin_page(
    conn: Conn,
    staff: StaffUser,
    *,
    notice: str | None = None,
    shown_once: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Template:
    """The administration page, with a notice, a secret shown once, or field errors."""
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


def form_text(form: Any, name: str) -> str:
    """A posted field, trimmed ("" when absent or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def user_uuid(value: str) -> uuid.UUID:
    """A user id from the path (a malformed one is simply not found)."""
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
        return await admin_page(conn, staff, notice=DONE.get(done or ""))

    @post("/users", operation_id="dashboardCreateUser", opt=ADMIN_ONLY, status_code=201)
    async def create_user(
        self, request: Request[Any, Any, Any], conn: Conn, staff: CurrentStaff
    ) -> Template:
        """A staff user with a role; their first password is generated and shown once."""
        form = await request.form()
        email, name, role = (
            form_text(form, "email"),
            form_text(form, "display_name"),
            form_text(form, "role"),
        )
        values = {"email": email, "display_name": name, "role": role}
        errors: dict[str, str] = {}
        if not EMAIL.match(email):
            errors["email"] = "Give an e-mail address such as name@example.org."
        if not NAME.match(name):
            errors["display_name"] = "Give a name (1–200 characters)."
        if role not in ROLES:
            errors["role"] = f"Choose one of: {', '.join(ROLES)}."
        if errors:
            return await admin_page(conn, staff, errors=errors, values=values, status=422)
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
                await noted(conn, staff, "user.create", "user", user_id)
        except asyncpg.UniqueViolationError:
            errors["email"] = "A user with this e-mail already exists here."
            return await admin_page(conn, staff, errors=errors, values=values, status=409)
        except ValueError as refused:
            errors["email"] = str(refused)
            return await admin_page(conn, staff, errors=errors, values=values, status=422)
        return await admin_page(
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
        target = user_uuid(user_id)
        role = form_text(await request.form(), "role")
        if role not in ROLES:
            return await admin_page(
                conn, staff, errors={f"role-{target}": f"Choose one of: {', '.join(ROLES)}."},
                status=422,
            )  # fmt: skip
        if target == staff.id:
            raise Conflict("You cannot change your own role; ask another admin.", field="role")
        async with conn.transaction():
            if not await set_role(conn, staff.organization_id, target, role):
                raise NotFound("No such user", field="user_id")
            await noted(conn, staff, "user.role", "user", target, reason=f"role set to {role}")
        return go(f"{ADMIN}?done=role")

    @post("/users/{user_id:str}/deactivate", operation_id="dashboardDeactivate", opt=ADMIN_ONLY)
    async def deactivate(
        self, user_id: FromPath[str], conn: Conn, staff: CurrentStaff
    ) -> Response[Any]:
        """Deactivate a user: they cannot sign in, and every session of theirs ends now."""
        target = user_uuid(user_id)
        if target == staff.id:
            raise Conflict("You cannot deactivate yourself; ask another admin.", field="user_id")
        async with conn.transaction():
            ended = await set_disabled(conn, staff.organization_id, target, disabled=True)
            if ended is None:
                raise NotFound("No such user", field="user_id")
            await noted(
                conn, staff, "user.deactivate", "user", target, reason=f"{ended} session(s) ended"
            )
        return go(f"{ADMIN}?done=deactivated")

    @post("/users/{user_id:str}/password", operation_id="dashboardResetPassword", opt=ADMIN_ONLY)
    async def reset(self, user_id: FromPath[str], conn: Conn, staff: CurrentStaff) -> Template:
        """A forgotten password: a new one is generated and shown once, every session of the
        user ends, and they choose their own at next sign-in."""
        target = user_uuid(user_id)
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
            await noted(
                conn,
                staff,
                "user.password_reset",
                "user",
                target,
                reason=f"{ended} session(s) ended",
            )
        return await admin_page(
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
        target = user_uuid(user_id)
        async with conn.transaction():
            if await set_disabled(conn, staff.organization_id, target, disabled=False) is None:
                raise NotFound("No such user", field="user_id")
            await noted(conn, staff, "user.reactivate", "user", target)
        return go(f"{ADMIN}?done=reactivated")

    @post("/jobs/{job_id:int}/retry", operation_id="dashboardRetryJob", opt=ADMIN_ONLY)
    async def retry(self, job_id: FromPath[int], conn: Conn, staff: CurrentStaff) -> Response[Any]:
        """Queue one of the organization's failed jobs again."""
        if not 0 < job_id < 2**62:
            raise NotFound(f"No job {job_id}", field="job_id")
        async with conn.transaction():
            await retry_failed_job(conn, job_id, organization_id=staff.organization_id)
            await noted(conn, staff, "job.retry", "job", job_id)
        return go(f"{ADMIN}?done=retried")
