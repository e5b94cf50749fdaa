"""Staff statistics over HTTP: roles, audit log, CSV, problem details, stored audits and
their summary, and the admins-only demographics read."""

from __future__ import annotations

import csv
import io
import uuid

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.analytics.factories import Person, cohort_of, store_people
from tests.results.factories import staff_headers
from tests.web.test_error_shape import assert_problem

HAND = [
    {"PRI-A-01": 1, "PRI-A-02": 1, "PRI-A-11": 2},
    {"PRI-A-01": 1, "PRI-A-11": 1},
    {"PRI-A-02": 1},
    {"PRI-A-11": 1},
]
BASE = "/staff/statistics"


def _people() -> list[Person]:
    sexes = ["female", "male"]
    races = ["white", "black", "hispanic_latino"]
    return [
        Person(marks=HAND[n % 4], sex=sexes[n % 2], race=races[n % 3], passed=n % 3 > 0)
        for n in range(12)
    ]


async def _actions(pool: asyncpg.Pool, org: uuid.UUID) -> list[str]:  # type: ignore[type-arg]
    rows = await pool.fetch(
        "SELECT action FROM audit_log WHERE organization_id = $1 ORDER BY id", org
    )
    return [r["action"] for r in rows]


async def test_item_analysis_json_csv_roles_and_audit(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    ids = await store_people(pool, org_id, _people())
    cohort = await cohort_of(pool, org_id, ids[:4])
    await staff_headers(client, pool, org_id, "viewer", "viewer@example.org")
    assert_problem(await client.get(f"{BASE}/forms/privacy-a/item-analysis"), 403)
    client.cookies.clear()
    await staff_headers(client, pool, org_id, "coordinator", "coord@example.org")
    r = await client.get(f"{BASE}/forms/privacy-a/item-analysis")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["attempts"] == 12 and doc["analysis"]["test"]["n"] == 12
    assert doc["coverage"]["data_source"]["kind"] == "real"
    assert doc["analysis"]["items"][0]["id"] == "PRI-A-01"
    assert "NaN" not in r.text
    in_cohort = await client.get(
        f"{BASE}/forms/privacy-a/item-analysis", params={"cohort_id": str(cohort)}
    )
    assert in_cohort.json()["attempts"] == 4
    table = await client.get(f"{BASE}/forms/privacy-a/item-analysis.csv")
    assert table.status_code == 200
    assert table.headers["content-type"].startswith("text/csv")
    assert "attachment" in table.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert len(rows) == 24 and rows[0]["item_id"] == "PRI-A-01"
    assert rows[4]["flags"] == "constant;facility_out_of_range"
    test = list(
        csv.DictReader(
            io.StringIO(
                (
                    await client.get(
                        f"{BASE}/forms/privacy-a/item-analysis.csv", params={"table": "test"}
                    )
                ).text
            )
        )
    )
    assert test[0]["n"] == "12" and test[0]["data_source"] == "real"
    assert await _actions(pool, org_id) == ["statistics.item_analysis"] * 4


async def test_item_analysis_bad_input_is_a_problem_naming_the_field(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await store_people(pool, org_id, [Person(marks=HAND[0])])
    await staff_headers(client, pool, org_id, "coordinator", "coord@example.org")
    url = f"{BASE}/forms/privacy-a/item-analysis"
    assert_problem(await client.get(url), 422, "form_id")  # one attempt only
    assert_problem(await client.get(f"{BASE}/forms/privacy-q/item-analysis"), 404, "form_id")
    assert_problem(await client.get(url, params={"cohort_id": "nope"}), 400, "cohort_id")
    assert_problem(await client.get(url, params={"cohort_id": str(uuid.uuid4())}), 404, "cohort_id")
    assert_problem(await client.get(url, params={"date_from": "2026-02-30"}), 400, "date_from")
    assert_problem(
        await client.get(url, params={"date_from": "2026-03-02", "date_to": "2026-03-01"}),
        422,
        "date_from",
    )
    assert_problem(await client.get(f"{url}.csv", params={"table": "both"}), 400, "table")


async def test_dif_json_and_csv(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await store_people(pool, org_id, _people())
    await staff_headers(client, pool, org_id, "coordinator", "coord@example.org")
    r = await client.get(f"{BASE}/forms/privacy-a/dif")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert (doc["attribute"], doc["dif"]["reference"], doc["dif"]["focal"]) == (
        "sex",
        "male",
        "female",
    )
    assert len(doc["dif"]["items"]) == 24 and "NaN" not in r.text
    race = await client.get(
        f"{BASE}/forms/privacy-a/dif",
        params={"attribute": "race_ethnicity", "reference": "white", "focal": "black", "groups": 3},
    )
    assert race.json()["matching"] == "total mark in 3 equal-frequency groups"
    rows = list(
        csv.DictReader(io.StringIO((await client.get(f"{BASE}/forms/privacy-a/dif.csv")).text))
    )
    assert len(rows) == 24 and rows[0]["attribute"] == "sex"
    assert_problem(
        await client.get(f"{BASE}/forms/privacy-a/dif", params={"attribute": "age"}),
        400,
        "attribute",
    )
    assert_problem(
        await client.get(f"{BASE}/forms/privacy-a/dif", params={"reference": "white"}),
        422,
        "reference",
    )
    assert_problem(
        await client.get(f"{BASE}/forms/privacy-a/dif", params={"alpha": "0.9"}), 400, "alpha"
    )
    assert_problem(
        await client.get(
            f"{BASE}/forms/privacy-a/dif",
            params={"attribute": "race_ethnicity", "reference": "asian", "focal": "black"},
        ),
        422,
        "reference",
    )  # nobody reported Asian


async def test_bias_audit_json_and_csv(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await store_people(pool, org_id, _people())
    await staff_headers(client, pool, org_id, "coordinator", "coord@example.org")
    r = await client.get(
        f"{BASE}/bias-audit", params={"outcome": "passed", "assessment_id": "privacy"}
    )
    assert r.status_code == 200, r.text
    audit = r.json()["audit"]
    assert (audit["n"], audit["selected"]) == (12, 8)
    assert {c["category"] for c in audit["sex"]["categories"]} == {"female", "male"}
    rows = list(
        csv.DictReader(
            io.StringIO(
                (
                    await client.get(
                        f"{BASE}/bias-audit.csv",
                        params={"outcome": "scaled_score", "assessment_id": "privacy"},
                    )
                ).text
            )
        )
    )
    assert {r["method"] for r in rows} == {"scoring_rate"}
    assert_problem(await client.get(f"{BASE}/bias-audit"), 400, "outcome")
    assert_problem(
        await client.get(f"{BASE}/bias-audit", params={"outcome": "passed"}), 422, "assessment_id"
    )
    # No hiring decision recorded yet: everyone's rate is 0 and no ratio is defined (not NaN).
    hired = await client.get(f"{BASE}/bias-audit", params={"outcome": "hired"})
    assert hired.json()["audit"]["selected"] == 0
    assert "highest rate is 0" in hired.json()["audit"]["notes"][0]
    assert "NaN" not in hired.text
    assert await _actions(pool, org_id) == ["statistics.bias_audit"] * 3


async def test_stored_audits_admin_creates_coordinator_reads(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await store_people(pool, org_id, _people())
    body = {"outcome": "passed", "assessment_id": "privacy"}
    coordinator = await staff_headers(client, pool, org_id, "coordinator", "c@example.org")
    assert_problem(await client.post("/staff/bias-audits", json=body, headers=coordinator), 403)
    client.cookies.clear()
    admin = await staff_headers(client, pool, org_id, "admin", "a@example.org")
    assert_problem(
        await client.post("/staff/bias-audits", json={**body, "extra": 1}, headers=admin), 400
    )
    created = await client.post("/staff/bias-audits", json=body, headers=admin)
    assert created.status_code == 201, created.text
    audit_id = created.json()["id"]
    assert created.json()["report"]["audit"]["n"] == 12
    listed = (await client.get("/staff/bias-audits")).json()
    assert [a["id"] for a in listed] == [audit_id]
    assert (await client.get(f"/staff/bias-audits/{audit_id}")).json()["id"] == audit_id
    table = await client.get(f"/staff/bias-audits/{audit_id}/report.csv")
    assert table.headers["content-type"].startswith("text/csv")
    page = await client.get(f"/staff/bias-audits/{audit_id}/summary")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Real data: 12 candidates" in page.text
    assert f"/staff/bias-audits/{audit_id}/summary.pdf" in page.text
    assert_problem(await client.get(f"/staff/bias-audits/{uuid.uuid4()}/summary"), 404)
    assert await _actions(pool, org_id) == [
        "bias_audit.create",
        "bias_audit.read",
        "bias_audit.read",
        "bias_audit.summary",
    ]


@pytest.mark.slow
async def test_the_summary_pdf_downloads(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await store_people(pool, org_id, _people())
    admin = await staff_headers(client, pool, org_id, "admin", "a@example.org")
    created = await client.post(
        "/staff/bias-audits", headers=admin, json={"outcome": "passed", "assessment_id": "privacy"}
    )
    pdf = await client.get(f"/staff/bias-audits/{created.json()['id']}/summary.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.headers["cache-control"] == "private, no-store"


async def test_demographics_are_for_admins_only(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    [reported, silent] = await store_people(
        pool, org_id, [Person(sex="female", race="asian", simulated=True), Person()]
    )
    await staff_headers(client, pool, org_id, "coordinator", "c@example.org")
    assert_problem(await client.get(f"/staff/candidates/{reported}/demographics"), 403)
    client.cookies.clear()
    await staff_headers(client, pool, org_id, "admin", "a@example.org")
    doc = (await client.get(f"/staff/candidates/{reported}/demographics")).json()
    assert (doc["reported"], doc["sex"], doc["race_ethnicity"], doc["simulated"]) == (
        True,
        "female",
        "asian",
        True,
    )
    none = (await client.get(f"/staff/candidates/{silent}/demographics")).json()
    assert (none["reported"], none["sex"]) == (False, None)
    assert_problem(await client.get(f"/staff/candidates/{uuid.uuid4()}/demographics"), 404)
    rows = await pool.fetch(
        "SELECT action, subject_id FROM audit_log WHERE organization_id = $1", org_id
    )
    assert [(r["action"], r["subject_id"]) for r in rows] == [
        ("demographics.read", str(reported)),
        ("demographics.read", str(silent)),
    ]


async def test_every_new_operation_is_documented(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    doc = (await client.get("/schema/openapi.json")).json()
    ops = {
        op["operationId"]: op
        for item in doc["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    new = [
        "itemAnalysis",
        "itemAnalysisCsv",
        "difReport",
        "difCsv",
        "biasAudit",
        "biasAuditCsv",
        "createBiasAudit",
        "listBiasAudits",
        "getBiasAudit",
        "biasAuditReportCsv",
        "biasAuditSummary",
        "biasAuditSummaryPdf",
        "candidateDemographics",
    ]
    for name in new:
        assert ops[name]["summary"], name
        assert ops[name]["security"] == [{"staffSession": []}], name
    assert "text/csv" in str(ops["itemAnalysisCsv"]["responses"])
