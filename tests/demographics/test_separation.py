"""Self-reported demographics never reach scoring or the readiness model's features.

Three guards: no module of scoring or the model's features can import (even indirectly) the
code that reads demographics; only that code and the statistics' data access name the
table; and a trained model and its estimates are the same whatever the demographics say.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import asyncpg
import grimp
import msgspec
import numpy as np
import pytest

from service.demographics.store import SelfReport, record_self_report
from service.readiness.generative import COMPETENCY_IDS
from service.readiness.outcomes import training_rows
from service.readiness.predict import predict
from service.readiness.registry import load_model
from service.readiness.train import train
from tests.readiness.test_train import seed_outcomes

SERVICE = Path(__file__).resolve().parents[2] / "service"
# Scoring (the scorers, the scoring engine, results and delivery) and everything the
# readiness model's features and estimates are built from.
GUARDED = (
    "service.assessments",
    "service.results",
    "service.delivery",
    "service.readiness.features",
    "service.readiness.model",
    "service.readiness.estimators",
    "service.readiness.predict",
    "service.readiness.estimates",
    "service.readiness.outcomes",
    "service.readiness.simulation",
    "service.readiness.bulk",
)
READERS = ("service.demographics", "service.analytics")
SQL_USE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+candidate_demographics\b", re.I)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("service")


def test_no_scorer_or_model_feature_can_import_the_demographics(
    graph: grimp.ImportGraph,
) -> None:
    guarded = sorted(m for m in graph.modules if m.startswith(GUARDED))
    assert "service.assessments.scorers.code_entry" in guarded  # the set is not empty
    # The control: per-group calibration in training does read them, and is found.
    assert graph.find_shortest_chain(
        importer="service.readiness.train", imported="service.demographics.store"
    )
    for module in guarded:
        for reader in READERS:
            for target in sorted(m for m in graph.modules if m.startswith(reader)):
                chain = graph.find_shortest_chain(importer=module, imported=target)
                assert chain is None, f"{module} reaches {target} via {chain}"


def test_only_the_statistics_code_queries_the_demographics_table() -> None:
    allowed = [SERVICE / "demographics", SERVICE / "analytics"]
    naming = [p for p in SERVICE.rglob("*.py") if SQL_USE.search(p.read_text(encoding="utf-8"))]
    assert naming  # the readers themselves
    stray = [str(p) for p in naming if not any(a in p.parents for a in allowed)]
    assert not stray, f"demographics read outside the statistics code: {stray}"


async def _swap(pool: asyncpg.Pool, org: uuid.UUID, flip: bool) -> None:  # type: ignore[type-arg]
    rows = await pool.fetch("SELECT id FROM candidates WHERE organization_id = $1 ORDER BY id", org)
    async with pool.acquire() as conn:
        for n, row in enumerate(rows):
            first = (n % 2 == 0) != flip
            await record_self_report(
                conn,
                org,
                row["id"],
                SelfReport(
                    sex="female" if first else "male", race_ethnicity="black" if first else "white"
                ),
            )


async def test_models_and_estimates_are_blind_to_demographics(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await seed_outcomes(pool, org_id, 70)
    async with pool.acquire() as conn:
        rows_before = await training_rows(conn, organization_id=org_id)
    await _swap(pool, org_id, flip=False)
    first = await train(pool, min_real_outcomes=50, seed=4, organization_id=org_id)
    await _swap(pool, org_id, flip=True)  # every person's answers reversed
    second = await train(pool, min_real_outcomes=50, seed=4, organization_id=org_id)
    async with pool.acquire() as conn:
        assert await training_rows(conn, organization_id=org_id) == rows_before
        # Loaded straight from this database (not the process's cache of model versions).
        model_a = await load_model(conn, first.version, organization_id=org_id)
        model_b = await load_model(conn, second.version, organization_id=org_id)
    assert first.features == second.features
    grid = np.linspace(0, 100, 9)[:, None] * np.ones((1, len(first.features)))
    assert np.array_equal(
        model_a.estimator.predict_proba(grid), model_b.estimator.predict_proba(grid)
    )
    # The estimate of every candidate, from their stored scores, is the same.
    people = [
        dict(zip(COMPETENCY_IDS, (float(v) for v in row), strict=True))
        for row in grid[:, : len(COMPETENCY_IDS)]
    ]
    people += [r.percents for r in rows_before]
    assert predict(model_a, people) == [
        msgspec.structs.replace(e, model_version=first.version) for e in predict(model_b, people)
    ]
    # The groups only feed the per-group report, which does differ.
    assert first.metrics.by_group != second.metrics.by_group


async def test_simulated_peoples_outcomes_never_train_a_real_model(
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await seed_outcomes(pool, org_id, 10)
    await pool.execute(
        "UPDATE candidates SET simulated = true WHERE id IN (SELECT id FROM "
        "candidates WHERE organization_id = $1 LIMIT 4)",
        org_id,
    )
    async with pool.acquire() as conn:
        assert len(await training_rows(conn, organization_id=org_id)) == 6
