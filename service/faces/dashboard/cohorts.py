"""Cohort pages: the list (create, archived toggle) and one cohort (rename, archive, add
candidates one by one or from a CSV roster checked in full first, members table and its CSV).

Viewers read; coordinators and admins change. Inviting, links, live status and cohort PDFs
are in ``cohort_invites``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Template

from service.analytics.export import to_csv
from service.assessments.bank import ContentVersion
from service.auth.staff import StaffUser
from service.delivery.cohorts import MAX_SHOWN, MEMBER_STATUSES, cohort_members, status_counts
from service.faces.dashboard.web import error_page, go, page, require_dashboard
from service.ground.errors import ChartReadyError, Conflict, InvalidInput
from service.jobs.profiles import cohort_batches
from service.tenancy import audit
from service.tenancy.candidates import NewCandidate
from service.tenancy.cohort_roster import (
    MAX_BYTES,
    MAX_ROWS,
    Roster,
    check_email,
    check_text,
    read_roster,
)
from service.tenancy.cohorts import (
    add_candidates,
    archive_cohort,
    create_cohort,
    get_cohort,
    list_cohorts,
    rename_cohort,
)
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import CurrentStaff, has_role

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


def _new_candidate(values: dict[str, str]) -> tuple[NewCandidate | None, dict[str, str]]:
    errors = {}
    for name in ("given_name", "family_name", "external_id"):
        why = check_text(name, values.get(name, ""), required=name != "external_id")
        if why:
            errors[name] = why[0].upper() + why[1:]
    why = check_email(values.get("email", ""))
    if why:
        errors["email"] = why[0].upper() + why[1:]
    if errors:
        return None, errors
    return NewCandidate(
        given_name=values["given_name"],
        family_name=values["family_name"],
        email=values["email"],
        external_id=values.get("external_id") or None,
    ), {}


def too_large(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    """A body over the server's limit (a huge roster): a readable page, not a problem JSON."""
    staff = request.scope.get("state", {}).get("staff")
    return page(
        "error.html",
        staff,
        {
            "title": "File too large",
            "message": f"The upload is larger than the server accepts. A roster may be at "
            f"most {MAX_BYTES // 1024} KiB and {MAX_ROWS} rows: split it into parts.",
        },
        status=413,
    )


