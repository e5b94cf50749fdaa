"""What one candidate's page shows (``/dashboard/candidates/{id}``), and to whom: its
tables (the page and their CSVs), charts, integrity signals, code look-up use, and the page
itself as it is rendered again after an action or with the reason an action was refused.

Every signed-in role sees the scores, readiness and the candidate's copy of the profile;
responses, ratings, integrity signals, look-up use, the employer copy, the audit trail and
the actions are for coordinators and admins (raters rate blind; viewers view results).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from litestar import Response
from litestar.response import Template

from service.analytics.candidate import CandidateDetail, candidate_detail
from service.analytics.export import Cell
from service.assessments.bank import ContentVersion
from service.assessments.items import CodeEntryItem
from service.auth.staff import StaffUser
from service.delivery.extension import MAX_EXTRA_MINUTES
from service.delivery.integrity import IntegrityEvent, list_events
from service.delivery.invitations import IssuedInvitation
from service.faces.dashboard import charts
from service.faces.dashboard.web import page
from service.ground.errors import Conflict, InvalidInput
from service.lookup.usage import LookupUsage, lookup_usage
from service.profiles.charts import Band, BarRow, readiness_gauge
from service.profiles.downloads import may_read_employer_copy
from service.readiness.predict import BandThresholds
from service.tenancy import audit

BASE = "/dashboard/candidates"
TABLES = ("scores", "competencies", "readiness", "invitations", "responses", "integrity", "audit")
OPEN_TABLES = 3  # the first three are for every role


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


async def integrity_events(
    conn: asyncpg.Connection, staff: StaffUser, detail: CandidateDetail
) -> dict[uuid.UUID, list[IntegrityEvent]]:
    """Each attempt's integrity signals in the order they happened."""
    return {a.id: await list_events(conn, staff.organization_id, a.id) for a in detail.attempts}


async def lookup_use(
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


def readiness_chart(detail: CandidateDetail, thresholds: BandThresholds) -> str:
    """The readiness estimate on the bands as SVG ("" without an estimate)."""
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


def competency_charts(detail: CandidateDetail) -> list[str]:
    """Each scored attempt's competency percents against their cuts, as SVG bars."""
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


async def render_candidate(
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
    """The candidate's page for ``staff`` (audited as a view), with an action's outcome or
    a refused form's field error when given."""
    detail = await candidate_detail(conn, staff.organization_id, candidate_id, content)
    full = sees_everything(staff)
    integrity = await integrity_events(conn, staff, detail) if full else {}
    lookups = await lookup_use(conn, staff, content, detail) if full else {}
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
            "readiness_chart": readiness_chart(detail, thresholds),
            "competency_charts": competency_charts(detail),
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


@dataclasses.dataclass(frozen=True)
class CandidatePage:
    """The candidate's page as one request will show it again: after an action, or with the
    field error of a refused one."""

    conn: asyncpg.Connection
    staff: StaffUser
    content: ContentVersion
    thresholds: BandThresholds
    candidate_id: uuid.UUID

    async def render(self, **shown: Any) -> Template:
        """The page, with ``shown`` (status, error, done, issued) as ``render_candidate``
        takes them."""
        return await render_candidate(
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
