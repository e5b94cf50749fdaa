"""Fairness (``/dashboard/fairness``): the bias audit with four-fifths flags, DIF per item
with its ETS class, the stored audits and their publishable summary; admins keep an audit.
Coordinators and admins; every read is audited. The numbers come from ``service.analytics``;
every report says whether the people behind it are simulated or real."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from service.analytics.audits import AuditRequest, create_audit, list_audits
from service.analytics.population import NEEDS_ASSESSMENT, OUTCOMES
from service.analytics.reports import bias_audit_report, dif_report
from service.analytics.selection import cohort_choices
from service.demographics.categories import CATEGORIES
from service.faces.dashboard.analysis import (
    COORDINATOR,
    FAIR_PARAMS,
    check_form,
    form_choices,
    noted,
    query_string,
    read_filters,
    report_problem,
)
from service.faces.dashboard.web import error_page, go, page, require_dashboard
from service.ground.errors import ChartReadyError, InvalidInput
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import CurrentStaff

FAIRNESS = "/dashboard/fairness"
ETS_MEANINGS = {
    "A": "A: negligible DIF (|Δ| < 1 or not significant).",
    "B": "B: slight to moderate DIF: review the item.",
    "C": "C: moderate to large DIF (|Δ| ≥ 1.5 and significantly above 1): review before use.",
}
OUTCOME_LABELS = {
    "passed": "Passed the cut (needs an assessment)",
    "scaled_score": "Scaled score above the median (needs an assessment)",
    "ready": "Readiness band 'ready'",
    "hired": "Hiring decision recorded",
}


class DashboardFairness(Controller):
    """``/dashboard/fairness``: bias audit, DIF, stored audits and their summary."""

    path = FAIRNESS
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get("/", operation_id="dashboardFairness", opt=COORDINATOR)
    async def fairness(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Template:
        """The bias audit of an outcome (impact ratios, four-fifths flags) and DIF per item
        (Mantel-Haenszel, ETS class), over the chosen cohort and dates."""
        filters = read_filters(request, FAIR_PARAMS)
        raw, errors = filters.raw, filters.errors
        outcome = raw.get("outcome") or "passed"
        if outcome not in OUTCOMES:
            errors["outcome"] = "Choose an outcome from the list."
            outcome = "passed"
        raw["outcome"] = outcome
        form = check_form(content, filters)
        assessment = raw.get("assessment_id") or content.forms[form].assessment
        if assessment not in content.assessments:
            errors["assessment_id"] = "Choose an assessment from the list."
            assessment = content.forms[form].assessment
        raw["assessment_id"] = assessment
        attribute = raw.get("attribute") or "sex"
        if attribute not in CATEGORIES:
            errors["attribute"] = "Choose sex or race/ethnicity."
            attribute = "sex"
        raw["attribute"] = attribute
        groups = CATEGORIES[attribute]
        reference = raw.get("reference") or groups[1 if attribute == "sex" else 0]
        focal = raw.get("focal") or next(g for g in groups if g != reference)
        for name, value in (("reference", reference), ("focal", focal)):
            if value not in groups:
                errors[name] = f"Choose a {attribute.replace('_', '/')} group from the list."
        if reference == focal and "focal" not in errors:
            errors["focal"] = "The focal group must differ from the reference group."
        raw["reference"], raw["focal"] = reference, focal
        audit_report = dif = None
        audit_problem = dif_problem = None
        if not errors:
            try:
                audit_report = await bias_audit_report(
                    conn,
                    content,
                    staff.organization_id,
                    filters.selection,
                    outcome=outcome,  # type: ignore[arg-type]
                    assessment_id=assessment if outcome in NEEDS_ASSESSMENT else None,
                )
            except InvalidInput as exc:
                audit_problem = report_problem(
                    exc, filters, ("cohort_id", "date_from", "date_to", "outcome")
                )
            try:
                dif = await dif_report(
                    conn,
                    content,
                    staff.organization_id,
                    form,
                    filters.selection,
                    attribute=attribute,  # type: ignore[arg-type]
                    reference=reference,
                    focal=focal,
                )
            except InvalidInput as exc:
                dif_problem = report_problem(exc, filters, ("attribute", "reference", "focal"))
            await noted(conn, staff, "statistics.bias_audit", "organization", staff.organization_id)
            await noted(conn, staff, "statistics.dif", "form", form)
        return page(
            "fairness.html",
            staff,
            {
                "filters": raw,
                "errors": errors,
                "forms": form_choices(content),
                "assessments": [(a.id, a.title) for a in content.assessments.values()],
                "outcomes": OUTCOME_LABELS,
                "categories": CATEGORIES,
                "groups": groups,
                "cohorts": await cohort_choices(conn, staff.organization_id),
                "audit": audit_report,
                "audit_problem": audit_problem,
                "dif": dif,
                "dif_problem": dif_problem,
                "ets": ETS_MEANINGS,
                "stored": await list_audits(conn, staff.organization_id, limit=20),
                "query": query_string(filters),
                "notice": "Audit kept." if request.query_params.get("kept") else None,
            },
            path=FAIRNESS,
            status=422 if errors else 200,
        )

    @post("/audits", operation_id="dashboardKeepAudit", opt={"role": "admin"})
    async def keep(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
    ) -> Response[Any]:
        """Run the bias audit shown now and keep it, for its publishable summary (admins)."""
        form = await request.form()
        outcome = form.get("outcome")
        assessment = form.get("assessment_id") or None
        cohort = form.get("cohort_id") or None
        if outcome not in OUTCOMES:
            raise InvalidInput("Choose an outcome from the list", field="outcome")
        try:
            req = msgspec.convert(
                {
                    "outcome": outcome,
                    "assessment_id": assessment if outcome in NEEDS_ASSESSMENT else None,
                    "cohort_id": cohort,
                    "date_from": form.get("date_from") or None,
                    "date_to": form.get("date_to") or None,
                },
                AuditRequest,
            )
        except msgspec.ValidationError as exc:
            raise InvalidInput(f"The audit's filters are not valid: {exc}") from None
        stored = await create_audit(conn, content, staff.organization_id, req, actor=staff.actor)
        return go(f"{FAIRNESS}?kept={stored.id}#stored-audits")
