"""The demo data: an organization, credentials, a scored simulated cohort with estimates."""

from __future__ import annotations

import asyncpg
import pytest

from service.analytics.reports import bias_audit_report, dif_report, item_analysis_report
from service.analytics.selection import Selection
from service.assessments.content import load_content
from service.auth.api_keys import authenticate
from service.cli.demo import seed_demo, seed_demo_cohort
from service.cli.demo_sample import (
    PLANTED_ITEM,
    SAMPLE_SIZE,
    seed_demo_audit,
    seed_statistics_sample,
)
from service.cli.invitations import seed_demo_invitations
from service.readiness.outcomes import training_rows
from service.readiness.predict import BandThresholds
from service.readiness.train import train


async def test_demo_seeds_scored_and_estimated_cohort_once(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        creds = await seed_demo(conn)
        again = await seed_demo(conn)
        assert again.organization_id == creds.organization_id  # the org is reused
        use = await authenticate(conn, creds.api_key)
        assert use is not None
        assert use.principal.organization_id == creds.organization_id
    content = load_content()
    cohort = await seed_demo_cohort(
        pool,
        creds.organization_id,
        content,
        thresholds=BandThresholds(),
        size=3,
        simulated_candidates=2000,
    )
    assert cohort.candidates == 3
    assert cohort.model_version is not None
    runs = await pool.fetch(
        """SELECT a.candidate_id, count(*) AS n FROM scoring_runs r
           JOIN attempts a ON a.id = r.attempt_id WHERE r.current GROUP BY 1"""
    )
    assert len(runs) == 3
    assert all(r["n"] == len(content.assessments) for r in runs)
    estimates = await pool.fetch(
        "SELECT band, probability, model_version FROM readiness_predictions"
    )
    assert len(estimates) == 3 * len(content.assessments)
    assert all(0 <= e["probability"] <= 1 for e in estimates)
    assert {e["model_version"] for e in estimates} == {cohort.model_version}
    # a restart does not duplicate the cohort or retrain
    second = await seed_demo_cohort(
        pool,
        creds.organization_id,
        content,
        thresholds=BandThresholds(),
        size=3,
        simulated_candidates=2000,
    )
    assert (second.cohort_id, second.model_version) == (cohort.cohort_id, cohort.model_version)
    assert await pool.fetchval("SELECT count(*) FROM candidates") == 3


async def test_demo_offers_one_invitation_per_package(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        creds = await seed_demo(conn)
        links = await seed_demo_invitations(conn, creds.organization_id, "http://demo.example")
    assert [title for title, _ in links] == ["Clerk screening", "Coding track"]
    assert all(url.startswith("http://demo.example/take/") for _, url in links)
    rows = await pool.fetch("SELECT package, assessments FROM invitations ORDER BY package")
    assert [(r["package"], r["assessments"]) for r in rows] == [
        ("clerk", ["records_operations", "privacy", "communication", "scenarios", "coding_basics"]),
        ("coding_track", ["coding_basics", "coding"]),
    ]


@pytest.mark.slow
async def test_statistics_sample_fills_every_table_and_dif_flags_the_planted_item(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        creds = await seed_demo(conn)
    org = creds.organization_id
    content = load_content()
    await train(pool, min_real_outcomes=200, seed=0, simulated_candidates=2000, content=content)
    sample = await seed_statistics_sample(pool, org, content, thresholds=BandThresholds())
    assert (sample.candidates, sample.planted_item) == (SAMPLE_SIZE, PLANTED_ITEM)
    async with pool.acquire() as conn:
        for form_id in content.forms:
            report = await item_analysis_report(conn, content, org, form_id, Selection())
            assert report.attempts > 300, form_id
            assert report.coverage.data_source.kind == "simulated"
            assert report.analysis.test.cic is not None
        dif = await dif_report(
            conn,
            content,
            org,
            "privacy-a",
            Selection(),
            attribute="sex",
            reference="male",
            focal="female",
        )
        planted = next(i for i in dif.dif.items if i.id == PLANTED_ITEM)
        assert (planted.ets_class, planted.favors) == ("C", "reference")
        others = [i.ets_class for i in dif.dif.items if i.id != PLANTED_ITEM]
        assert others.count("A") >= 0.8 * len(others)
        for outcome, assessment in (
            ("passed", "privacy"),
            ("scaled_score", "coding"),
            ("ready", None),
            ("hired", None),
        ):
            audit = (
                await bias_audit_report(
                    conn, content, org, Selection(), outcome=outcome, assessment_id=assessment
                )
            ).audit
            assert audit.n == SAMPLE_SIZE and 0 < audit.selected < SAMPLE_SIZE, outcome
            for table in (audit.sex, audit.race_ethnicity, audit.intersections):
                assert table.unknown > 0 and table.highest is not None
                assert sum(c.count for c in table.categories) + table.unknown == SAMPLE_SIZE
            assert any(
                c.excluded_under_2_percent and c.count for c in audit.race_ethnicity.categories
            )
        audit_id = await seed_demo_audit(conn, org, content)
        assert await seed_demo_audit(conn, org, content) == audit_id
    again = await seed_statistics_sample(pool, org, content, thresholds=BandThresholds())
    assert again.cohort_id == sample.cohort_id
    assert await pool.fetchval("SELECT count(*) FROM candidates WHERE simulated") == SAMPLE_SIZE
    # Simulated hiring decisions never count as real outcomes for training.
    async with pool.acquire() as conn:
        assert await pool.fetchval("SELECT count(*) FROM hiring_outcomes") > 0
        assert await training_rows(conn, organization_id=org) == []
