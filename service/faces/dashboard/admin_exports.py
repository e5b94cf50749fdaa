"""Every administration table as CSV (the same rows as the page; never a secret or a
password hash)."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, get
from litestar.params import FromPath

from service.analytics.export import to_csv
from service.auth.api_keys import list_api_keys
from service.auth.staff import list_staff
from service.faces.dashboard.admin import ADMIN, ADMIN_ONLY
from service.faces.dashboard.ratings import csv_download
from service.faces.dashboard.web import require_dashboard
from service.jobs.inspect import recent_jobs
from service.tenancy.webhooks import (
    DeliveryAttempt,
    disabled_webhooks,
    list_deliveries,
    list_webhooks,
)
from service.web.database import Conn
from service.web.guards import CurrentStaff


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
