"""Model registry against a real PostgreSQL: versions, active pointers, rollback, artifacts."""

from __future__ import annotations

import uuid

import asyncpg
import numpy as np
import pytest

from service.ground.errors import Conflict, NotFound
from service.readiness.features import FEATURES
from service.readiness.model import TrainedModel, fit_and_select, positive_probability
from service.readiness.registry import (
    Provenance,
    activate,
    active_version,
    get_model,
    list_models,
    load_model,
    register_model,
    rollback,
)
from tests.readiness.dbseed import new_organization
from tests.readiness.helpers import synthetic_percents


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    x, y, _ = synthetic_percents(1200, seed=2)
    groups = {"sex": ["female", "male", "unknown"] * 400}
    return fit_and_select(x, y, seed=0, candidates=("logistic_sigmoid",), groups=groups)


PRIOR = Provenance("simulated", n_positive=700, content_version="c-0123456789ab", note="prior")


async def register(
    conn: asyncpg.Connection, trained: TrainedModel, org: uuid.UUID | None = None
) -> str:
    kind = Provenance("real", 40, note="real") if org else PRIOR
    model = await register_model(
        conn, trained, organization_id=org, provenance=kind, seed=0, created_by="test"
    )
    return model.version


async def test_a_registered_version_keeps_its_provenance_features_and_metrics(
    pool: asyncpg.Pool, trained: TrainedModel
) -> None:
    async with pool.acquire() as conn:
        version = await register(conn, trained)
        model = await get_model(conn, version)
        assert version.startswith("rm-")
        assert model.provenance == "simulated"
        assert model.content_version == "c-0123456789ab"
        assert model.features == FEATURES
        assert model.feature_means == pytest.approx(trained.feature_means)
        assert model.hyperparameters["calibration"] == "sigmoid"
        assert model.metrics.validation.brier == pytest.approx(trained.validation.brier)
        assert set(model.metrics.by_group["sex"]) == {"female", "male"}
        assert model.metrics.candidates[0].name == "logistic_sigmoid"
        assert model.n_train == 1200
        assert model.notes == "prior"
        assert await active_version(conn) is None  # registering does not activate
        assert [m.version for m in await list_models(conn)] == [version]


async def test_versions_are_numbered_in_order(pool: asyncpg.Pool, trained: TrainedModel) -> None:
    async with pool.acquire() as conn:
        first = await register(conn, trained)
        second = await register(conn, trained)
    assert int(second[3:]) == int(first[3:]) + 1


async def test_organizations_fall_back_to_the_global_pointer_until_they_have_their_own(
    pool: asyncpg.Pool, trained: TrainedModel, org_id: uuid.UUID
) -> None:
    async with pool.acquire() as conn:
        other = await new_organization(conn)
        global_v = await register(conn, trained)
        own_v = await register(conn, trained, org_id)
        await activate(conn, global_v, activated_by="test", reason="first prior")
        assert await active_version(conn, organization_id=org_id) == global_v
        await activate(conn, own_v, organization_id=org_id, activated_by="t", reason="real")
        assert await active_version(conn, organization_id=org_id) == own_v
        assert await active_version(conn, organization_id=other) == global_v
        assert await active_version(conn) == global_v


async def test_an_organizations_model_is_invisible_to_others_and_cannot_serve_all(
    pool: asyncpg.Pool, trained: TrainedModel, org_id: uuid.UUID
) -> None:
    async with pool.acquire() as conn:
        other = await new_organization(conn)
        own_v = await register(conn, trained, org_id)
        with pytest.raises(NotFound):
            await get_model(conn, own_v, organization_id=other)
        with pytest.raises(NotFound):
            await activate(conn, own_v, organization_id=other, activated_by="t", reason="x")
        with pytest.raises(NotFound):  # an organization's model cannot serve everyone
            await activate(conn, own_v, activated_by="t", reason="x")
        assert own_v not in [m.version for m in await list_models(conn, organization_id=other)]


async def test_rollback_walks_back_through_earlier_versions(
    pool: asyncpg.Pool, trained: TrainedModel
) -> None:
    async with pool.acquire() as conn:
        v1, v2, v3 = [await register(conn, trained) for _ in range(3)]
        for v in (v1, v2, v3):
            await activate(conn, v, activated_by="test", reason="trained")
        back = await rollback(conn, activated_by="ops")
        assert back.version == v2
        assert await active_version(conn) == v2
        assert (await get_model(conn, v3)).retired_at is not None
        assert (await rollback(conn, activated_by="ops")).version == v1
        with pytest.raises(Conflict, match="nothing to roll back to"):
            await rollback(conn, activated_by="ops")
        assert await active_version(conn) == v1
        again = await activate(conn, v3, activated_by="ops", reason="fixed after all")
        assert again.retired_at is None
        assert await active_version(conn) == v3
        actions = await conn.fetch(
            "SELECT model_version, action FROM readiness_model_activations ORDER BY id"
        )
    assert [tuple(r) for r in actions] == [
        (v1, "activate"), (v2, "activate"), (v3, "activate"),
        (v2, "rollback"), (v1, "rollback"), (v3, "activate"),
    ]  # fmt: skip


async def test_rollback_without_an_active_model_is_a_conflict(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(Conflict, match="no active"):
            await rollback(conn, organization_id=org_id, activated_by="ops")


async def test_a_loaded_model_predicts_like_the_trained_one(
    pool: asyncpg.Pool, trained: TrainedModel
) -> None:
    x, _, _ = synthetic_percents(50, seed=9)
    async with pool.acquire() as conn:
        assert await active_version(conn) is None
        version = await register(conn, trained)
        await activate(conn, version, activated_by="test", reason="first")
        active = await active_version(conn)
        assert active == version
        loaded = await load_model(conn, active)
    assert loaded is not None
    assert loaded.version == version
    assert np.array_equal(
        positive_probability(loaded.estimator, x), positive_probability(trained.estimator, x)
    )
    assert loaded.calibration_bins == trained.validation.reliability


async def test_a_tampered_artifact_is_refused(pool: asyncpg.Pool, trained: TrainedModel) -> None:
    async with pool.acquire() as conn:
        version = await register(conn, trained)
        await conn.execute(
            "UPDATE readiness_models SET artifact = artifact || '\\x00'::bytea WHERE version = $1",
            version,
        )
        with pytest.raises(Conflict, match="checksum"):
            await load_model(conn, version)
