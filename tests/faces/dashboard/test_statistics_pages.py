"""Item analysis and fairness pages over HTTP: the numbers are the core reports', flags are
explained, CSVs carry the same rows, the data's source is said, bad filters are re-shown,
roles and tenants are kept apart."""

from __future__ import annotations

import csv
import io
import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from service.analytics.reports import bias_audit_report, dif_report, item_analysis_report
from service.analytics.selection import Selection
from service.assessments.content import load_content
from tests.analytics.factories import Person, cohort_of, store_people
from tests.faces.dashboard.helpers import dashboard_sign_in
from tests.results.factories import make_user, org_slug

CONTENT = load_content()
HAND = [
    {"PRI-A-01": 1, "PRI-A-02": 1, "PRI-A-11": 2},
    {"PRI-A-01": 1, "PRI-A-11": 1},
    {"PRI-A-02": 1},
    {"PRI-A-11": 1},
]


async def _as(client: AsyncTestClient, slug: str, email: str) -> str:  # type: ignore[type-arg]
    client.cookies.clear()
    return await dashboard_sign_in(client, slug, email)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_item_analysis_page_shows_the_core_report_flags_and_source(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "coordinator", "coord@example.org")
    await store_people(pool, org_id, [Person(marks=m, simulated=True) for m in HAND])
    await _as(client, await org_slug(pool, org_id), "coord@example.org")
    r = await client.get("/dashboard/statistics?form=privacy-a")
    assert r.status_code == 200, r.text[:500]
    async with pool.acquire() as conn:
        report = await item_analysis_report(conn, CONTENT, org_id, "privacy-a", Selection())
    items = {i.id: i for i in report.analysis.items}
    assert f"{items['PRI-A-01'].discrimination_index:.1f}" in r.text
    assert f"{report.analysis.test.cic:.1f}" in r.text
    assert "Simulated demo sample." in r.text and 'data-source="simulated"' in r.text
    # flags shown and explained
    assert "facility out of range" in r.text and "Everyone earned the same mark" in r.text
    assert "/dashboard/statistics/items.csv?form=privacy-a" in r.text
    items_csv = await client.get("/dashboard/statistics/items.csv?form=privacy-a")
    assert items_csv.status_code == 200
    rows = _rows(items_csv.text)
    assert [row["item_id"] for row in rows] == list(items)  # the same rows as the page
    assert rows[0]["data_source"] == "simulated"
    test_csv = await client.get("/dashboard/statistics/items.csv?form=privacy-a&table=test")
    assert _rows(test_csv.text)[0]["n"] == "4"
    actions = await pool.fetch("SELECT action FROM audit_log WHERE organization_id = $1", org_id)
    assert {a["action"] for a in actions} == {"statistics.item_analysis"}


async def test_bad_filters_are_re_shown_and_too_little_data_is_said(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "coordinator", "coord@example.org")
    await _as(client, await org_slug(pool, org_id), "coord@example.org")
    r = await client.get(
        "/dashboard/statistics?form=nope&cohort_id=x&date_from=2026-13-01&date_to=2026-01-01"
    )
    assert r.status_code == 422
    for field in ("form", "cohort_id", "date_from"):
        assert f'id="error-{field}"' in r.text, field
    backwards = await client.get(
        "/dashboard/statistics?form=privacy-a&date_from=2026-02-01&date_to=2026-01-01"
    )
    assert backwards.status_code == 422 and "after the last day" in backwards.text
    foreign = await client.get(f"/dashboard/statistics?form=privacy-a&cohort_id={uuid.uuid4()}")
    assert foreign.status_code != 500
    empty = await client.get("/dashboard/statistics?form=privacy-a")
    assert empty.status_code == 200 and "needs at least 2 scored attempts" in empty.text
    problem = await client.get("/dashboard/statistics/items.csv?form=privacy-a&date_from=bad")
    assert problem.status_code in (400, 422)
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert problem.json()["errors"][0]["field"] == "date_from" or "date_from" in problem.text
    bad = await client.get("/dashboard/fairness?outcome=vibes&attribute=sex&reference=x")
    assert bad.status_code == 422
    assert 'id="error-outcome"' in bad.text and 'id="error-reference"' in bad.text


