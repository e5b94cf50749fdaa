"""One candidate's page (``/dashboard/candidates/{id}``) and its actions: the page, its tables
as CSV and the profile PDFs; for coordinators and admins, rescoring with a reason, extra time
for a running attempt and a new link for an invitation. What the page shows, and to whom, is
in ``candidate_view``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from service.analytics.candidate import candidate_detail
from service.analytics.export import to_csv
from service.auth.staff import StaffUser
from service.delivery.extension import MAX_EXTRA_MINUTES, extend_attempt_time
from service.delivery.revocation import Reissue, reissue_invitation
from service.faces.dashboard.candidate_view import (
    BASE,
    OPEN_TABLES,
    TABLES,
    CandidatePage,
    integrity_events,
    render_candidate,
    sees_everything,
    tables,
)
from service.faces.dashboard.web import NO_STORE, error_page, go, require_dashboard
from service.ground.errors import ChartReadyError, InvalidInput, NotFound
from service.profiles.downloads import staff_profile_pdf
from service.results.rescoring import rescore_attempt
from service.tenancy import audit
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.downloads import pdf_response
from service.web.guards import CurrentStaff
from service.web.problems import FieldError, problem_response
from service.web.profiles import CurrentProfiles
from service.web.settings import AppSettings, Thresholds, mail_policy

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
DONE = {
    "rescored": "The attempt was rescored; the new run is shown below.",
    "extended": "The attempt's time was extended.",
}


class RescoreForm(msgspec.Struct, frozen=True):
    """Rescore an attempt: why (kept in the audit log)."""

    reason: str = ""


class ExtendForm(msgspec.Struct, frozen=True):
    """Extra minutes for a running attempt, and why."""

    minutes: str = ""
    reason: str = ""


class ReissueForm(msgspec.Struct, frozen=True):
    """A new link for an invitation: optionally a later expiry, e-mailed or not."""

    expires_in_days: str = ""
    send_email: str = ""


async def _owned_attempt(
    conn: asyncpg.Connection, staff: StaffUser, candidate_id: uuid.UUID, attempt_id: uuid.UUID
) -> None:
    found = await conn.fetchval(
        "SELECT 1 FROM attempts WHERE organization_id = $1 AND id = $2 AND candidate_id = $3",
        staff.organization_id,
        attempt_id,
        candidate_id,
    )
    if found is None:
        raise NotFound(f"No attempt {attempt_id} for this candidate", field="attempt_id")


class CandidatePages(Controller):
    """``/dashboard/candidates/{id}`` and its actions."""

    path = BASE
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get("/{candidate_id:uuid}", operation_id="dashboardCandidate", opt={"role": "viewer"})
    async def show(
        self,
        request: Request[Any, Any, Any],
        candidate_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Template:
        """The candidate's page (another organization's id is 404)."""
        done = DONE.get(str(request.query_params.get("done", "")))
        return await render_candidate(conn, staff, content, thresholds, candidate_id, done=done)

    @get(
        "/{candidate_id:uuid}/export.csv",
        operation_id="dashboardCandidateCsv",
        opt={"role": "viewer"},
    )
    async def csv(
        self,
        request: Request[Any, Any, Any],
        candidate_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Response[Any]:
        """One of the page's tables as CSV (``table``: scores, competencies, and for
        coordinators and admins responses, integrity, audit)."""
        table = str(request.query_params.get("table", ""))
        full = sees_everything(staff)
        allowed = TABLES if full else TABLES[:OPEN_TABLES]
        if table not in allowed:
            return problem_response(
                request,
                status=400,
                slug="invalid-input",
                title="Invalid input",
                detail=f"table: choose one of {', '.join(allowed)}",
                errors=[FieldError("query.table", f"Choose one of: {', '.join(allowed)}.")],
            )
        detail = await candidate_detail(conn, staff.organization_id, candidate_id, content)
        integrity = await integrity_events(conn, staff, detail) if table == "integrity" else {}
        header, rows = tables(detail, integrity, full)[table]
        await audit.record(
            conn,
            staff.organization_id,
            actor=staff.actor,
            action="candidate.export",
            subject_kind="candidate",
            subject_id=candidate_id,
            reason=f"table {table}",
        )
        return Response(
            to_csv(header, rows),
            media_type="text/csv; charset=utf-8",
            headers={
                **NO_STORE,
                "Content-Disposition": f'attachment; filename="candidate-{table}.csv"',
            },
        )

    @get(
        "/{candidate_id:uuid}/profile.pdf",
        operation_id="dashboardCandidateProfile",
        opt={"role": "viewer"},
    )
    async def profile(
        self,
        request: Request[Any, Any, Any],
        candidate_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        profiles: CurrentProfiles,
    ) -> Response[bytes]:
        """The current profile, ``variant=candidate`` or ``employer`` (coordinators and
        admins only)."""
        variant = str(request.query_params.get("variant", "candidate"))
        if variant not in ("candidate", "employer"):
            raise InvalidInput("variant: candidate or employer", field="variant")
        pdf = await staff_profile_pdf(
            conn,
            profiles,
            content,
            staff,
            candidate_id,
            "employer" if variant == "employer" else "candidate",
        )
        return pdf_response(pdf)

    @post(
        "/{candidate_id:uuid}/attempts/{attempt_id:uuid}/rescore",
        operation_id="dashboardRescore",
        opt={"role": "coordinator"},
        status_code=303,
    )
    async def rescore(
        self,
        candidate_id: FromPath[uuid.UUID],
        attempt_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        thresholds: Thresholds,
        data: Annotated[RescoreForm, Form],
    ) -> Response[Any]:
        """Rescore with the current content and final ratings; the reason is audited."""
        await _owned_attempt(conn, staff, candidate_id, attempt_id)

        async def action() -> Response[Any]:
            reason = data.reason.strip()
            if not 1 <= len(reason) <= 1000:
                raise InvalidInput("Say why (1 to 1000 characters)", field="reason")
            await rescore_attempt(
                conn,
                staff.organization_id,
                attempt_id,
                content,
                reason=reason,
                actor=staff.actor,
                thresholds=thresholds,
            )
            return go(f"{BASE}/{candidate_id}?done=rescored#attempt-{attempt_id}")

        again = CandidatePage(conn, staff, content, thresholds, candidate_id)
        return await again.unless_refused(f"rescore-{attempt_id}", "reason", action)

    @post(
        "/{candidate_id:uuid}/attempts/{attempt_id:uuid}/extend",
        operation_id="dashboardExtendTime",
        opt={"role": "coordinator"},
        status_code=303,
    )
    async def extend(
        self,
        candidate_id: FromPath[uuid.UUID],
        attempt_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        thresholds: Thresholds,
        data: Annotated[ExtendForm, Form],
    ) -> Response[Any]:
        """Give a running, timed attempt more minutes (audited with the reason)."""
        await _owned_attempt(conn, staff, candidate_id, attempt_id)

        async def action() -> Response[Any]:
            minutes = data.minutes.strip()
            if not (minutes.isascii() and minutes.isdigit()) or len(minutes) > 4:
                raise InvalidInput(
                    f"Give a whole number of minutes, 1 to {MAX_EXTRA_MINUTES}", field="minutes"
                )
            await extend_attempt_time(
                conn,
                staff.organization_id,
                attempt_id,
                int(minutes),
                actor=staff.actor,
                reason=data.reason,
            )
            return go(f"{BASE}/{candidate_id}?done=extended#attempt-{attempt_id}")

        again = CandidatePage(conn, staff, content, thresholds, candidate_id)
        return await again.unless_refused(f"extend-{attempt_id}", "minutes", action)

    @post(
        "/{candidate_id:uuid}/invitations/{invitation_id:uuid}/reissue",
        operation_id="dashboardReissueLink",
        opt={"role": "coordinator"},
        status_code=200,
    )
    async def reissue(
        self,
        candidate_id: FromPath[uuid.UUID],
        invitation_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        thresholds: Thresholds,
        settings: AppSettings,
        data: Annotated[ReissueForm, Form],
    ) -> Response[Any]:
        """Replace the invitation's link (the old one dies at once) and show the new one
        once; the same rule and path as the HR API's re-issue."""
        owner = await conn.fetchval(
            "SELECT candidate_id FROM invitations WHERE organization_id = $1 AND id = $2",
            staff.organization_id,
            invitation_id,
        )
        if owner != candidate_id:
            raise NotFound(
                f"No invitation {invitation_id} for this candidate", field="invitation_id"
            )
        again = CandidatePage(conn, staff, content, thresholds, candidate_id)

        async def action() -> Response[Any]:
            days = data.expires_in_days.strip()
            if days and (not (days.isascii() and days.isdigit()) or not 1 <= int(days) <= 90):
                raise InvalidInput("Give 1 to 90 days, or leave it empty", field="expires_in_days")
            issued = await reissue_invitation(
                conn,
                staff.organization_id,
                invitation_id,
                Reissue(
                    expires_in_days=int(days) if days else None, send_email=data.send_email == "on"
                ),
                base_url=settings.public_base_url,
                actor=staff.actor,
                mail=mail_policy(settings),
            )
            return await again.render(issued=issued)

        return await again.unless_refused(f"reissue-{invitation_id}", "expires_in_days", action)
