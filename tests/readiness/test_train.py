"""Training from real outcomes or the simulated prior, the model card, and estimates."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import pytest

from service.assessments.content import load_content
from service.ground.errors import NotFound
from service.readiness.card import model_card
from service.readiness.estimates import estimate_attempt, latest_estimate
from service.readiness.generative import COMPETENCY_IDS
from service.readiness.outcomes import candidate_percents, record_outcome, training_rows
from service.readiness.registry import active_version, rollback
from service.readiness.train import run_model_card, train
from tests.readiness.dbseed import add_scoring_run, outcome, scored_candidate
from tests.readiness.helpers import synthetic_percents

START = dt.date(2026, 1, 5)


async def seed_outcomes(pool: asyncpg.Pool, org_id: uuid.UUID, n: int) -> list[uuid.UUID]:
    """``n`` candidates with scores and outcomes; returns their attempt ids."""
    x, y, _ = synthetic_percents(n, seed=31)
    attempts = []
    async with pool.acquire() as conn:
        for i in range(n):
            percents = dict(zip(COMPETENCY_IDS, (float(v) for v in x[i]), strict=True))
            candidate_id, attempt_id = await scored_candidate(conn, org_id, percents)
            await outcome(conn, org_id, candidate_id, bool(y[i]), START + dt.timedelta(days=i))
            attempts.append(attempt_id)
    return attempts


async def test_enough_real_outcomes_train_a_real_model_and_the_card_says_so(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    await seed_outcomes(pool, org_id, 80)
    version = await train(pool, min_real_outcomes=60, seed=1, organization_id=org_id)
    assert version.provenance == "real"
    assert version.organization_id == org_id
    assert version.n_train == 80
    assert version.outcomes_from == START
    assert version.outcomes_to == START + dt.timedelta(days=79)
    async with pool.acquire() as conn:
        assert await active_version(conn, organization_id=org_id) == version.version
        assert await active_version(conn) is None  # the global scope is untouched
    card = model_card(version, active=version.version)
    assert "Trained on REAL hiring outcomes" in card
    assert "80 real hiring outcomes" in card
    assert f"{START} to {START + dt.timedelta(days=79)}" in card
    assert "Status: active" in card
    assert "ECE" in card
    assert "15 equal-width bins" in card


async def test_too_few_real_outcomes_fall_back_to_the_simulated_prior(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    await seed_outcomes(pool, org_id, 12)
    content = load_content()
    version = await train(
        pool, min_real_outcomes=60, seed=2, organization_id=org_id,
        simulated_candidates=3000, content=content,
    )  # fmt: skip
    assert version.provenance == "simulated"
    assert version.content_version == content.version_id
    assert version.n_train == 3000
    card = model_card(version)
    assert "Trained on SIMULATED candidates" in card
    assert "12 real outcomes were available and 60 are required" in card
    assert "Status: registered, not active" in card  # no active version passed
    assert "By race/ethnicity" in card  # simulated groups give per-group calibration


async def test_retraining_replaces_the_active_model_and_rollback_restores_it(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    await seed_outcomes(pool, org_id, 70)
    first = await train(pool, min_real_outcomes=50, seed=1, organization_id=org_id)
    second = await train(pool, min_real_outcomes=50, seed=2, organization_id=org_id)
    async with pool.acquire() as conn:
        assert await active_version(conn, organization_id=org_id) == second.version
        restored = await rollback(conn, organization_id=org_id, activated_by="ops")
        assert restored.version == first.version
        assert await active_version(conn, organization_id=org_id) == first.version


async def test_estimates_carry_the_model_version_and_are_stored(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    attempts = await seed_outcomes(pool, org_id, 70)
    async with pool.acquire() as conn:
        assert await estimate_attempt(conn, organization_id=org_id, attempt_id=attempts[0]) is None
    version = await train(pool, min_real_outcomes=50, seed=1, organization_id=org_id)
    async with pool.acquire() as conn:
        estimate = await estimate_attempt(conn, organization_id=org_id, attempt_id=attempts[0])
        assert estimate is not None
        assert estimate.model_version == version.version
        assert estimate.lower <= estimate.probability <= estimate.upper
        stored = await latest_estimate(conn, organization_id=org_id, attempt_id=attempts[0])
        with pytest.raises(NotFound):
            await estimate_attempt(conn, organization_id=uuid.uuid4(), attempt_id=attempts[0])
    assert stored is not None
    assert stored.estimate == estimate


async def test_features_come_from_the_current_scoring_run(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    old = dict.fromkeys(COMPETENCY_IDS, 40.0)
    new = dict.fromkeys(COMPETENCY_IDS, 90.0)
    async with pool.acquire() as conn:
        candidate_id, attempt_id = await scored_candidate(conn, org_id, old)
        await add_scoring_run(conn, org_id, attempt_id, uuid.uuid4(), new)  # a rescoring
        assert await candidate_percents(
            conn, organization_id=org_id, candidate_id=candidate_id
        ) == pytest.approx(new)


async def test_a_repost_from_the_same_source_replaces_the_outcome(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    async with pool.acquire() as conn:
        candidate_id, _ = await scored_candidate(conn, org_id, dict.fromkeys(COMPETENCY_IDS, 70.0))
        for met in (True, False):
            await record_outcome(
                conn, organization_id=org_id, candidate_id=candidate_id, met_standard=met,
                observed_on=START, source="greenhouse",
            )  # fmt: skip
        rows = await training_rows(conn, organization_id=org_id)
    assert len(rows) == 1
    assert rows[0].met_standard is False


async def test_model_card_command_prints_the_active_card(
    db_url: str, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    slug = await pool.fetchval("SELECT slug FROM organizations WHERE id = $1", org_id)
    with pytest.raises(NotFound, match="chartready train"):
        await run_model_card(db_url, organization_slug=slug)
    await seed_outcomes(pool, org_id, 70)
    version = await train(pool, min_real_outcomes=50, seed=1, organization_id=org_id)
    card = await run_model_card(db_url, organization_slug=slug)
    assert card.startswith(f"# Readiness model {version.version}")
    assert "Status: active" in card
