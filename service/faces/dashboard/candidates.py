"""One candidate's page (``/dashboard/candidates/{id}``): scores, responses with keys and
marks, ratings, integrity signals (context, never a verdict), readiness with its model's
provenance, profile downloads, the audit trail; and, for coordinators and admins, rescoring
with a reason, extra time for a running attempt and a new link for an invitation.

Who sees what: every signed-in role sees the scores, readiness and the candidate's copy of
the profile; responses, ratings, integrity signals, the employer copy, the audit trail and
the actions are for coordinators and admins (raters rate blind; viewers view results).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from service.analytics.candidate import CandidateDetail, candidate_detail
from service.analytics.export import Cell, to_csv
from service.assessments.bank import ContentVersion
from service.assessments.items import CodeEntryItem
from service.auth.staff import StaffUser
from service.delivery.extension import MAX_EXTRA_MINUTES, extend_attempt_time
from service.delivery.integrity import IntegrityEvent, list_events
from service.delivery.invitations import IssuedInvitation
from service.delivery.revocation import Reissue, reissue_invitation
from service.faces.dashboard import charts
from service.faces.dashboard.web import NO_STORE, error_page, go, page, require_dashboard
from service.ground.errors import ChartReadyError, Conflict, InvalidInput, NotFound
from service.lookup.usage import LookupUsage, lookup_usage
from service.profiles.charts import Band, BarRow, readiness_gauge
from service.profiles.downloads import may_read_employer_copy, staff_profile_pdf
from service.readiness.predict import BandThresholds
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
BASE = "/dashboard/candidates"
TABLES = ("scores", "competencies", "readiness", "invitations", "responses", "integrity", "audit")
OPEN_TABLES = 3  # the first three are for every role
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


def sees_everything(staff: StaffUser) -> bool:
    """Coordinators and admins see responses, ratings, integrity and the audit trail."""
    return may_read_employer_copy(staff)


def tables(
    detail: CandidateDetail, integrity: dict[uuid.UUID, list[IntegrityEvent]], full: bool
) -> dict[str, tuple[list[str], list[list[Cell]]]]:
    """Every table of the page as (header, rows), shared by the page and its CSV."""
    out: dict[str, tuple[list[str], list[list[Cell]]]] = {
        "scores": (
            [
                "assessment",
                "form",
                "status",
                "submitted_at",
                "scaled_score",
                "cut",
                "passed",
                "provisional",
                "awaiting_rating",
                "reported",
            ],
            [
                [
                    a.title,
                    a.form_id,
                    a.status,
                    a.submitted_at.isoformat() if a.submitted_at else None,
                    a.run.scaled_score if a.run else None,
                    a.cut,
                    a.run.passed if a.run else None,
                    a.run.provisional if a.run else None,
                    a.run.awaiting_rating if a.run else None,
                    a.latest,
                ]
                for a in detail.attempts
            ],
        ),
        "competencies": (
            ["assessment", "competency", "percent", "cut_percent_angoff", "level", "provisional"],
            [
                [a.title, c.name, round(c.percent, 2), round(c.cut, 2), c.level, c.provisional]
                for a in detail.attempts
                for c in a.competencies
            ],
        ),
        "readiness": (
            ["competency", "percent", "typical_percent", "change_in_probability", "sentence"],
            [
                [e.competency_id, e.percent, e.typical_percent, e.change, e.sentence]
                for e in (detail.readiness.stored.estimate.effects if detail.readiness else ())
            ],
        ),
    }
    if full:
        out["invitations"] = (
            [
                "invitation_id",
                "assessments",
                "status",
                "created_at",
                "expires_at",
                "time_multiplier",
                "untimed",
                "reissued_at",
            ],
            [
                [
                    str(i.id),
                    " ".join(i.assessments),
                    i.status,
                    i.created_at.isoformat(),
                    i.expires_at.isoformat(),
                    i.time_multiplier,
                    i.untimed,
                    i.reissued_at.isoformat() if i.reissued_at else None,
                ]
                for i in detail.invitations
            ],
        )
        out["responses"] = (
            [
                "assessment",
                "item",
                "answer",
                "key",
                "points",
                "max_points",
                "provisional",
                "rating_state",
                "ratings",
            ],
            [
                [
                    a.title,
                    r.item_id,
                    r.answer,
                    r.key,
                    r.points,
                    r.max_points,
                    r.provisional,
                    r.rating_state,
                    "; ".join(f"{x.rater} ({x.role}): {x.levels}" for x in r.ratings) or None,
                ]
                for a in detail.attempts
                for r in a.responses
            ],
        )
        out["integrity"] = (
            ["assessment", "at", "kind", "severity", "item", "accommodated", "context"],
            [
                [
                    a.title,
                    e.at.isoformat(),
                    e.kind,
                    e.severity,
                    e.item_id,
                    e.accommodated,
                    "; ".join(f"{k}: {v}" for k, v in e.detail.items()) or None,
                ]
                for a in detail.attempts
                for e in integrity.get(a.id, [])
            ],
        )
        out["audit"] = (
            ["at", "actor", "action", "subject", "reason"],
            [
                [e.at.isoformat(), e.actor, e.action, f"{e.subject_kind} {e.subject_id}", e.reason]
                for e in detail.audit
            ],
        )
    return out


async def _integrity(
    conn: asyncpg.Connection, staff: StaffUser, detail: CandidateDetail
) -> dict[uuid.UUID, list[IntegrityEvent]]:
    return {a.id: await list_events(conn, staff.organization_id, a.id) for a in detail.attempts}


async def _lookups(
    conn: asyncpg.Connection, staff: StaffUser, content: ContentVersion, detail: CandidateDetail
) -> dict[uuid.UUID, LookupUsage]:
    """Use of the code look-up in each attempt whose form offers it (beside code entry)."""
    offered = {
        f.id for f in content.forms.values() if any(isinstance(i, CodeEntryItem) for i in f.items)
    }
    return {
        a.id: await lookup_usage(conn, staff.organization_id, [a.id])
        for a in detail.attempts
        if a.form_id in offered
    }


def _readiness_chart(detail: CandidateDetail, thresholds: BandThresholds) -> str:
    if detail.readiness is None:
        return ""
    e = detail.readiness.stored.estimate
    return readiness_gauge(
        e.probability,
        e.lower,
        e.upper,
        bands=(
            Band("Not yet", 0.0, thresholds.nearly_ready),
            Band("Nearly ready", thresholds.nearly_ready, thresholds.ready),
            Band("Ready", thresholds.ready, 1.0),
        ),
        chart_id="readiness-gauge",
    )


def _competency_chart(detail: CandidateDetail) -> list[str]:
    return [
        charts.competency_bars(
            [
                BarRow(
                    label=c.name,
                    percent=c.percent,
                    cut_percent=c.cut,
                    level=c.level + (" · provisional" if c.provisional else ""),
                )
                for c in a.competencies
            ],
            chart_id=f"competencies-{a.id}",
        )
        if a.competencies
        else ""
        for a in detail.attempts
    ]


async def _render(
    conn: asyncpg.Connection,
    staff: StaffUser,
    content: ContentVersion,
    thresholds: BandThresholds,
    candidate_id: uuid.UUID,
    *,
    status: int = 200,
    error: tuple[str, str, str] | None = None,  # (form id, field, message)
    done: str | None = None,
    issued: IssuedInvitation | None = None,
) -> Template:
    detail = await candidate_detail(conn, staff.organization_id, candidate_id, content)
    full = sees_everything(staff)
    integrity = await _integrity(conn, staff, detail) if full else {}
    lookups = await _lookups(conn, staff, content, detail) if full else {}
    await audit.record(
        conn,
        staff.organization_id,
        actor=staff.actor,
        action="candidate.view",
        subject_kind="candidate",
        subject_id=candidate_id,
    )
    path = f"{BASE}/{candidate_id}"
    return page(
        "candidate.html",
        staff,
        {
            "d": detail,
            "full": full,
            "integrity": integrity,
            "lookups": lookups,
            "tables": tables(detail, integrity, full),
            "csv": {t: f"{path}/export.csv?table={t}" for t in TABLES},
            "readiness_chart": _readiness_chart(detail, thresholds),
            "competency_charts": _competency_chart(detail),
            "thresholds": thresholds,
            "names": {cid: c.name for cid, c in content.competencies.items()},
            "error": error,
            "done": done,
            "issued": issued,
            "max_minutes": MAX_EXTRA_MINUTES,
            "base": path,
        },
        path=path,
        status=status,
    )


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


@dataclasses.dataclass(frozen=True)
class _Page:
    """The candidate's page as one request will show it again: after an action, or with the
    field error of a refused one."""

    conn: asyncpg.Connection
    staff: StaffUser
    content: ContentVersion
    thresholds: BandThresholds
    candidate_id: uuid.UUID

    async def render(self, **shown: Any) -> Template:
        """The page, with ``shown`` (status, error, done, issued) as ``_render`` takes them."""
        return await _render(
            self.conn, self.staff, self.content, self.thresholds, self.candidate_id, **shown
        )

    async def unless_refused(
        self, form: str, field: str, action: Callable[[], Awaitable[Response[Any]]]
    ) -> Response[Any]:
        """What ``action`` answers; when it refuses (bad input, or a state that forbids it),
        the page again with the reason beside ``form``'s field (``field`` unless named)."""
        try:
            return await action()
        except (InvalidInput, Conflict) as refused:
            return await self.render(
                status=422, error=(form, refused.field or field, refused.detail)
            )


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
        return await _render(conn, staff, content, thresholds, candidate_id, done=done)

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
        integrity = await _integrity(conn, staff, detail) if table == "integrity" else {}
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

        again = _Page(conn, staff, content, thresholds, candidate_id)
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

        again = _Page(conn, staff, content, thresholds, candidate_id)
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
        again = _Page(conn, staff, content, thresholds, candidate_id)

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
