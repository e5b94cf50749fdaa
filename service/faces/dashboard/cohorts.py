"""Cohort pages: the list (create, archived toggle) and one cohort (rename, archive, add
candidates one by one or from a CSV roster checked in full first, members table and its CSV).

Viewers read; coordinators and admins change. Inviting, links, live status and cohort PDFs
are in ``cohort_invites``; what a cohort's page shows is drawn by ``cohort_view``."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Template

from service.analytics.export import to_csv
from service.auth.staff import StaffUser
from service.delivery.cohorts import cohort_members
from service.faces.dashboard.cohort_view import (
    STATUS_LABELS,
    cohort_page,
    csv_response,
    form_fields,
    member_listing,
    package_titles,
)
from service.faces.dashboard.web import error_page, go, page, require_dashboard
from service.ground.errors import ChartReadyError, Conflict, InvalidInput
from service.tenancy import audit
from service.tenancy.candidates import NewCandidate
from service.tenancy.cohort_roster import (
    MAX_BYTES,
    MAX_ROWS,
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
