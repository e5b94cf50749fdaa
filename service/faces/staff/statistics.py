"""Staff: item analysis per form, DIF per item and the bias audit over the organization's
stored scored attempts, as JSON and as CSV tables. Coordinators and admins; every read is
audited. The numbers come from ``service.analytics`` (the same functions the dashboard and
the command line use)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from litestar import Controller, Response, get
from litestar.params import FromPath, QueryParameter

from service.analytics.export import bias_audit_csv, dif_csv, item_analysis_csv
from service.analytics.population import Outcome
from service.analytics.reports import (
    BiasAuditReport,
    DifReport,
    ItemAnalysisReport,
    bias_audit_report,
    dif_report,
    item_analysis_report,
)
from service.analytics.selection import Selection
from service.auth.staff import StaffUser
from service.demographics.categories import Attribute
from service.tenancy import audit
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import STAFF_SECURITY, CurrentStaff, require_staff

CohortId = Annotated[uuid.UUID | None, QueryParameter(description="only members of this cohort")]
DateFrom = Annotated[
    dt.date | None, QueryParameter(description="first day of submission (UTC), inclusive")
]
DateTo = Annotated[
    dt.date | None, QueryParameter(description="last day of submission (UTC), inclusive")
]
OutcomeParam = Annotated[
    Outcome,
    QueryParameter(
        description="passed: passed the cut (needs assessment_id); scaled_score: scoring rate "
        "above the median (needs assessment_id); ready: latest readiness band is "
        "ready; hired: a hiring decision is recorded"
    ),
]
AssessmentParam = Annotated[
    str | None,
    QueryParameter(pattern=r"^[a-z_]{2,40}$", description="the assessment whose attempts count"),
]
AttributeParam = Annotated[Attribute, QueryParameter(description="sex or race_ethnicity")]
GroupParam = Annotated[
    str, QueryParameter(pattern=r"^[a-z_]{1,40}$", description="a stored category of the attribute")
]
AlphaParam = Annotated[float, QueryParameter(gt=0, lt=0.5, description="significance level")]
GroupsParam = Annotated[
    int | None,
    QueryParameter(
        ge=2,
        le=50,
        description="match in this many equal-frequency score groups (small "
        "samples); default: the total mark in whole marks",
    ),
]


def csv_response(text: str, filename: str) -> Response[str]:
    """A CSV download, never stored by shared caches."""
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


async def _noted(conn: Conn, staff: StaffUser, action: str, kind: str, subject: object) -> None:
    await audit.record(
        conn,
        staff.organization_id,
        actor=staff.actor,
        action=action,
        subject_kind=kind,
        subject_id=subject,
    )


class StatisticsController(Controller):
    """Item analysis, DIF and bias audit over stored scored attempts."""

    path = "/staff/statistics"
    tags = ["statistics"]  # noqa: RUF012
    guards = [require_staff]  # noqa: RUF012
    security = STAFF_SECURITY

    @get(
        "/forms/{form_id:str}/item-analysis",
        operation_id="itemAnalysis",
        summary="Item analysis of one form (Moodle's statistics)",
        opt={"role": "coordinator"},
    )
    async def item_analysis(
        self,
        form_id: FromPath[str],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        cohort_id: CohortId = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
    ) -> ItemAnalysisReport:
        """Facility, sd, intended and effective weight, discrimination index and
        discriminative efficiency per item (percentages as Moodle shows them, partial credit
        in marks) with flags; n, mean, median, sd, skewness, kurtosis, CIC, error ratio and
        standard error of the test. Over each candidate's latest scored attempt when it was
        on this form; `coverage.data_source` says whether the people are simulated."""
        report = await item_analysis_report(
            conn,
            content,
            staff.organization_id,
            form_id,
            Selection(cohort_id=cohort_id, date_from=date_from, date_to=date_to),
        )
        await _noted(conn, staff, "statistics.item_analysis", "form", form_id)
        return report

    @get(
        "/forms/{form_id:str}/item-analysis.csv",
        operation_id="itemAnalysisCsv",
        summary="Item analysis of one form as CSV",
        media_type="text/csv",
        opt={"role": "coordinator"},
    )
    async def item_analysis_csv(
        self,
        form_id: FromPath[str],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        cohort_id: CohortId = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        table: Annotated[
            Literal["items", "test"],
            QueryParameter(description="items: one row per item; test: the whole test"),
        ] = "items",
    ) -> Response[str]:
        """The item table (or the test table) with a data_source column."""
        report = await item_analysis_report(
            conn,
            content,
            staff.organization_id,
            form_id,
            Selection(cohort_id=cohort_id, date_from=date_from, date_to=date_to),
        )
        await _noted(conn, staff, "statistics.item_analysis", "form", form_id)
        return csv_response(
            item_analysis_csv(report, table), f"item-analysis-{form_id}-{table}.csv"
        )

    @get(
        "/forms/{form_id:str}/dif",
        operation_id="difReport",
        summary="Mantel-Haenszel DIF per item between two groups",
        opt={"role": "coordinator"},
    )
    async def dif(
        self,
        form_id: FromPath[str],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        attribute: AttributeParam = "sex",
        reference: GroupParam = "male",
        focal: GroupParam = "female",
        alpha: AlphaParam = 0.05,
        groups: GroupsParam = None,
        cohort_id: CohortId = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
    ) -> DifReport:
        """For each item of the form: alpha_MH, delta_MH, the MH chi-square with its p-value
        and the ETS class (A, B, C), matching candidates of the two self-reported groups on
        their total mark (whole marks, or equal-frequency score groups). Items count as right
        only with full marks."""
        report = await dif_report(
            conn,
            content,
            staff.organization_id,
            form_id,
            Selection(cohort_id=cohort_id, date_from=date_from, date_to=date_to),
            attribute=attribute,
            reference=reference,
            focal=focal,
            alpha=alpha,
            groups=groups,
        )
        await _noted(conn, staff, "statistics.dif", "form", form_id)
        return report

    @get(
        "/forms/{form_id:str}/dif.csv",
        operation_id="difCsv",
        summary="DIF per item as CSV",
        media_type="text/csv",
        opt={"role": "coordinator"},
    )
    async def dif_csv(
        self,
        form_id: FromPath[str],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        attribute: AttributeParam = "sex",
        reference: GroupParam = "male",
        focal: GroupParam = "female",
        alpha: AlphaParam = 0.05,
        groups: GroupsParam = None,
        cohort_id: CohortId = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
    ) -> Response[str]:
        """One row per item, with a data_source column."""
        report = await dif_report(
            conn,
            content,
            staff.organization_id,
            form_id,
            Selection(cohort_id=cohort_id, date_from=date_from, date_to=date_to),
            attribute=attribute,
            reference=reference,
            focal=focal,
            alpha=alpha,
            groups=groups,
        )
        await _noted(conn, staff, "statistics.dif", "form", form_id)
        return csv_response(dif_csv(report), f"dif-{form_id}-{attribute}.csv")

    @get(
        "/bias-audit",
        operation_id="biasAudit",
        summary="Bias audit (LL144, four-fifths rule) of an outcome",
        opt={"role": "coordinator"},
    )
    async def bias_audit(
        self,
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        outcome: OutcomeParam,
        assessment_id: AssessmentParam = None,
        cohort_id: CohortId = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
    ) -> BiasAuditReport:
        """Count, selection or scoring rate, impact ratio against the highest category,
        four-fifths flag (exact) and the under-2% exclusion for every sex, race/ethnicity and
        intersectional category, with the number of individuals of unknown category. Not
        stored: `POST /staff/bias-audits` keeps one for publishing."""
        report = await bias_audit_report(
            conn,
            content,
            staff.organization_id,
            Selection(cohort_id=cohort_id, date_from=date_from, date_to=date_to),
            outcome=outcome,
            assessment_id=assessment_id,
        )
        await _noted(conn, staff, "statistics.bias_audit", "organization", staff.organization_id)
        return report

    @get(
        "/bias-audit.csv",
        operation_id="biasAuditCsv",
        summary="Bias audit as CSV",
        media_type="text/csv",
        opt={"role": "coordinator"},
    )
    async def bias_audit_csv(
        self,
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        outcome: OutcomeParam,
        assessment_id: AssessmentParam = None,
        cohort_id: CohortId = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
    ) -> Response[str]:
        """Every category of every dimension, then each dimension's unknown count."""
        report = await bias_audit_report(
            conn,
            content,
            staff.organization_id,
            Selection(cohort_id=cohort_id, date_from=date_from, date_to=date_to),
            outcome=outcome,
            assessment_id=assessment_id,
        )
        await _noted(conn, staff, "statistics.bias_audit", "organization", staff.organization_id)
        return csv_response(bias_audit_csv(report), f"bias-audit-{outcome}.csv")
