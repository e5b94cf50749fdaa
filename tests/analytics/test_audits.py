"""Stored bias audits, their CSV table and the publishable summary (page and tagged PDF)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import uuid

import asyncpg
import pytest
from pypdf import PdfReader

from service.analytics.audits import (
    AuditRequest,
    create_audit,
    get_audit,
    list_audits,
    valid_until,
)
from service.analytics.export import bias_audit_csv, to_csv
from service.analytics.summary import load_summary, render_summary_html, render_summary_pdf
from service.assessments.content import load_content
from service.ground.errors import NotFound
from tests.analytics.factories import Person, store_people
from tests.conftest import ARTIFACTS
from tests.profiles.helpers import seed_organization

CONTENT = load_content()


def _people(simulated: bool) -> list[Person]:
    # 100 people: NHPI 1 (1%, left out of impact ratios), Asian 2 (2%, kept), unknown race 3.
    return (
        [Person(sex="female", race="nhpi", passed=True, simulated=simulated)]
        + [Person(sex="female", race="asian", passed=p, simulated=simulated) for p in (True, False)]
        + [Person(sex="male", race="white", passed=n < 60, simulated=simulated) for n in range(94)]
        + [Person(sex="female", passed=True, simulated=simulated)] * 3
    )


async def test_an_audit_is_kept_listed_and_read_back(pool: asyncpg.Pool, org_id: uuid.UUID) -> None:
    await store_people(pool, org_id, _people(simulated=False))
    async with pool.acquire() as conn:
        stored = await create_audit(
            conn,
            CONTENT,
            org_id,
            AuditRequest(outcome="passed", assessment_id="privacy"),
            actor="staff:test",
        )
        again = await get_audit(conn, org_id, stored.id)
        listed = await list_audits(conn, org_id)
        other = await seed_organization(conn, "Other Clinic")
        with pytest.raises(NotFound):
            await get_audit(conn, other, stored.id)
        assert await list_audits(conn, other) == []
    assert again.report == stored.report
    assert again.valid_until == stored.created_at.date().replace(year=stored.created_at.year + 1)
    assert [(a.id, a.outcome, a.individuals, a.data_source) for a in listed] == [
        (stored.id, "passed", 100, "real")
    ]
    logged = await pool.fetchrow(
        "SELECT actor, action, subject_id FROM audit_log WHERE organization_id = $1", org_id
    )
    assert dict(logged) == {
        "actor": "staff:test",
        "action": "bias_audit.create",
        "subject_id": str(stored.id),
    }


def test_valid_for_one_year_even_from_a_leap_day() -> None:
    assert valid_until(dt.datetime(2028, 2, 29, 12, tzinfo=dt.UTC)) == dt.date(2029, 2, 28)
    assert valid_until(dt.datetime(2026, 7, 1, tzinfo=dt.UTC)) == dt.date(2027, 7, 1)


async def test_the_csv_table_lists_every_category_and_the_unknowns(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    await store_people(pool, org_id, _people(simulated=True))
    async with pool.acquire() as conn:
        stored = await create_audit(
            conn,
            CONTENT,
            org_id,
            AuditRequest(outcome="passed", assessment_id="privacy"),
            actor="t",
        )
    rows = list(csv.DictReader(io.StringIO(bias_audit_csv(stored.report))))
    assert len(rows) == (2 + 1) + (7 + 1) + (14 + 1)
    nhpi = next(r for r in rows if r["dimension"] == "race_ethnicity" and r["category"] == "nhpi")
    assert (nhpi["count"], nhpi["rate"], nhpi["impact_ratio"]) == ("1", "1.0", "")
    assert nhpi["excluded_under_2_percent"] == "true"
    unknown = next(
        r for r in rows if r["dimension"] == "race_ethnicity" and r["category"] == "unknown"
    )
    assert unknown["count"] == "3"
    assert {r["data_source"] for r in rows} == {"simulated"}


def test_csv_cells_never_run_as_spreadsheet_formulas() -> None:
    text = to_csv(["a", "b", "c"], [["=cmd|' /C calc'!A0", -1.5, None]])
    assert text.splitlines()[1] == "'=cmd|' /C calc'!A0,-1.5,"


async def test_the_summary_says_what_ll144_asks_and_where_numbers_come_from(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    await store_people(pool, org_id, _people(simulated=True))
    async with pool.acquire() as conn:
        stored = await create_audit(
            conn,
            CONTENT,
            org_id,
            AuditRequest(outcome="passed", assessment_id="privacy"),
            actor="t",
        )
        summary = await load_summary(conn, org_id, stored.id)
    assert summary.organization_name == "Test Health"
    assert summary.distribution_date is not None  # the first invitation
    assert summary.data_kind == "simulated"
    assert [r.label for r in summary.excluded] == [
        "Native Hawaiian or Pacific Islander (not Hispanic or Latino)",
        "Female × Native Hawaiian or Pacific Islander (not Hispanic or Latino)",
    ]
    html = render_summary_html(summary, pdf_url="/x.pdf")
    for needed in (
        "Date of the audit",
        "Simulated demo data",
        "Individuals assessed:",
        "Individuals of unknown category",
        "race/ethnicity 3",
        "Categories left out of impact ratios",
        "Impact ratio",
        "Female × White (not Hispanic or Latino)",
        "independent auditor",
        "Do not publish",
        'href="/x.pdf"',
        "below 4/5",
    ):
        assert needed in html, needed


def _pdf_text(path: object) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.slow
async def test_the_summary_pdf_is_tagged_and_readable(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    await store_people(pool, org_id, _people(simulated=False))
    async with pool.acquire() as conn:
        stored = await create_audit(
            conn,
            CONTENT,
            org_id,
            AuditRequest(outcome="passed", assessment_id="privacy"),
            actor="t",
        )
        summary = await load_summary(conn, org_id, stored.id)
    pdf = render_summary_pdf(summary)
    out = ARTIFACTS / "analytics"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "bias-audit-summary.pdf"
    path.write_bytes(pdf)
    text = _pdf_text(path)
    assert "Real data: 100 candidates assessed by this organization." in text
    assert "Date of the audit" in text and "Impact ratio" in text
    assert "0.638" in text  # White: 60 of 94 = 0.6383..., rounded for display only
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    assert reader.metadata is not None
    assert "Bias audit summary" in str(reader.metadata.title)
