"""The publishable summary of a stored bias audit, as a page and a tagged PDF.

It holds what NYC Local Law 144 asks a published summary to contain (6 RCNY § 5-303): the
date of the audit, the source and explanation of the data, the number of individuals
assessed, the selection or scoring rates and impact ratios of every category (sex,
race/ethnicity, intersections), the number of individuals of unknown category, the
categories left out of impact ratios under the 2% rule with their counts and rates, and the
tool's distribution date. Every number says whether it comes from simulated or real people.

Rendering is synchronous and CPU-bound: run ``render_summary_pdf`` in a worker process.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
import warnings
from pathlib import Path

import asyncpg
import msgspec
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from service.analytics.audits import StoredAudit, get_audit
from service.demographics.categories import label
from service.statistics import CategoryRate, DimensionTable

TEMPLATES = Path(__file__).resolve().parent / "templates"
PDF_VARIANT = "pdf/ua-1"
TOOL = (
    "ChartReady skills assessments and readiness estimate for entry-level Medical Records "
    "Clerk (health information clerk) roles"
)


class SummaryRow(msgspec.Struct, frozen=True):
    """One category as printed: rounded only here, for display."""

    label: str
    count: int
    selected: int
    rate: str
    impact_ratio: str
    below_four_fifths: bool
    excluded: bool


class SummaryTable(msgspec.Struct, frozen=True):
    """One dimension's table."""

    title: str
    rows: list[SummaryRow]
    unknown: int
    highest: str | None


class AuditSummary(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the summary page and PDF print (small and picklable)."""

    audit_id: uuid.UUID
    organization_name: str
    tool: str
    audit_date: dt.date
    valid_until: dt.date
    distribution_date: dt.date | None
    outcome_description: str
    method: str
    median_score: float | None
    data_kind: str
    data_statement: str
    cohort: str | None
    date_from: dt.date | None
    date_to: dt.date | None
    first_submitted: dt.date | None
    last_submitted: dt.date | None
    individuals: int
    selected: int
    without_outcome: int
    tables: list[SummaryTable]
    excluded: list[SummaryRow]
    notes: list[str]


def _row(c: CategoryRate) -> SummaryRow:
    return SummaryRow(
        label=label(c.category),
        count=c.count,
        selected=c.selected,
        rate="—" if c.rate is None else f"{c.rate:.3f}",
        impact_ratio=(
            "not computed (under 2%)"
            if c.excluded_under_2_percent and c.count
            else "—"
            if c.impact_ratio is None
            else f"{c.impact_ratio:.3f}"
        ),
        below_four_fifths=bool(c.below_four_fifths),
        excluded=c.excluded_under_2_percent,
    )


def _table(title: str, table: DimensionTable) -> SummaryTable:
    return SummaryTable(
        title=title,
        rows=[_row(c) for c in table.categories],
        unknown=table.unknown,
        highest=None if table.highest is None else label(table.highest),
    )


def summarize(
    stored: StoredAudit, organization_name: str, distribution_date: dt.date | None
) -> AuditSummary:
    """The summary of a stored audit (pure)."""
    report = stored.report
    audit = report.audit
    cov = report.coverage
    tables = [
        _table("Sex", audit.sex),
        _table("Race/ethnicity", audit.race_ethnicity),
        _table("Intersectional categories (sex × race/ethnicity)", audit.intersections),
    ]
    excluded = [row for t in tables for row in t.rows if row.excluded and row.count]
    return AuditSummary(
        audit_id=stored.id,
        organization_name=organization_name,
        tool=TOOL,
        audit_date=stored.created_at.date(),
        valid_until=stored.valid_until,
        distribution_date=distribution_date,
        outcome_description=report.outcome_description,
        method="scoring rate" if audit.method == "scoring_rate" else "selection rate",
        median_score=audit.median_score,
        data_kind=cov.data_source.kind,
        data_statement=cov.data_source.statement,
        cohort=None if cov.cohort is None else cov.cohort.name,
        date_from=cov.date_from,
        date_to=cov.date_to,
        first_submitted=None if cov.first_submitted is None else cov.first_submitted.date(),
        last_submitted=None if cov.last_submitted is None else cov.last_submitted.date(),
        individuals=audit.n,
        selected=audit.selected,
        without_outcome=report.without_outcome,
        tables=tables,
        excluded=excluded,
        notes=audit.notes,
    )


async def load_summary(
    conn: asyncpg.Connection, organization_id: uuid.UUID, audit_id: uuid.UUID
) -> AuditSummary:
    """The summary of one of the organization's stored audits."""
    stored = await get_audit(conn, organization_id, audit_id)
    row = await conn.fetchrow(
        """SELECT o.name, (SELECT min(created_at) FROM invitations i
                           WHERE i.organization_id = o.id) AS first_use
           FROM organizations o WHERE o.id = $1""",
        organization_id,
    )
    first_use = row["first_use"]
    return summarize(stored, row["name"], None if first_use is None else first_use.date())


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = lambda d: "—" if d is None else f"{d:%B} {d.day}, {d.year}"
    return env


def render_summary_html(summary: AuditSummary, *, pdf_url: str | None = None) -> str:
    """The summary as a complete HTML page (stylesheet inline); ``pdf_url`` adds a link."""
    css = Markup((TEMPLATES / "audit_summary.css").read_text(encoding="utf-8"))  # noqa: S704 - our own stylesheet
    return (
        _environment()
        .get_template("audit_summary.html")
        .render(s=summary, css=css, pdf_url=pdf_url)
    )


def render_summary_pdf(summary: AuditSummary) -> bytes:
    """The summary as a tagged PDF (PDF/UA-1: structure, language, title)."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy import, render workers only

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ResourceWarning)
        pdf: bytes = HTML(string=render_summary_html(summary), base_url=str(TEMPLATES)).write_pdf(
            pdf_variant=PDF_VARIANT, custom_metadata=True
        )
    return pdf