class DashboardCohorts(Controller):
    """``/dashboard/cohorts``: list, create, rename, archive, add candidates, export."""

    path = "/dashboard/cohorts"
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page, 413: too_large}  # noqa: RUF012

    @get("/", operation_id="dashboardCohorts", opt={"role": "viewer"})
    async def index(
        self, request: Request[Any, Any, Any], conn: Conn, staff: CurrentStaff
    ) -> Response[Any]:
        """Active cohorts with member counts (``?archived=1`` adds archived ones;
        ``?format=csv`` downloads the table)."""
        archived = request.query_params.get("archived") == "1"
        cohorts = await list_cohorts(conn, staff.organization_id, archived=archived)
        if request.query_params.get("format") == "csv":
            return csv_response(
                to_csv(
                    ("cohort_id", "name", "members", "created_at", "archived_at"),
                    (
                        (
                            str(c.id),
                            c.name,
                            c.members,
                            c.created_at.isoformat(),
                            c.archived_at.isoformat() if c.archived_at else None,
                        )
                        for c in cohorts
                    ),
                ),
                "cohorts.csv",
            )
        return self._list(staff, cohorts, archived=archived)

    def _list(
        self,
        staff: StaffUser,
        cohorts: list[Any],
        *,
        archived: bool,
        error: str | None = None,
        name: str = "",
        status: int = 200,
    ) -> Template:
        return page(
            "cohorts.html",
            staff,
            {
                "cohorts": cohorts,
                "archived": archived,
                "can_change": has_role(staff, "coordinator"),
                "error": error,
                "name": name,
            },
            path="/dashboard/cohorts",
            status=status,
        )

    @post("/", operation_id="dashboardCreateCohort", opt={"role": "coordinator"})
    async def create(
        self, request: Request[Any, Any, Any], conn: Conn, staff: CurrentStaff
    ) -> Response[Any]:
        """A new cohort, then its page."""
        name = (await form_fields(request)).get("name", "")
        try:
            cohort = await create_cohort(conn, staff.organization_id, name, actor=staff.actor)
        except (InvalidInput, Conflict) as refused:
            cohorts = await list_cohorts(conn, staff.organization_id)
            return self._list(
                staff, cohorts, archived=False, error=refused.detail, name=name, status=422
            )
        return go(f"/dashboard/cohorts/{cohort.id}?created=1")

    @get("/{cohort_id:uuid}", operation_id="dashboardCohort", opt={"role": "viewer"})
    async def read(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Template:
        """Members with the status of their invitation, and the forms the role allows."""
        notices = {
            "created": "Cohort created. Add candidates below.",
            "renamed": "Cohort renamed.",
            "archived": "Cohort archived: it is kept, but left out of the working lists.",
            "unarchived": "Cohort restored to the working lists.",
            "cancelled": "Invitation cancelled: its link no longer works.",
        }
        notice = next((text for key, text in notices.items() if key in request.query_params), None)
        if "added" in request.query_params:
            notice = f"{request.query_params['added']} candidate(s) added to the cohort."
        return await cohort_page(
            conn, staff, content, cohort_id, notice=notice, params=request.query_params
        )

    @post(
        "/{cohort_id:uuid}/rename",
        operation_id="dashboardRenameCohort",
        opt={"role": "coordinator"},
    )
    async def rename(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Response[Any]:
        """A new name (unique in the organization)."""
        name = (await form_fields(request)).get("name", "")
        try:
            await rename_cohort(conn, staff.organization_id, cohort_id, name, actor=staff.actor)
        except (InvalidInput, Conflict) as refused:
            return await cohort_page(
                conn,
                staff,
                content,
                cohort_id,
                status=422,
                errors={"name": refused.detail},
                values={"name": name},
            )
        return go(f"/dashboard/cohorts/{cohort_id}?renamed=1")

    @post(
        "/{cohort_id:uuid}/archive",
        operation_id="dashboardArchiveCohort",
        opt={"role": "coordinator"},
    )
    async def archive(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
    ) -> Response[Any]:
        """Archive (``archived=1``) or restore (``archived=0``) the cohort."""
        archived = (await form_fields(request)).get("archived") != "0"
        await archive_cohort(
            conn, staff.organization_id, cohort_id, archived=archived, actor=staff.actor
        )
        return go(f"/dashboard/cohorts/{cohort_id}?{'archived' if archived else 'unarchived'}=1")

    @post(
        "/{cohort_id:uuid}/candidates",
        operation_id="dashboardAddCohortCandidate",
        opt={"role": "coordinator"},
    )
    async def add_one(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Response[Any]:
        """Register one candidate (or reuse the one already registered) and add them."""
        values = await form_fields(request)
        candidate, errors = _new_candidate(values)
        if candidate is None:
            return await cohort_page(
                conn, staff, content, cohort_id, status=422, errors=errors, values=values
            )
        added = await add_candidates(
            conn, staff.organization_id, cohort_id, [candidate], actor=staff.actor, source="form"
        )
        return go(f"/dashboard/cohorts/{cohort_id}?added={added.added}")

    @post(
        "/{cohort_id:uuid}/import",
        operation_id="dashboardImportCohortRoster",
        opt={"role": "coordinator"},
    )
    async def import_roster(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Response[Any]:
        """Check the whole roster; with any problem, show the report and store nothing;
        otherwise add every row in one transaction."""
        await get_cohort(conn, staff.organization_id, cohort_id)
        upload = (await request.form()).get("roster")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await cohort_page(
                conn,
                staff,
                content,
                cohort_id,
                status=422,
                errors={"roster": "Choose a CSV file to upload"},
            )
        data = await upload.read(MAX_BYTES + 1)
        roster = read_roster(data)
        if not roster.clean:
            return await cohort_page(conn, staff, content, cohort_id, status=422, roster=roster)
        added = await add_candidates(
            conn,
            staff.organization_id,
            cohort_id,
            roster.candidates,
            actor=staff.actor,
            source="csv",
        )
        return go(f"/dashboard/cohorts/{cohort_id}?added={added.added}")

    @get(
        "/{cohort_id:uuid}/members.csv",
        operation_id="dashboardCohortMembersCsv",
        opt={"role": "viewer"},
    )
    async def members_csv(
        self, cohort_id: FromPath[uuid.UUID], conn: Conn, staff: CurrentStaff
    ) -> Response[str]:
        """Every member (not only those listed) with the status of their invitation."""
        await get_cohort(conn, staff.organization_id, cohort_id)
        members = await cohort_members(conn, staff.organization_id, cohort_id, limit=None)
        await audit.record(
            conn,
            staff.organization_id,
            actor=staff.actor,
            action="cohort.export",
            subject_kind="cohort",
            subject_id=cohort_id,
        )
        rows = (
            (
                str(m.candidate_id),
                m.given_name,
                m.family_name,
                m.email,
                m.external_id,
                STATUS_LABELS[m.status],
                m.package,
                m.finished if m.invitation_id else None,
                len(m.assessments) if m.invitation_id else None,
                m.invited_at.isoformat() if m.invited_at else None,
                m.started_at.isoformat() if m.started_at else None,
                m.completed_at.isoformat() if m.completed_at else None,
                m.expires_at.isoformat() if m.expires_at else None,
                "untimed" if m.untimed else m.time_multiplier,
                str(m.invitation_id) if m.invitation_id else None,
            )
            for m in members
        )
        return csv_response(
            to_csv(
                (
                    "candidate_id",
                    "given_name",
                    "family_name",
                    "email",
                    "external_id",
                    "status",
                    "package",
                    "assessments_finished",
                    "assessments",
                    "invited_at",
                    "started_at",
                    "completed_at",
                    "expires_at",
                    "time_accommodation",
                    "invitation_id",
                ),
                rows,
            ),
            f"cohort-{cohort_id}-members.csv",
        )


__all__ = [
    "DashboardCohorts",
    "cohort_page",
    "csv_response",
    "form_fields",
    "member_listing",
    "package_titles",
]
