"""Inviting a cohort from its page: the whole cohort or a ticked selection (package, expiry,
extra time), the new links shown once with copy buttons, re-issuing or cancelling a member's
link, the members' status as a fragment the page refreshes, and the cohort's PDFs (the
existing profile job) started, followed and downloaded as one archive.

Links hold a token of which only a hash is stored, so a link can be shown only in the answer
that made it; later, "re-issue" makes a new one (and the old one stops working)."""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from service.auth.staff import StaffUser
from service.delivery.cohorts import (
    CohortInvite,
    cancel_member_invitation,
    invite_members,
    reissue_member_link,
)
from service.delivery.invitations import MailPolicy
from service.delivery.revocation import Reissue
from service.faces.dashboard.cohort_view import cohort_page, form_fields, member_listing
from service.faces.dashboard.web import NO_STORE, error_page, go, page, require_dashboard
from service.ground.errors import ChartReadyError, Conflict, InvalidInput, NotFound
from service.jobs.profiles import (
    BatchProgress,
    batch_pdfs,
    batch_progress,
    request_cohort_profiles,
)
from service.tenancy import audit
from service.tenancy.cohorts import get_cohort
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import CurrentStaff
from service.web.settings import AppSettings

EXTRA_TIME = {"none": None, "1.25": 1.25, "1.5": 1.5, "2": 2.0}
"""The extra-time choices of the invite form (plus ``untimed``)."""


def _days(value: str, errors: dict[str, str]) -> int:
    try:
        days = int(value or "14")
    except ValueError:
        days = 0
    if not 1 <= days <= 90:
        errors["expires_in_days"] = "Give a whole number of days from 1 to 90"
    return days


def _invite_form(
    values: dict[str, str], ids: list[str]
) -> tuple[CohortInvite | None, list[uuid.UUID] | None, dict[str, str]]:
    errors: dict[str, str] = {}
    days = _days(values.get("expires_in_days", ""), errors)
    extra = values.get("extra_time", "none")
    if extra not in EXTRA_TIME and extra != "untimed":
        errors["extra_time"] = "Choose one of the extra-time options"
    if not values.get("package"):
        errors["package"] = "Choose a package"
    selected: list[uuid.UUID] | None = None
    if values.get("scope") == "selected":
        try:
            selected = [uuid.UUID(i) for i in ids]
        except ValueError:
            errors["ids"] = "The selection is not valid; reload the page"
        if not ids:
            errors["ids"] = "Tick at least one candidate in the table, or invite everyone"
    if errors:
        return None, None, errors
    return (
        CohortInvite(
            package=values["package"],
            expires_in_days=days,
            time_multiplier=EXTRA_TIME.get(extra),
            untimed=extra == "untimed",
            send_email=values.get("send_email") == "on",
        ),
        selected,
        {},
    )


def _links_page(
    staff: Any, cohort: Any, issued: list[Any], skipped: list[str], what: str
) -> Template:
    return page(
        "cohort_links.html",
        staff,
        {"cohort": cohort, "issued": issued, "skipped": skipped, "what": what},
        path="/dashboard/cohorts",
    )


async def _cohort_batch(
    conn: asyncpg.Connection, staff: StaffUser, cohort_id: uuid.UUID, batch_id: uuid.UUID
) -> BatchProgress:
    """A PDF rendering request of this cohort (another cohort's, or none: not found)."""
    batch = await batch_progress(conn, staff.organization_id, batch_id)
    if batch is None or batch.cohort_id != cohort_id:
        raise NotFound(f"No PDF job {batch_id} for this cohort", field="batch_id")
    return batch


def _fragment(name: str, context: dict[str, Any]) -> Template:
    return Template(template_name=f"dashboard/{name}", context=context, headers=NO_STORE)


