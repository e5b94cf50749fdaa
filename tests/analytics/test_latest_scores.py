"""The overview's read model (``latest_scores``, ``latest_competency_scores``) is the
``latest_scored_attempts`` view kept ready by a trigger: after scoring, rescoring, a newer
attempt, a changed submission time and a deleted run, the tables say exactly what the view
and the competency scores of its runs say."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from service.assessments.bank import ContentVersion
from service.assessments.content import load_content
from service.cli.demo_sample import seed_statistics_sample
from service.readiness.predict import BandThresholds
from service.readiness.train import train
from service.results.rescoring import rescore_attempt
from tests.results.factories import finished_attempt

FROM_VIEW = """
SELECT l.candidate_id, l.assessment_id, l.attempt_id, l.run_id, l.form_id, l.submitted_at,
       l.scaled_score, l.passed, l.provisional
FROM latest_scored_attempts l WHERE l.organization_id = $1 ORDER BY 1, 2"""
FROM_TABLE = """
SELECT candidate_id, assessment_id, attempt_id, run_id, form_id, submitted_at, scaled_score,
       passed, provisional
FROM latest_scores WHERE organization_id = $1 ORDER BY 1, 2"""
COMPETENCIES_FROM_VIEW = """
SELECT l.candidate_id, l.assessment_id, cs.competency_id, cs.raw, cs.max, cs.provisional_max
FROM latest_scored_attempts l
JOIN competency_scores cs ON cs.scoring_run_id = l.run_id
WHERE l.organization_id = $1 ORDER BY 1, 2, 3"""
COMPETENCIES_FROM_TABLE = """
SELECT candidate_id, assessment_id, competency_id, raw, max, provisional_max
FROM latest_competency_scores WHERE organization_id = $1 ORDER BY 1, 2, 3"""


async def _score(pool: asyncpg.Pool, org_id: uuid.UUID, attempt: uuid.UUID) -> None:
    async with pool.acquire() as conn:
        await rescore_attempt(
            conn,
            org_id,
            attempt,
            load_content(),
            reason="test",
            actor="test",
            thresholds=BandThresholds(),
        )


TOTALS_FROM_VIEW = """
SELECT l.candidate_id, cs.competency_id, sum(cs.raw), sum(cs.max), sum(cs.provisional_max)
FROM latest_scored_attempts l
JOIN competency_scores cs ON cs.scoring_run_id = l.run_id
WHERE l.organization_id = $1 GROUP BY 1, 2 ORDER BY 1, 2"""
TOTALS_FROM_TABLE = """
SELECT candidate_id, competency_id, raw, max, provisional_max
FROM latest_competency_totals WHERE organization_id = $1 ORDER BY 1, 2"""
ESTIMATES_FROM_VIEW = """
SELECT DISTINCT ON (l.candidate_id) l.candidate_id, p.id, p.probability, p.model_version,
       p.provisional