async def test_fairness_page_audit_flags_dif_classes_csv_and_summary(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "admin", "admin@example.org")
    people = (
        [Person(sex="male", race="white", passed=True, marks={"PRI-A-01": 1})] * 30
        + [Person(sex="male", race="asian", passed=True, marks={"PRI-A-02": 1})] * 10
        + [Person(sex="female", race="white", passed=True, marks={"PRI-A-01": 1})] * 10
        + [Person(sex="female", race="asian", passed=False, marks={"PRI-A-02": 1})] * 20
    )
    ids = await store_people(pool, org_id, people)
    cohort = await cohort_of(pool, org_id, ids, name="Spring intake")
    csrf = await _as(client, await org_slug(pool, org_id), "admin@example.org")
    query = (
        "outcome=passed&assessment_id=privacy&form=privacy-a&attribute=sex"
        f"&reference=male&focal=female&cohort_id={cohort}"
    )
    r = await client.get(f"/dashboard/fairness?{query}")
    assert r.status_code == 200, r.text[:800]
    async with pool.acquire() as conn:
        audit = await bias_audit_report(
            conn,
            CONTENT,
            org_id,
            Selection(cohort_id=cohort),
            outcome="passed",
            assessment_id="privacy",
        )
        dif = await dif_report(
            conn,
            CONTENT,
            org_id,
            "privacy-a",
            Selection(cohort_id=cohort),
            attribute="sex",
            reference="male",
            focal="female",
        )
    female = next(c for c in audit.audit.sex.categories if c.category == "female")
    assert female.below_four_fifths
    assert f"{female.impact_ratio:.3f}" in r.text and "below four-fifths" in r.text
    assert "Real candidates." in r.text and "Spring intake" in r.text
    classes = {i.id: i.ets_class for i in dif.dif.items}
    assert classes["PRI-A-01"] == "C"
    assert '<th scope="row">PRI-A-01</th>' in r.text
    assert '<span class="badge bad">C</span>' in r.text
    audit_csv = await client.get(f"/dashboard/fairness/bias-audit.csv?{query}")
    rows = _rows(audit_csv.text)
    assert any(row["category"] == "female" and row["below_four_fifths"] == "true" for row in rows)
    dif_csv = await client.get(f"/dashboard/fairness/dif.csv?{query}")
    by_item = {row["item_id"]: row for row in _rows(dif_csv.text)}
    assert by_item["PRI-A-01"]["ets_class"] == classes["PRI-A-01"]
    # an admin keeps the audit; its summary PDF downloads from the page
    kept = await client.post(
        "/dashboard/fairness/audits",
        data={
            "_csrf": csrf,
            "outcome": "passed",
            "assessment_id": "privacy",
            "cohort_id": str(cohort),
        },
        follow_redirects=False,
    )
    assert kept.status_code == 303
    audit_id = await pool.fetchval("SELECT id FROM bias_audits WHERE organization_id = $1", org_id)
    listed = await client.get("/dashboard/fairness")
    assert f"/dashboard/fairness/audits/{audit_id}/summary.pdf" in listed.text
    pdf = await client.get(f"/dashboard/fairness/audits/{audit_id}/summary.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_roles_and_tenants(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    slug = await org_slug(pool, org_id)
    await store_people(pool, org_id, [Person(marks=m) for m in HAND])
    for role in ("viewer", "rater"):
        await make_user(pool, org_id, role, f"{role}@example.org")
        await _as(client, slug, f"{role}@example.org")
        for url in ("/dashboard/statistics", "/dashboard/fairness"):
            r = await client.get(url)
            assert r.status_code == 403 and "coordinator role" in r.text, (role, url)
        assert (
            await client.get("/dashboard/statistics/items.csv?form=privacy-a")
        ).status_code == 403
    await make_user(pool, org_id, "coordinator", "coord@example.org")
    csrf = await _as(client, slug, "coord@example.org")
    keep = await client.post(
        "/dashboard/fairness/audits", data={"_csrf": csrf, "outcome": "passed"}
    )
    assert keep.status_code == 403  # keeping an audit is for admins
    other = uuid.uuid4()
    await pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, 'other-org', 'Other')", other
    )
    await make_user(pool, other, "coordinator", "them@example.org")
    await _as(client, "other-org", "them@example.org")
    theirs = await client.get("/dashboard/statistics?form=privacy-a")
    assert "needs at least 2 scored attempts in this selection; found 0" in theirs.text