class DashboardCohortInvites(Controller):
    """``/dashboard/cohorts/{id}``: invite, links, status, PDFs."""

    path = "/dashboard/cohorts/{cohort_id:uuid}"
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @post("/invite", operation_id="dashboardInviteCohort", opt={"role": "coordinator"})
    async def invite(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        settings: AppSettings,
    ) -> Response[Any]:
        """Invite everyone (``scope=all``) or the ticked members (``scope=selected``,
        ``ids``); answer with the new links, shown only this once."""
        values = await form_fields(request)
        ids = [v for v in (await request.form()).getall("ids", []) if isinstance(v, str)]
        invite, selected, errors = _invite_form(values, ids)
        if invite is None:
            return await cohort_page(
                conn, staff, content, cohort_id, status=422, errors=errors, values=values
            )
        try:
            done = await invite_members(
                conn,
                staff.organization_id,
                cohort_id,
                invite,
                candidate_ids=selected,
                content=content,
                base_url=settings.public_base_url,
                actor=staff.actor,
                mail=MailPolicy(smtp=settings.smtp_configured),
            )
        except InvalidInput as refused:
            return await cohort_page(
                conn,
                staff,
                content,
                cohort_id,
                status=422,
                errors={refused.field or "package": refused.detail},
                values=values,
            )
        cohort = await get_cohort(conn, staff.organization_id, cohort_id)
        return _links_page(staff, cohort, done.issued, done.skipped, "invited")

    @post(
        "/invitations/{invitation_id:uuid}/reissue",
        operation_id="dashboardReissueLink",
        opt={"role": "coordinator"},
    )
    async def reissue(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[uuid.UUID],
        invitation_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        settings: AppSettings,
    ) -> Response[Any]:
        """A new link replaces the old one (which stops working at once); the expiry moves
        to at least ``expires_in_days`` from now."""
        values = await form_fields(request)
        errors: dict[str, str] = {}
        days = _days(values.get("expires_in_days", ""), errors)
        if errors:
            return await cohort_page(conn, staff, content, cohort_id, status=422, errors=errors)
        try:
            link = await reissue_member_link(
                conn,
                staff.organization_id,
                cohort_id,
                invitation_id,
                Reissue(expires_in_days=days, send_email=values.get("send_email") == "on"),
                base_url=settings.public_base_url,
                actor=staff.actor,
                mail=MailPolicy(smtp=settings.smtp_configured),
            )
        except Conflict as refused:
            return await cohort_page(
                conn,
                staff,
                content,
                cohort_id,
                status=409,
                errors={"members": refused.detail},
            )
        cohort = await get_cohort(conn, staff.organization_id, cohort_id)
        return _links_page(staff, cohort, [link], [], "re-issued")

    @post(
        "/invitations/{invitation_id:uuid}/cancel",
        operation_id="dashboardCancelInvitation",
        opt={"role": "coordinator"},
    )
    async def cancel(
        self,
        cohort_id: FromPath[uuid.UUID],
        invitation_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
    ) -> Response[Any]:
        """Cancel a member's invitation: the link stops working; progress is kept."""
        await cancel_member_invitation(
            conn, staff.organization_id, cohort_id, invitation_id, actor=staff.actor
        )
        return go(f"/dashboard/cohorts/{cohort_id}?cancelled=1")

    @get("/status", operation_id="dashboardCohortStatus", opt={"role": "viewer"})
    async def status(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Template:
        """The members table as an HTML fragment (the page refreshes it every few seconds);
        ``status`` and ``page`` as on the page."""
        await get_cohort(conn, staff.organization_id, cohort_id)
        listing = await member_listing(conn, staff, content, cohort_id, request.query_params)
        return _fragment("cohort_status.html", listing)

    @post("/profiles", operation_id="dashboardRenderCohortProfiles", opt={"role": "coordinator"})
    async def render(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Response[Any]:
        """Queue the cohort's profiles (one job per member, rendered by the workers); the
        page then follows the progress."""
        variant = (await form_fields(request)).get("variant", "employer")
        if variant not in ("candidate", "employer"):
            return await cohort_page(
                conn,
                staff,
                content,
                cohort_id,
                status=422,
                errors={"variant": "Choose the candidate or the employer copy"},
            )
        await request_cohort_profiles(
            conn,
            organization_id=staff.organization_id,
            cohort_id=cohort_id,
            variant="candidate" if variant == "candidate" else "employer",
            created_by=staff.actor,
        )
        return go(f"/dashboard/cohorts/{cohort_id}#pdfs")

    @get(
        "/profiles/{batch_id:uuid}/progress",
        operation_id="dashboardCohortProfilesProgress",
        opt={"role": "coordinator"},
    )
    async def progress(
        self,
        cohort_id: FromPath[uuid.UUID],
        batch_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
    ) -> Template:
        """One rendering request's progress as an HTML fragment."""
        batch = await _cohort_batch(conn, staff, cohort_id, batch_id)
        return _fragment("cohort_batch.html", {"batch": batch, "cohort_id": cohort_id})

    @get(
        "/profiles/{batch_id:uuid}/profiles.zip",
        operation_id="dashboardCohortProfilesZip",
        opt={"role": "coordinator"},
    )
    async def download(
        self,
        cohort_id: FromPath[uuid.UUID],
        batch_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
    ) -> Response[bytes]:
        """The PDFs the request rendered, as one ZIP archive (audited per candidate as a
        profile download)."""
        batch = await _cohort_batch(conn, staff, cohort_id, batch_id)
        pdfs = await batch_pdfs(conn, staff.organization_id, batch_id)
        if not pdfs:
            raise NotFound("No profile of this job is ready yet", field="batch_id")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for pdf in pdfs:
                archive.writestr(pdf.filename, pdf.pdf)
        await audit.record(
            conn,
            staff.organization_id,
            actor=staff.actor,
            action="profile.download",
            subject_kind="cohort",
            subject_id=cohort_id,
            reason=f"{len(pdfs)} {batch.variant} profile(s), job {batch_id}",
        )
        return Response(
            buffer.getvalue(),
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="cohort-profiles-{batch_id}.zip"',
                "Cache-Control": "private, no-store",
            },
        )
