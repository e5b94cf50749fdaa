"""Item analysis per form (``/dashboard/statistics``), the filters it shares with fairness
(``fairness``: the bias audit, DIF, stored audits), and the tables of both pages as CSV.
Coordinators and admins; every read is audited.

The numbers come from ``service.analytics`` (the same reports the staff JSON API and the
command line use); this module only reads the filters, shows the tables and exports them.
Every report says whether the people behind it are simulated or real."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from service.analytics.export import bias_audit_csv, dif_csv, item_analysis_csv
from service.analytics.population import NEEDS_ASSESSMENT, OUTCOMES
from service.analytics.reports import bias_audit_report, dif_report, item_analysis_report
from service.analytics.selection import Selection, cohort_choices
from service.analytics.summary import load_summary, render_summary_pdf
from service.assessments.bank import ContentVersion
from service.auth.staff import StaffUser
from service.faces.dashboard.ratings import csv_download
from service.faces.dashboard.web import error_page, page, require_dashboard
from service.ground.errors import ChartReadyError, InvalidInput
from service.tenancy import audit
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import CurrentStaff
from service.web.profiles import CurrentProfiles

COORDINATOR = {"role": "coordinator"}
STATISTICS = "/dashboard/statistics"

FLAG_MEANINGS: dict[str, str] = {
    "constant": "Everyone earned the same mark: the item tells candidates apart not at all.",
    "facility_out_of_range": (
        "Facility outside 10–90%: nearly everyone (or nearly no one) gets it right, so it "
        "says little about who is ready."
    ),
    "low_discrimination": (
        "Discrimination index below 20: candidates who do well on the rest of the form do "
        "not do clearly better on this item. Check the key and the wording."
    ),
    "dubious": (
        "Discriminative efficiency below 15% (Moodle's 'dubious' mark): the item discriminates "
        "far less than its facility would allow."
    ),
    "negative_covariance": (
        "Candidates who do better on the rest of the form do worse on this item: a likely "
        "wrong key or a misleading item. Review it first."
    ),
}


class Filters(msgspec.Struct, kw_only=True):
    """The query string of a statistics page, as typed (kept to re-show the form)."""

    raw: dict[str, str]
    selection: Selection
    errors: dict[str, str]


def _date(value: str, field: str, errors: dict[str, str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[field] = "Give a date as YYYY-MM-DD."
        return None


def read_filters(request: Request[Any, Any, Any], names: tuple[str, ...]) -> Filters:
    """The cohort and date range, and the page's other parameters, checked; every problem is
    kept against its field (the page shows it beside the field, never a 500)."""
    raw = {n: (request.query_params.get(n) or "").strip()[:100] for n in names}
    errors: dict[str, str] = {}
    cohort = None
    if raw.get("cohort_id"):
        try:
            cohort = uuid.UUID(raw["cohort_id"])
        except ValueError:
            errors["cohort_id"] = "Choose a cohort from the list."
    first = _date(raw.get("date_from", ""), "date_from", errors)
    last = _date(raw.get("date_to", ""), "date_to", errors)
    if first and last and first > last:
        errors["date_from"] = "The first day is after the last day."
    return Filters(
        raw=raw,
        selection=Selection(cohort_id=cohort, date_from=first, date_to=last),
        errors=errors,
    )


def form_choices(content: ContentVersion) -> list[tuple[str, str]]:
    """Every form as (id, label) for a filter's choices."""
    return [
        (form.id, f"{content.assessments[form.assessment].title}: form {form.id}")
        for form in content.forms.values()
    ]


async def noted(conn: Conn, staff: StaffUser, action: str, kind: str, subject: object) -> None:
    """Write a read of a report to the audit log."""
    await audit.record(
        conn,
        staff.organization_id,
        actor=staff.actor,
        action=action,
        subject_kind=kind,
        subject_id=subject,
    )


def query_string(filters: Filters, **extra: str) -> str:
    """The filters (and ``extra``) as a query string, empty ones left out."""
    return urlencode({k: v for k, v in {**filters.raw, **extra}.items() if v})


STAT_PARAMS = ("form", "cohort_id", "date_from", "date_to")
FAIR_PARAMS = (
    "outcome",
    "assessment_id",
    "form",
    "attribute",
    "reference",
    "focal",
    "cohort_id",
    "date_from",
    "date_to",
)


def check_form(content: ContentVersion, filters: Filters) -> str:
    """The chosen form (the first one when none is chosen, with an error when it is unknown)."""
    form = filters.raw.get("form") or next(iter(content.forms))
    if form not in content.forms:
        filters.errors["form"] = "Choose a form from the list."
        form = next(iter(content.forms))
    filters.raw["form"] = form
    return form


def report_problem(exc: InvalidInput, filters: Filters, own: tuple[str, ...]) -> str | None:
    """A filter the core refused goes beside its field; anything else (too few attempts)
    is said where the report would be."""
    if exc.field in own and exc.field not in ("form", "form_id"):
        filters.errors[exc.field] = exc.detail
        return None
    return exc.detail


