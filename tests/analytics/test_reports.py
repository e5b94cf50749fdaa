"""The statistics over stored data: which attempts count, filters, tenancy, data source."""

from __future__ import annotations

import math
import uuid

import asyncpg
import pytest

from service.analytics.reports import bias_audit_report, dif_report, item_analysis_report
from service.analytics.selection import Selection
from service.assessments.content import load_content
from service.ground.errors import InvalidInput, NotFound
from tests.analytics.factories import Person, cohort_of, store_people
from tests.profiles.helpers import seed_organization

CONTENT = load_content()
# The hand-worked example of tests/statistics (maxima 1, 1, 2) on three privacy-a items;
# the form's other 21 items are 0 for everyone.
HAND = [
    {"PRI-A-01": 1, "PRI-A-02": 1, "PRI-A-11": 2},
    {"PRI-A-01": 1, "PRI-A-11": 1},
    {"PRI-A-02": 1},
    {"PRI-A-11": 1},
]


async def test_item_analysis_of_stored_attempts_matches_the_hand_computation(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    await store_people(pool, org_id, [Person(marks=m) for m in HAND])
    async with pool.acquire() as conn:
        report = await item_analysis_report(conn, CONTENT, org_id, "privacy-a", Selection())
    assert (report.form_id, report.assessment_id, report.attempts) == ("privacy-a", "privacy", 4)
    items = {i.id: i for i in report.analysis.items}
    assert list(items) == [i.id for i in CONTENT.forms["privacy-a"].items]
    assert items["PRI-A-01"].discrimination_index == pytest.approx(100 / math.sqrt(3))
    assert items["PRI-A-11"].discriminative_efficiency == pytest.approx(50.0)
    assert items["PRI-A-11"].max_mark == 2.0
    assert items["PRI-A-05"].flags == ["constant", "facility_out_of_range"]
    # Σ Var x_i = 4/3 and Var T = 2 as by hand, now over k = 24 items.
    assert report.analysis.test.cic == pytest.approx(100 * 24 / 23 * (1 - (4 / 3) / 2))
    assert report.coverage.data_source.kind == "real"
    assert report.coverage.cohort is None


async def test_only_each_candidates_latest_attempt_of_the_form_and_organization_counts(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    await store_people(pool, org_id, [Person(marks=m) for m in HAND])
    # Another form of the same assessment and another organization's attempts on this form.
    await store_people(pool, org_id, [Person(form_id="privacy-b")] * 3)
    async with pool.acquire() as conn:
        other = await seed_organization(conn, "Other Clinic")
    await store_people(pool, other, [Person(marks={"PRI-A-01": 1})] * 5)
    async with pool.acquire() as conn:
        report = await item_analysis_report(conn, CONTENT, org_id, "privacy-a", Selection())
    assert report.attempts == 4
    # A candidate's newer attempt on form b replaces their attempt on form a.
    candidate = await pool.fetchval(
        "SELECT candidate_id FROM attempts WHERE organization_id = $1 AND form_id = "
        "'privacy-a' ORDER BY submitted_at LIMIT 1",
        org_id,
    )
    newer = uuid.uuid4()
    await pool.execute(
        """INSERT INTO invitations (id, organization_id, candidate_id, token_sha256, assessments,
               expires_at, created_by) VALUES ($1, $2, $3, $4, '{privacy}', now() + interval
               '1 day', 'test')""",
        newer,
        org_id,
        candidate,
        uuid.uuid4().bytes * 2,
    )
    attempt = uuid.uuid4()
    await pool.execute(
        """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id, assessment_id,
               form_id, content_version, status, started_at, submitted_at)
           VALUES ($1, $2, $3, $4, 'privacy', 'privacy-b', $5, 'scored', now(), now())""",
        attempt,
        org_id,
        candidate,
        newer,
        CONTENT.version_id,
    )
    await pool.execute(
        """INSERT INTO scoring_runs (id, organization_id, attempt_id, content_version, raw_total,
               max_total, scaled_score, passed, provisional, reason, created_by)
           VALUES ($1, $2, $3, $4, 0, 1, 200, false, false, 't', 't')""",
        uuid.uuid4(),
        org_id,
        attempt,
        CONTENT.version_id,
    )
    async with pool.acquire() as conn:
        after = await item_analysis_report(conn, CONTENT, org_id, "privacy-a", Selection())
    assert after.attempts == 3


async def test_cohort_and_date_filters(pool: asyncpg.Pool, org_id: uuid.UUID) -> None:
    recent = await store_people(pool, org_id, [Person(marks=m, days_ago=2) for m in HAND])
    await store_people(pool, org_id, [Person(marks=m, days_ago=40) for m in HAND])
    cohort = await cohort_of(pool, org_id, recent[:3], "Spring")
    async with pool.acquire() as conn:
        assert (
            await item_analysis_report(conn, CONTENT, org_id, "privacy-a", Selection())
        ).attempts == 8
        in_cohort = await item_analysis_report(
            conn, CONTENT, org_id, "privacy-a", Selection(cohort_id=cohort)
        )
        assert in_cohort.attempts == 3
        assert in_cohort.coverage.cohort is not None
        assert in_cohort.coverage.cohort.name == "Spring"
        week = await item_analysis_report(
            conn,
            CONTENT,
            org_id,
            "privacy-a",
            Selection(date_from=(await conn.fetchval("SELECT (now() - interval '7 days')::date"))),
        )
        assert week.attempts == 4
        assert week.coverage.first_submitted is not None
        with pytest.raises(InvalidInput, match="date_from is after date_to"):
            await item_analysis_report(
                conn,
                CONTENT,
                org_id,
                "privacy-a",
                Selection(
                    date_from=week.coverage.first_submitted.date(),
                    date_to=(week.coverage.first_submitted.date().replace(year=2000)),
                ),
            )
        other = await seed_organization(conn, "Other Clinic")
        with pytest.raises(NotFound) as info:
            await item_analysis_report(
                conn, CONTENT, other, "privacy-a", Selection(cohort_id=cohort)
            )
        assert info.value.field == "cohort_id"
        with pytest.raises(NotFound):
            await item_analysis_report(conn, CONTENT, org_id, "privacy-z", Selection())


async def test_one_attempt_is_a_clear_error_and_sources_are_named(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    await store_people(pool, org_id, [Person(marks=HAND[0])])
    async with pool.acquire() as conn:
        with pytest.raises(InvalidInput, match=r"at least 2 scored attempts.*found 1") as info:
            await item_analysis_report(conn, CONTENT, org_id, "privacy-a", Selection())
        assert info.value.field == "form_id"
    await store_people(pool, org_id, [Person(marks=m, simulated=True) for m in HAND[1:]])
    async with pool.acquire() as conn:
        report = await item_analysis_report(conn, CONTENT, org_id, "privacy-a", Selection())
    source = report.coverage.data_source
    assert (source.kind, source.simulated_people, source.real_people) == ("mixed", 3, 1)
    assert "1 real candidates and 3 simulated" in source.statement


async def test_bias_audit_of_passing_counts_people_and_unknowns(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    # Women 3 of 4 pass, men 3 of 5 (exactly 4/5); one "prefer not to say", one unreported.
    people = (
        [Person(sex="female", race="white", passed=True)] * 3
        + [Person(sex="female", race="white")]
        + [Person(sex="male", race="black", passed=True)] * 3
        + [Person(sex="male", race="black")] * 2
        + [Person(sex="unknown", race="unknown", passed=True), Person(passed=True)]
    )
    await store_people(pool, org_id, people)
    async with pool.acquire() as conn:
        report = await bias_audit_report(
            conn, CONTENT, org_id, Selection(), outcome="passed", assessment_id="privacy"
        )
        with pytest.raises(InvalidInput) as info:
            await bias_audit_report(conn, CONTENT, org_id, Selection(), outcome="passed")
        assert info.value.field == "assessment_id"
        with pytest.raises(InvalidInput):
            await bias_audit_report(
                conn, CONTENT, org_id, Selection(), outcome="passed", assessment_id="nonsense"
            )
    audit = report.audit
    assert (audit.n, audit.selected, audit.method) == (11, 8, "selection_rate")
    assert audit.sex.unknown == 2 and audit.race_ethnicity.unknown == 2
    men = next(c for c in audit.sex.categories if c.category == "male")
    assert (men.count, men.impact_ratio, men.below_four_fifths) == (5, 0.8, False)
    # Every LL144 category is listed, empty ones included.
    assert [c.category for c in audit.race_ethnicity.categories] == [
        "hispanic_latino",
        "white",
        "black",
        "nhpi",
        "asian",
        "native_american",
        "two_or_more",
    ]
    assert len(audit.intersections.categories) == 14
    assert "Privacy" in report.outcome_description


async def test_ready_and_hired_outcomes(pool: asyncpg.Pool, org_id: uuid.UUID) -> None:
    ids = await store_people(
        pool,
        org_id,
        [Person(sex="female"), Person(sex="male"), Person(sex="male", form_id="coding-a")],
    )
    attempts = {
        r["candidate_id"]: r["id"]
        for r in await pool.fetch(
            "SELECT id, candidate_id FROM attempts WHERE organization_id = $1", org_id
        )
    }
    await pool.execute(
        """INSERT INTO readiness_models (version, provenance, estimator, n_train, n_validation,
               n_positive, features, feature_means, hyperparameters, metrics, artifact,
               artifact_sha256, seed, created_by)
           VALUES ('rm-0001', 'simulated', 'x', 10, 2, 5, '{a}', '{1}', '{}', '{}', '\\x00',
                   repeat('0', 64), 0, 'test')"""
    )
    for candidate, band in ((ids[0], "ready"), (ids[1], "not_yet")):
        await pool.execute(
            """INSERT INTO readiness_predictions (organization_id, attempt_id, model_version,
                   probability, band, lower, upper, explanation)
               VALUES ($1, $2, 'rm-0001', 0.5, $3, 0.4, 0.6, '{}')""",
            org_id,
            attempts[candidate],
            band,
        )
    await pool.execute(
        """INSERT INTO hiring_outcomes (organization_id, candidate_id, met_standard, observed_on,
               source) VALUES ($1, $2, true, current_date, 'ats')""",
        org_id,
        ids[2],
    )
    async with pool.acquire() as conn:
        ready = await bias_audit_report(conn, CONTENT, org_id, Selection(), outcome="ready")
        hired = await bias_audit_report(conn, CONTENT, org_id, Selection(), outcome="hired")
        coding = await bias_audit_report(
            conn, CONTENT, org_id, Selection(), outcome="hired", assessment_id="coding"
        )
    # The coding candidate has no estimate: left out of "ready" and counted.
    assert (ready.audit.n, ready.audit.selected, ready.without_outcome) == (2, 1, 1)
    assert (hired.audit.n, hired.audit.selected) == (3, 1)
    assert (coding.audit.n, coding.audit.selected) == (1, 1)


async def test_dif_report_checks_groups_and_marks_partial_credit(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    people = []
    for n in range(12):
        sex = "female" if n % 2 else "male"
        marks = {
            "PRI-A-01": float(n % 3 == 0),
            "PRI-A-02": float(n % 4 < 2),
            "PRI-A-07": 1.5 if n % 5 == 0 else 3.0 * (n % 2),
        }
        people.append(Person(sex=sex, marks=marks))
    await store_people(pool, org_id, people)
    async with pool.acquire() as conn:
        report = await dif_report(
            conn,
            CONTENT,
            org_id,
            "privacy-a",
            Selection(),
            attribute="sex",
            reference="male",
            focal="female",
        )
        grouped = await dif_report(
            conn,
            CONTENT,
            org_id,
            "privacy-a",
            Selection(),
            attribute="sex",
            reference="male",
            focal="female",
            groups=3,
        )
        for kwargs, field in (
            ({"attribute": "age", "reference": "male", "focal": "female"}, "attribute"),
            ({"attribute": "sex", "reference": "white", "focal": "female"}, "reference"),
            ({"attribute": "sex", "reference": "male", "focal": "male"}, "focal"),
            ({"attribute": "race_ethnicity", "reference": "white", "focal": "black"}, "reference"),
        ):
            with pytest.raises(InvalidInput) as info:
                await dif_report(conn, CONTENT, org_id, "privacy-a", Selection(), **kwargs)
            assert info.value.field == field, kwargs
    assert (report.dif.n_reference, report.dif.n_focal) == (6, 6)
    assert report.partial_credit_items == ["PRI-A-07"]
    assert report.matching == "total mark in whole marks"
    assert grouped.matching == "total mark in 3 equal-frequency groups"
    assert len(report.dif.items) == 24


async def test_runs_stored_without_item_vectors_read_the_same(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    await store_people(pool, org_id, [Person(marks=m) for m in HAND])
    async with pool.acquire() as conn:
        with_arrays = await item_analysis_report(conn, CONTENT, org_id, "privacy-a", Selection())
        await conn.execute("DELETE FROM item_score_vectors")
        rebuilt = await item_analysis_report(conn, CONTENT, org_id, "privacy-a", Selection())
        # A run whose items are not the form's (another content version) is left out.
        await conn.execute(
            "DELETE FROM item_scores WHERE item_id = 'PRI-A-24' AND "
            "scoring_run_id = (SELECT min(id::text)::uuid FROM scoring_runs)"
        )
        short = await item_analysis_report(conn, CONTENT, org_id, "privacy-a", Selection())
    assert rebuilt.analysis == with_arrays.analysis
    assert (short.attempts, short.excluded_incomplete) == (3, 1)
