"""What a cohort's page shows: its members with their invitation status (filtered and
paged), the status counts, the PDF requests, and the page itself as rendered again with a
form's errors; helpers the cohort pages share (form fields, CSV answers, package titles)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.response import Template

from service.assessments.bank import ContentVersion
from service.auth.staff import StaffUser
from service.delivery.cohorts import MAX_SHOWN, MEMBER_STATUSES, cohort_members, status_counts
from service.faces.dashboard.web import page
from service.jobs.profiles import cohort_batches
from service.tenancy.cohort_roster import MAX_BYTES, MAX_ROWS, Roster
from service.tenancy.cohorts import get_cohort
from service.web.guards import has_role

CSV_HEADERS = {"Cache-Control": "no-store"}
STATUS_LABELS = {
    None: "not invited",
    "sent": "invited",
    "started": "started",
    "completed": "completed",
    "expired": "expired",
    "cancelled": "cancelled",
}


def csv_response(text: str, filename: str) -> Response[str]:
    """A CSV download (never cached: it names people)."""
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={**CSV_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


def package_titles(content: ContentVersion) -> dict[str, str]:
    """Package ids to their titles, for tables."""
    return {p.id: p.title for p in content.packages.values()}


async def form_fields(request: Request[Any, Any, Any]) -> dict[str, str]:
    """A posted form's text fields (the first value of each), trimmed."""
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}


def member_view(params: Mapping[str, str]) -> tuple[str | None, int]:
    """The members table's filter and page from the query (``status``, ``page``); anything
    unknown falls back to all members, page 1."""
    status = params.get("status")
    raw = params.get("page", "1")
    number = int(raw) if raw.isdigit() and len(raw) < 7 else 1
    return (status if status in MEMBER_STATUSES else None), max(number, 1)


async def member_listing(
    conn: asyncpg.Connection,
    staff: StaffUser,
    content: ContentVersion,
    cohort_id: uuid.UUID,
    params: Mapping[str, str],
) -> dict[str, Any]:
    """What the members table (page and fragment) shows: one page of members in the chosen
    status, the counts by status, and where the page sits."""
    status, number = member_view(params)
    counts = await status_counts(conn, staff.organization_id, cohort_id)
    total = getattr(counts, status) if status else sum(msgspec.structs.astuple(counts))
    pages = max(1, -(-total // MAX_SHOWN))
    number = min(number, pages)
    members = await cohort_members(
        conn,
        staff.organization_id,
        cohort_id,
        limit=MAX_SHOWN,
        offset=(number - 1) * MAX_SHOWN,
        status=status,
    )
    query = urlencode({"status": status} if status else {})
    return {
        "cohort_id": cohort_id,
        "members": members,
        "counts": counts,
        "total": total,
        "first": (number - 1) * MAX_SHOWN + 1,
        "page": number,
        "pages": pages,
        "filter": status,
        "query": query,
        "fragment_url": f"/dashboard/cohorts/{cohort_id}/status?"
        + urlencode({**({"status": status} if status else {}), "page": number}),
        "labels": STATUS_LABELS,
        "can_change": has_role(staff, "coordinator"),
        "packages": package_titles(content),
        "csrf": staff.csrf_token,
    }


async def cohort_page(
    conn: asyncpg.Connection,
    staff: StaffUser,
    content: ContentVersion,
    cohort_id: uuid.UUID,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    roster: Roster | None = None,
    notice: str | None = None,
    params: Mapping[str, str] | None = None,
) -> Template:
    """The cohort page, optionally re-shown with a form's errors or the roster report."""
    cohort = await get_cohort(conn, staff.organization_id, cohort_id)
    listing = await member_listing(conn, staff, content, cohort_id, params or {})
    batches = (
        await cohort_batches(conn, staff.organization_id, cohort_id)
        if has_role(staff, "coordinator")
        else []
    )
    return page(
        "cohort.html",
        staff,
        {
            **listing,
            "cohort": cohort,
            "package_list": list(content.packages.values()),
            "status_labels": [
                (s, STATUS_LABELS[None if s == "not_invited" else s]) for s in MEMBER_STATUSES
            ],
            "errors": errors or {},
            "values": values or {},
            "roster": roster,
            "max_rows": MAX_ROWS,
            "max_kib": MAX_BYTES // 1024,
            "notice": notice,
            "batches": batches,
        },
        path="/dashboard/cohorts",
        status=status,
    )
