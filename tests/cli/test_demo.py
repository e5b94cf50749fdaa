"""The demo data: an organization, credentials, a scored simulated cohort with estimates."""

from __future__ import annotations

import asyncpg

from service.assessments.content import load_content
from service.auth.api_keys import authenticate
from service.cli.demo import seed_demo, seed_demo_cohort
from service.cli.invitations import seed_demo_invitations
from service.readiness.predict import BandThresholds


async def test_demo_seeds_scored_and_estimated_cohort_once(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        creds = await seed_demo(conn)
        again = await seed_demo(conn)
        assert again.organization_id == creds.organization_id  # the org is reused
        use = await authenticate(conn, creds.api_key)
        assert use is not None
        assert use.principal.organization_id == creds.organization_id
    content = load_content()
    cohort = await seed_demo_cohort(pool, creds.organization_id, content,
                                    thresholds=BandThresholds(), size=3,
                                    simulated_candidates=2000)
    assert cohort.candidates == 3
    assert cohort.model_version is not None
    runs = await pool.fetch(
        """SELECT a.candidate_id, count(*) AS n FROM scoring_runs r
           JOIN attempts a ON a.id = r.attempt_id WHERE r.current GROUP BY 1""")
    assert len(runs) == 3
    assert all(r["n"] == len(content.assessments) for r in runs)
    estimates = await pool.fetch("SELECT band, probability, model_version "
                                 "FROM readiness_predictions")
    assert len(estimates) == 3 * len(content.assessments)
    assert all(0 <= e["probability"] <= 1 for e in estimates)
    assert {e["model_version"] for e in estimates} == {cohort.model_version}
    # a restart does not duplicate the cohort or retrain
    second = await seed_demo_cohort(pool, creds.organization_id, content,
                                    thresholds=BandThresholds(), size=3,
                                    simulated_candidates=2000)
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
        ("clerk", ["records_operations", "privacy", "communication", "scenarios",
                   "coding_basics"]),
        ("coding_track", ["coding_basics", "coding"]),
    ]