class DashboardStatistics(Controller):
    """``/dashboard/statistics``: Moodle's item analysis of one form."""

    path = STATISTICS
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get("/", operation_id="dashboardItemAnalysis", opt=COORDINATOR)
    async def item_analysis(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Template:
        """The item table with flags explained, the test table, where the data come from."""
        filters = read_filters(request, STAT_PARAMS)
        form = check_form(content, filters)
        report, problem = None, None
        if not filters.errors:
            try:
                report = await item_analysis_report(
                    conn, content, staff.organization_id, form, filters.selection
                )
            except InvalidInput as exc:
                problem = report_problem(exc, filters, ("cohort_id", "date_from", "date_to"))
            await noted(conn, staff, "statistics.item_analysis", "form", form)
        flagged = sorted({f for i in report.analysis.items for f in i.flags}) if report else []
        return page(
            "statistics.html",
            staff,
            {
                "filters": filters.raw,
                "errors": filters.errors,
                "forms": form_choices(content),
                "cohorts": await cohort_choices(conn, staff.organization_id),
                "report": report,
                "problem": problem,
                "flag_meanings": FLAG_MEANINGS,
                "flagged": flagged,
                "query": query_string(filters),
            },
            path=STATISTICS,
            status=422 if filters.errors else 200,
        )


class DashboardAnalysisExports(Controller):
    """The tables of both pages as CSV, and the audit summary as a PDF (problem details on
    error, like every export)."""

    path = "/dashboard"
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012

    @get("/statistics/items.csv", operation_id="dashboardItemsCsv", opt=COORDINATOR)
    async def items_csv(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Response[str]:
        """The item table as shown (``?table=test``: the test table)."""
        filters = read_filters(request, (*STAT_PARAMS, "table"))
        _raise_first(filters)
        form = filters.raw.get("form", "")
        report = await item_analysis_report(
            conn, content, staff.organization_id, form, filters.selection
        )
        table: Literal["items", "test"] = "test" if filters.raw.get("table") == "test" else "items"
        await noted(conn, staff, "statistics.item_analysis", "form", form)
        return csv_download(item_analysis_csv(report, table), f"item-analysis-{form}-{table}.csv")

    @get("/fairness/bias-audit.csv", operation_id="dashboardBiasAuditCsv", opt=COORDINATOR)
    async def audit_csv(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Response[str]:
        """Every category of every dimension, then each dimension's unknown count."""
        filters = read_filters(request, FAIR_PARAMS)
        _raise_first(filters)
        outcome = filters.raw.get("outcome") or "passed"
        if outcome not in OUTCOMES:
            raise InvalidInput("outcome must be one of " + ", ".join(OUTCOMES), field="outcome")
        assessment = filters.raw.get("assessment_id") or None
        report = await bias_audit_report(
            conn,
            content,
            staff.organization_id,
            filters.selection,
            outcome=outcome,
            assessment_id=assessment if outcome in NEEDS_ASSESSMENT else None,
        )
        await noted(conn, staff, "statistics.bias_audit", "organization", staff.organization_id)
        return csv_download(bias_audit_csv(report), f"bias-audit-{outcome}.csv")

    @get("/fairness/dif.csv", operation_id="dashboardDifCsv", opt=COORDINATOR)
    async def dif_table_csv(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Response[str]:
        """DIF per item of the form, as shown."""
        filters = read_filters(request, FAIR_PARAMS)
        _raise_first(filters)
        raw = filters.raw
        form = raw.get("form", "")
        report = await dif_report(
            conn,
            content,
            staff.organization_id,
            form,
            filters.selection,
            attribute=raw.get("attribute") or "sex",  # type: ignore[arg-type]
            reference=raw.get("reference") or "male",
            focal=raw.get("focal") or "female",
        )
        await noted(conn, staff, "statistics.dif", "form", form)
        return csv_download(dif_csv(report), f"dif-{form}-{report.attribute}.csv")

    @get(
        "/fairness/audits/{audit_id:uuid}/summary.pdf",
        operation_id="dashboardAuditSummaryPdf",
        opt=COORDINATOR,
        media_type="application/pdf",
    )
    async def summary_pdf(
        self,
        audit_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        profiles: CurrentProfiles,
    ) -> Response[bytes]:
        """The publishable summary of a kept audit as a tagged PDF."""
        data = await load_summary(conn, staff.organization_id, audit_id)
        pdf = await profiles.render_pool.run(render_summary_pdf, data)
        await noted(conn, staff, "bias_audit.summary", "bias_audit", audit_id)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="bias-audit-summary-{data.audit_date}.pdf"'
                ),
                "Cache-Control": "private, no-store",
            },
        )


def _raise_first(filters: Filters) -> None:
    for field, detail in filters.errors.items():
        raise InvalidInput(detail, field=field)
