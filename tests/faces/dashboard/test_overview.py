"""The cohort overview over HTTP on a cohort scored by the real pipeline: its numbers match
SQL computed here independently, filters narrow it and stay in its links, every table's CSV
equals the table, bad filters are shown beside their field, and other organizations' data
never appears."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import uuid
from collections import defaultdict
from typing import Any

import asyncpg
import pytest

from service.analytics.overview import cohort_overview
from service.analytics.overview_filter import OverviewFilter
from service.assessments.content import load_content
from service.assessments.levels import competency_cut_percents
from service.readiness.predict import BandThresholds
from tests.faces.dashboard.cohort_data import (
    Client,
    csv_rows,
    scored_cohort,
    signed_in,
    table,
)

FINISHED = ("submitted", "scored", "expired")


async def _other_org(pool: asyncpg.Pool) -> uuid.UUID:
    other = uuid.uuid4()
    await pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, 'Other Health')",
        other,
        f"other-{other.hex[:8]}",
    )
    return other


async def _latest(pool: asyncpg.Pool, cohort: uuid.UUID) -> list[asyncpg.Record]:
    """Latest scored attempt per candidate and assessment, chosen here in Python."""
    rows = await pool.fetch(
        """SELECT a.candidate_id, a.assessment_id, a.form_id, a.submitted_at, a.started_at,
                  a.id, r.id AS run_id, r.scaled_score, r.provisional
           FROM attempts a JOIN scoring_runs r ON r.attempt_id = a.id AND r.current
           JOIN cohort_members m ON m.candidate_id = a.candidate_id
           WHERE m.cohort_id = $1""",
        cohort,
    )
    best: dict[tuple[Any, Any], asyncpg.Record] = {}
    for r in rows:
        key = (r["candidate_id"], r["assessment_id"])
        if key not in best or (r["submitted_at"], r["started_at"]) > (
            best[key]["submitted_at"],
            best[key]["started_at"],
        ):
            best[key] = r
    return list(best.values())


async def test_the_numbers_on_the_page_match_sql_computed_independently(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    cohort = await scored_cohort(pool, org_id, size=6)
    other = await _other_org(pool)
    await scored_cohort(pool, other, size=3)  # must never be counted
    await signed_in(client, pool, org_id, "viewer")
    base = f"/dashboard/overview?cohort={cohort.cohort_id}"
    page = await client.get(base)
    assert page.status_code == 200, page.text[:500]
    html = page.text

    # funnel: every member invited, started and finished all their assessments
    members = await pool.fetchval(
        "SELECT count(*) FROM cohort_members WHERE cohort_id = $1", cohort.cohort_id
    )
    funnel = table(html, "Funnel")
    assert [r[:2] for r in funnel[1:]] == [
        ["invited", str(members)],
        ["started", str(members)],
        ["completed", str(members)],
    ]

    # readiness: newest estimate per candidate, banded by the default thresholds
    estimates = await pool.fetch(
        """SELECT a.candidate_id, p.probability, p.created_at, p.id, p.explanation
           FROM readiness_predictions p JOIN attempts a ON a.id = p.attempt_id
           JOIN cohort_members m ON m.candidate_id = a.candidate_id WHERE m.cohort_id = $1""",
        cohort.cohort_id,
    )
    newest: dict[Any, asyncpg.Record] = {}
    for e in estimates:
        if e["candidate_id"] not in newest or (e["created_at"], e["id"]) > (
            newest[e["candidate_id"]]["created_at"],
            newest[e["candidate_id"]]["id"],
        ):
            newest[e["candidate_id"]] = e
    t = BandThresholds()
    expected_bands = {"Not yet": 0, "Nearly ready": 0, "Ready": 0}
    for e in newest.values():
        p = e["probability"]
        expected_bands[
            "Ready" if p >= t.ready else "Nearly ready" if p >= t.nearly_ready else "Not yet"
        ] += 1
    bands = table(html, "Candidates by readiness band")
    assert {r[0]: int(r[3]) for r in bands[1:]} == expected_bands
    assert "simulated" in html  # the model's provenance is said

    # competency means: pooled per candidate over the latest attempts, then averaged
    latest = await _latest(pool, cohort.cohort_id)
    comps = await pool.fetch(
        "SELECT scoring_run_id, competency_id, raw, max FROM competency_scores "
        "WHERE scoring_run_id = ANY ($1::uuid[])",
        [r["run_id"] for r in latest],
    )
    owner = {r["run_id"]: r["candidate_id"] for r in latest}
    pooled: dict[tuple[Any, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for c in comps:
        key = (owner[c["scoring_run_id"]], c["competency_id"])
        pooled[key][0] += c["raw"]
        pooled[key][1] += c["max"]
    by_comp: dict[str, list[float]] = defaultdict(list)
    for (_, cid), (raw, most) in pooled.items():
        by_comp[cid].append(100 * raw / most)
    content = load_content()
    cuts = competency_cut_percents(content, sorted({r["form_id"] for r in latest}))
    r = await client.get(f"/dashboard/overview.csv?table=competencies&cohort={cohort.cohort_id}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    got = {row[0]: row for row in csv_rows(r.text)[1:]}
    assert len(got) == len(by_comp)
    for cid, values in by_comp.items():
        row = got[content.competencies[cid].name]
        assert float(row[1]) == pytest.approx(statistics.fmean(values), abs=0.01)
        assert float(row[2]) == pytest.approx(cuts[cid], abs=0.01)
        assert int(row[3]) == len(values)
        assert int(row[4]) == sum(1 for v in values if v < cuts[cid])

    # score distribution: latest scaled scores per assessment, bins of 25
    r = await client.get(f"/dashboard/overview.csv?table=scores&cohort={cohort.cohort_id}")
    header, *bins = csv_rows(r.text)
    counted: dict[tuple[str, int], int] = {}
    for row in bins:
        for title, count in zip(header[2:-1], row[2:-1], strict=True):
            counted[(title, int(row[0]))] = int(count)
    for a in content.assessments.values():
        scores = [x["scaled_score"] for x in latest if x["assessment_id"] == a.id]
        for lower in range(100, 400, 25):
            upper = lower + 25
            expected = sum(1 for s in scores if lower <= s < upper or (upper == 400 and s == 400))
            assert counted.get((a.title, lower), 0) == expected, (a.id, lower)

    # progress: finished attempts per day, running total = all finished attempts
    finished = await pool.fetch(
        """SELECT (a.submitted_at AT TIME ZONE 'UTC')::date AS day FROM attempts a
           JOIN cohort_members m ON m.candidate_id = a.candidate_id
           WHERE m.cohort_id = $1 AND a.status = ANY ($2::text[])""",
        cohort.cohort_id,
        list(FINISHED),
    )
    per_day: dict[dt.date, int] = defaultdict(int)
    for f in finished:
        per_day[f["day"]] += 1
    progress = table(html, "Completed attempts per day")
    assert {dt.date.fromisoformat(r[0]): int(r[1]) for r in progress[1:]} == per_day
    assert int(progress[-1][2]) == len(finished)

    # heatmap: one row per scored candidate, each linking to the candidate's page
    heat = table(html, "Competency percents by candidate")
    assert len(heat) - 1 == members
    for cid in {x["candidate_id"] for x in latest}:
        assert f'href="/dashboard/candidates/{cid}"' in html


async def test_every_table_downloads_as_the_same_rows(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    cohort = await scored_cohort(pool, org_id, size=4)
    await signed_in(client, pool, org_id, "viewer")
    html = (await client.get(f"/dashboard/overview?cohort={cohort.cohort_id}")).text
    for name, caption in (
        ("funnel", "Funnel"),
        ("readiness", "Candidates by readiness band"),
        ("competencies", "Competency means"),
        ("scores", "Scaled scores by assessment"),
        ("progress", "Completed attempts per"),
        ("heatmap", "Competency percents by candidate"),
    ):
        link = re.search(rf'href="(/dashboard/overview\.csv\?[^"]*table={name}[^"]*)"', html)
        assert link, name
        r = await client.get(link.group(1).replace("&amp;", "&"))
        assert r.status_code == 200, (name, r.text[:300])
        rows = csv_rows(r.text)
        shown = table(html, caption)
        assert len(rows) == len(shown), name
        if name == "heatmap":  # the page names the candidate; the CSV adds the id first
            assert [row[1] for row in rows[1:]] == [row[0] for row in shown[1:]]
        else:
            assert [row[0] for row in rows[1:]] == [row[0] for row in shown[1:]], name


async def test_filters_narrow_the_view_and_survive_in_its_links(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    cohort = await scored_cohort(pool, org_id, size=5)
    await signed_in(client, pool, org_id, "coordinator")
    url = f"/dashboard/overview?cohort={cohort.cohort_id}&assessment=privacy"
    page = await client.get(url)
    assert page.status_code == 200
    html = page.text
    # only the privacy assessment is scored in this view
    titles = table(html, "Scaled scores by assessment")[0][2:-1]
    assert titles == [load_content().assessments["privacy"].title]
    # the form keeps the choices and every link keeps the filters
    assert re.search(r'<option value="privacy" selected>', html)
    assert re.search(rf'<option value="{cohort.cohort_id}" selected>', html)
    for link in re.findall(r'href="(/dashboard/overview[^"]*)"', html):
        if link == "/dashboard/overview":
            continue  # "clear filters"
        assert "assessment=privacy" in link and f"cohort={cohort.cohort_id}" in link, link
    total = sum(int(r[1]) for r in table(html, "Completed attempts per")[1:])
    assert total == 5  # one privacy attempt each

    # a date range after every submission leaves nothing
    later = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()
    page = await client.get(f"/dashboard/overview?cohort={cohort.cohort_id}&from={later}")
    assert page.status_code == 200
    assert [r[1] for r in table(page.text, "Funnel")[1:]] == ["0", "0", "0"]
    assert "No scored candidates in this selection." in page.text
    assert f"from={later}" in page.text

    # a range covering only the first submission day narrows the progress table
    days = await pool.fetch(
        "SELECT DISTINCT (submitted_at AT TIME ZONE 'UTC')::date AS d FROM attempts ORDER BY 1"
    )
    first = days[0]["d"].isoformat()
    page = await client.get(
        f"/dashboard/overview?cohort={cohort.cohort_id}&from={first}&to={first}"
    )
    rows = table(page.text, "Completed attempts per")[1:]
    assert [r[0] for r in rows] == [first]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("cohort=not-a-cohort", "cohort", "Not a cohort id."),
        (f"cohort={uuid.uuid4()}", "cohort", "No such cohort in this organization."),
        ("assessment=astrology", "assessment", "No such assessment."),
        ("from=2026-13-40", "from", "Not a date"),
        ("from=2026-05-02&to=2026-05-01", "to", "The end date is before the start date."),
        ("page=0", "page", "Not a page number"),
        ("page=%C2%B2", "page", "Not a page number"),  # a superscript two is a digit to Python
        ("assessment=%00", "assessment", "No such assessment."),
    ],
)
async def test_a_bad_filter_is_shown_beside_its_field_not_a_500(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID, query: str, field: str, message: str
) -> None:
    await signed_in(client, pool, org_id, "viewer")
    page = await client.get(f"/dashboard/overview?{query}")
    assert page.status_code == 400
    assert re.search(rf'id="e-{field}">{re.escape(message)}', page.text), page.text[-3000:]
    assert 'aria-invalid="true"' in page.text
    r = await client.get(f"/dashboard/overview.csv?table=funnel&{query}")
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == f"query.{field}"


async def test_another_organizations_cohort_is_not_a_choice(
    client: Client, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    other = await _other_org(pool)
    theirs = await scored_cohort(pool, other, size=2)
    await signed_in(client, pool, org_id, "viewer")
    page = await client.get(f"/dashboard/overview?cohort={theirs.cohort_id}")
    assert page.status_code == 400
    assert "No such cohort in this organization." in page.text
    everything = await client.get("/dashboard/overview")
    assert everything.status_code == 200
    assert [r[1] for r in table(everything.text, "Funnel")[1:]] == ["0", "0", "0"]
    bad_table = await client.get("/dashboard/overview.csv?table=secrets")
    assert bad_table.status_code == 400
    assert bad_table.json()["errors"][0]["field"] == "query.table"


async def test_the_heatmap_is_paged_for_big_cohorts(
    pool: asyncpg.Pool, org_id: uuid.UUID, client: Client
) -> None:
    cohort = await scored_cohort(pool, org_id, size=5)
    content = load_content()
    async with pool.acquire() as conn:
        first = await cohort_overview(
            conn,
            org_id,
            content,
            OverviewFilter(cohort_id=cohort.cohort_id),
            BandThresholds(),
            page_size=2,
        )
        last = await cohort_overview(
            conn,
            org_id,
            content,
            OverviewFilter(cohort_id=cohort.cohort_id, page=3),
            BandThresholds(),
            page_size=2,
        )
    assert (first.heatmap.total, first.heatmap.pages) == (5, 3)
    assert len(first.heatmap.rows) == 2 and len(last.heatmap.rows) == 1
    names = [r.name for r in first.heatmap.rows + last.heatmap.rows]
    assert names == sorted(names)
    # the competency means still cover the whole cohort, not the page
    assert all(c.candidates == 5 for c in first.competencies)
    await signed_in(client, pool, org_id, "viewer")
    beyond = await client.get(f"/dashboard/overview?cohort={cohort.cohort_id}&page=9")
    assert beyond.status_code == 200
    # the heatmap's CSV is the page's rows; with all=1, every scored candidate whatever the page
    paged = f"/dashboard/overview.csv?cohort={cohort.cohort_id}&table=heatmap&page=2"
    assert len(csv_rows((await client.get(paged)).text)) == 1  # the header: page 2 is empty
    whole = await client.get(paged + "&all=1")
    assert whole.status_code == 200
    assert "overview-heatmap-all.csv" in whole.headers["content-disposition"]
    rows = csv_rows(whole.text)[1:]
    assert len(rows) == first.heatmap.total and set(names) <= {r[1] for r in rows}
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)  # by name, like the pages


async def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    r = await client.get("/dashboard/overview?assessment=privacy", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/dashboard/sign-in?next=/dashboard/overview")
    r = await client.get("/dashboard/overview.csv?table=funnel", follow_redirects=False)
    assert r.status_code in (303, 401)


async def test_the_ready_pooled_figures_agree_with_pooling_on_the_spot(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    """Unfiltered, the overview reads each candidate's pooled competency sums and newest
    estimate ready-made (migration 0020); a date range that holds every submission takes the
    other path and pools on the spot. Both must show the same cohort."""
    cohort = await scored_cohort(pool, org_id, size=5)
    content = load_content()
    everything = OverviewFilter(cohort_id=cohort.cohort_id)
    days = await pool.fetchrow(
        "SELECT min(submitted_at)::date AS first, max(submitted_at)::date AS last FROM attempts"
    )
    assert days is not None
    covering = OverviewFilter(
        cohort_id=cohort.cohort_id,
        date_from=days["first"] - dt.timedelta(days=1),
        date_to=days["last"] + dt.timedelta(days=1),
    )
    async with pool.acquire() as conn:
        ready_made = await cohort_overview(
            conn, org_id, content, everything, BandThresholds(), page_size=3
        )
        on_the_spot = await cohort_overview(
            conn, org_id, content, covering, BandThresholds(), page_size=3
        )
    assert ready_made.scored_candidates == on_the_spot.scored_candidates == 5
    assert ready_made.bands == on_the_spot.bands
    assert sum(b.candidates for b in ready_made.bands) == 5
    assert ready_made.models == on_the_spot.models
    assert [
        (c.competency_id, round(c.mean, 9), c.candidates, c.below_cut, c.provisional)
        for c in ready_made.competencies
    ] == [
        (c.competency_id, round(c.mean, 9), c.candidates, c.below_cut, c.provisional)
        for c in on_the_spot.competencies
    ]
    assert ready_made.heatmap == on_the_spot.heatmap
    assert ready_made.distributions == on_the_spot.distributions