FROM latest_scored_attempts l JOIN readiness_predictions p ON p.attempt_id = l.attempt_id
WHERE l.organization_id = $1 ORDER BY l.candidate_id, p.created_at DESC, p.id DESC"""
ESTIMATES_FROM_TABLE = """
SELECT candidate_id, prediction_id, probability, model_version, provisional
FROM latest_estimates WHERE organization_id = $1 ORDER BY 1"""


async def _agrees(pool: asyncpg.Pool, org_id: uuid.UUID) -> int:
    """The read model equals the view (and its per-candidate sums and newest estimates equal
    those computed from the view); the number of (candidate, assessment) rows."""
    view = [tuple(r) for r in await pool.fetch(FROM_VIEW, org_id)]
    assert [tuple(r) for r in await pool.fetch(FROM_TABLE, org_id)] == view
    for from_table, from_view in (
        (COMPETENCIES_FROM_TABLE, COMPETENCIES_FROM_VIEW),
        (TOTALS_FROM_TABLE, TOTALS_FROM_VIEW),
        (ESTIMATES_FROM_TABLE, ESTIMATES_FROM_VIEW),
    ):
        table = [_rounded(r) for r in await pool.fetch(from_table, org_id)]
        assert table == [_rounded(r) for r in await pool.fetch(from_view, org_id)], from_table
    return len(view)


def _rounded(row: asyncpg.Record) -> tuple[object, ...]:
    """A row with its floats rounded (sums may add the same terms in another order)."""
    return tuple(round(v, 9) if isinstance(v, float) else v for v in row)


async def test_the_read_model_follows_every_change_the_view_sees(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    first = await finished_attempt(pool, org_id, "privacy-a", {"PRI-A-01": "b"})
    assert await _agrees(pool, org_id) == 0  # submitted, not yet scored
    await _score(pool, org_id, first)
    assert await _agrees(pool, org_id) == 1
    await _score(pool, org_id, first)  # a rescoring: a new current run, the old one retired
    assert await _agrees(pool, org_id) == 1
    run = await pool.fetchval("SELECT run_id FROM latest_scores WHERE attempt_id = $1", first)
    assert run == await pool.fetchval(
        "SELECT id FROM scoring_runs WHERE attempt_id = $1 AND current", first
    )
    # A second attempt of the same assessment by the same candidate, submitted later, wins.
    person = await pool.fetchval("SELECT candidate_id FROM attempts WHERE id = $1", first)
    invitation, second = uuid.uuid4(), uuid.uuid4()
    await pool.execute(  # invited again
        """INSERT INTO invitations (id, organization_id, candidate_id, token_sha256, assessments,
                                    expires_at, created_by)
           SELECT $1, organization_id, candidate_id, $2, assessments, expires_at, 'test'
           FROM invitations WHERE id = (SELECT invitation_id FROM attempts WHERE id = $3)""",
        invitation,
        uuid.uuid4().bytes * 2,
        first,
    )
    await pool.execute(
        """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id, assessment_id,
                                 form_id, content_version, status, submitted_at)
           SELECT $1, organization_id, candidate_id, $3, assessment_id, 'privacy-b',
                  content_version, 'submitted', now() + interval '1 hour'
           FROM attempts WHERE id = $2""",
        second,
        first,
        invitation,
    )
    await _score(pool, org_id, second)
    assert await _agrees(pool, org_id) == 1
    assert (
        await pool.fetchval("SELECT attempt_id FROM latest_scores WHERE candidate_id = $1", person)
        == second
    )
    # Moving the first submission later than the second hands the place back to it.
    await pool.execute(
        "UPDATE attempts SET submitted_at = now() + interval '2 hours' WHERE id = $1", first
    )
    assert await _agrees(pool, org_id) == 1
    assert (
        await pool.fetchval("SELECT attempt_id FROM latest_scores WHERE candidate_id = $1", person)
        == first
    )
    # Its runs deleted, the first attempt drops out and the second is the latest again.
    await pool.execute("DELETE FROM scoring_runs WHERE attempt_id = $1", first)
    assert await _agrees(pool, org_id) == 1
    assert (
        await pool.fetchval("SELECT attempt_id FROM latest_scores WHERE candidate_id = $1", person)
        == second
    )


async def test_rows_go_with_their_candidate(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    attempt = await finished_attempt(pool, org_id, "privacy-a", {"PRI-A-01": "b"})
    await _score(pool, org_id, attempt)
    assert await _agrees(pool, org_id) == 1
    await pool.execute(
        "DELETE FROM candidates WHERE id = (SELECT candidate_id FROM attempts WHERE id = $1)",
        attempt,
    )
    assert await _agrees(pool, org_id) == 0
    assert await pool.fetchval("SELECT count(*) FROM latest_competency_scores") == 0


async def test_a_bulk_load_refreshes_every_key_in_one_pass(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    """The statistics sample stores hundreds of runs per statement (the set-based path)."""
    content = load_content()
    await train(pool, min_real_outcomes=200, seed=0, simulated_candidates=2000, content=content)
    await seed_statistics_sample(pool, org_id, content, thresholds=BandThresholds())
    assert await _agrees(pool, org_id) > 200


async def _estimate(pool: asyncpg.Pool, org_id: uuid.UUID, attempt: uuid.UUID, p: float) -> int:
    estimate: int = await pool.fetchval(
        """INSERT INTO readiness_predictions (organization_id, attempt_id, model_version,
               probability, band, lower, upper, explanation)
           VALUES ($1, $2, 'rm-0001', $3, 'not_yet', 0, 1, '{}') RETURNING id""",
        org_id,
        attempt,
        p,
    )
    return estimate


async def test_the_newest_estimate_of_the_latest_attempts_is_the_candidates(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await pool.execute(
        """INSERT INTO readiness_models (version, provenance, estimator, n_train, n_validation,
               n_positive, features, feature_means, hyperparameters, metrics, artifact,
               artifact_sha256, seed, created_by)
           VALUES ('rm-0001', 'simulated', 'x', 10, 2, 5, '{a}', '{1}', '{}', '{}', '\\x00',
                   repeat('0', 64), 0, 'test')"""
    )
    first = await finished_attempt(pool, org_id, "privacy-a", {"PRI-A-01": "b"})
    await _score(pool, org_id, first)
    person = await pool.fetchval("SELECT candidate_id FROM attempts WHERE id = $1", first)

    async def newest() -> int | None:
        found: int | None = await pool.fetchval(
            "SELECT prediction_id FROM latest_estimates WHERE candidate_id = $1", person
        )
        return found

    older = await _estimate(pool, org_id, first, 0.2)
    assert await newest() == older
    newer = await _estimate(pool, org_id, first, 0.8)
    assert await newest() == newer
    assert await _agrees(pool, org_id) == 1
    await pool.execute("DELETE FROM readiness_predictions WHERE id = $1", newer)
    assert await newest() == older
    # Without a scored attempt the candidate has no latest attempt, so no estimate counts.
    await pool.execute("DELETE FROM scoring_runs WHERE attempt_id = $1", first)
    assert await newest() is None
    assert await _agrees(pool, org_id) == 0


async def test_two_scorings_of_one_candidate_at_once_take_turns(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    """Two workers scoring two assessments of one candidate at the same moment: the second
    refresh waits for the first to commit and then counts its scores (without turns it
    failed on the first one's new rows, or left totals that missed them)."""
    first = await finished_attempt(pool, org_id, "privacy-a", {"PRI-A-01": "b"})
    second = uuid.uuid4()
    await pool.execute(  # the same candidate's records operations attempt, same invitation
        """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id, assessment_id,
                                 form_id, content_version, status, submitted_at)
           SELECT $1, organization_id, candidate_id, invitation_id, 'records_operations',
                  'records_operations-a', content_version, 'submitted', now()
           FROM attempts WHERE id = $2""",
        second,
        first,
    )
    content = load_content()
    async with pool.acquire() as one, pool.acquire() as other:
        async with one.transaction():
            await rescore_attempt(
                one, org_id, first, content, reason="t", actor="t", thresholds=BandThresholds()
            )
            waiting = asyncio.create_task(_score_in_transaction(other, org_id, second, content))
            await asyncio.sleep(0.3)
            assert not waiting.done()  # it waits for this transaction's turn to end
        await waiting
    assert await _agrees(pool, org_id) == 2
    assessments = await pool.fetchval(
        "SELECT count(DISTINCT assessment_id) FROM latest_competency_scores"
    )
    assert assessments == 2


async def _score_in_transaction(
    conn: asyncpg.Connection,  # type: ignore[type-arg]
    org_id: uuid.UUID,
    attempt: uuid.UUID,
    content: ContentVersion,
) -> None:
    async with conn.transaction():
        await rescore_attempt(
            conn, org_id, attempt, content, reason="t", actor="t", thresholds=BandThresholds()
        )
