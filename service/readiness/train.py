"""Training: real hiring outcomes when there are enough, else the simulated prior.

``train`` gathers the data, fits and selects a model off the event loop, registers it and
(by default) makes it the scope's active model. ``run_train`` / ``run_model_card`` are the
bodies of the ``chartready train`` and ``chartready model-card`` commands.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg
import msgspec
import numpy as np
import numpy.typing as npt

from service.assessments.bank import ContentVersion
from service.demographics.store import demographic_groups
from service.ground.errors import NotFound
from service.readiness.card import model_card
from service.readiness.features import feature_matrix
from service.readiness.generative import COMPETENCY_IDS
from service.readiness.model import TrainedModel, fit_and_select
from service.readiness.outcomes import TrainingRow, training_rows
from service.readiness.registry import (
    ModelVersion,
    Provenance,
    activate,
    active_version,
    get_model,
    register_model,
    rollback,
)
from service.readiness.scorer_adapter import Scorer
from service.readiness.simulation import point_tables, simulate_fast

DEFAULT_SIMULATED_CANDIDATES = 20_000
NEUTRAL_PERCENT = 50.0  # fill for a competency no training row has (cannot happen with a full bank)

FloatArray = npt.NDArray[np.float64]


class TrainingData(msgspec.Struct, frozen=True):
    """Features, outcomes, groups (for per-group metrics only) and where they came from."""

    x: FloatArray
    y: npt.NDArray[np.bool_]
    groups: dict[str, list[str]]
    provenance: Provenance


def _column_means(rows: list[dict[str, float]]) -> dict[str, float]:
    means = {}
    for c in COMPETENCY_IDS:
        values = [r[c] for r in rows if c in r]
        means[c] = float(np.mean(values)) if values else NEUTRAL_PERCENT
    return means


def real_training_data(
    rows: list[TrainingRow], groups: dict[str, list[str]], *, minimum: int
) -> TrainingData:
    """Training data from real outcomes (missing competencies take the column mean)."""
    percents = [r.percents for r in rows]
    x = feature_matrix(percents, _column_means(percents))
    y = np.array([r.met_standard for r in rows], dtype=bool)
    dates = [r.observed_on for r in rows]
    note = (
        f"Trained on {len(rows)} real hiring outcomes posted by HR systems "
        f"(at least {minimum} are required before real outcomes replace the simulated prior)."
    )
    return TrainingData(
        x, y, groups,
        Provenance("real", int(y.sum()), min(dates), max(dates), note=note),
    )  # fmt: skip


def simulated_training_data(
    content: ContentVersion,
    *,
    n: int,
    seed: int,
    scorer: Scorer | None = None,
    real_available: int = 0,
    minimum: int = 0,
) -> TrainingData:
    """Training data from the simulated prior over the given item bank."""
    cohort = simulate_fast(content, n, seed=seed, tables=point_tables(content, scorer=scorer))
    x = cohort.percents.copy()
    for k in range(x.shape[1]):  # a competency the bank never measures: neutral fill
        column = x[:, k]
        fill = float(np.nanmean(column)) if np.any(~np.isnan(column)) else NEUTRAL_PERCENT
        column[np.isnan(column)] = fill
    note = (
        f"Trained on {n} SIMULATED candidates (the simulated prior), not on real hiring "
        f"outcomes: {real_available} real outcomes were available and {minimum} are required. "
        "Its estimates show what the assessment's design implies, not what has been observed "
        "in this organization's hires."
    )
    return TrainingData(
        x, cohort.met_standard,
        {"sex": cohort.sex, "race_ethnicity": cohort.race_ethnicity},
        Provenance("simulated", int(cohort.met_standard.sum()),
                   content_version=content.version_id, note=note),
    )  # fmt: skip


async def train(
    pool: asyncpg.Pool,
    *,
    min_real_outcomes: int,
    seed: int,
    organization_id: UUID | None = None,
    simulated_candidates: int = DEFAULT_SIMULATED_CANDIDATES,
    content: ContentVersion | None = None,
    scorer: Scorer | None = None,
    created_by: str = "chartready train",
    make_active: bool = True,
) -> ModelVersion:
    """Train, register and (by default) activate a model for ``organization_id``'s scope.

    Real outcomes of the organization are used when at least ``min_real_outcomes`` have
    competency scores; otherwise (and always for the global scope) the simulated prior.
    """
    async with pool.acquire() as conn:
        rows = (
            await training_rows(conn, organization_id=organization_id)
            if organization_id is not None
            else []
        )
        groups = (
            await demographic_groups(
                conn, organization_id=organization_id, candidate_ids=[r.candidate_id for r in rows]
            )
            if organization_id is not None and len(rows) >= min_real_outcomes
            else {}
        )
    data: TrainingData
    if organization_id is not None and len(rows) >= min_real_outcomes:
        data = real_training_data(rows, groups, minimum=min_real_outcomes)
    else:
        if content is None:
            from service.assessments.content import load_content  # noqa: PLC0415

            content = load_content()
        data = await asyncio.to_thread(
            simulated_training_data, content, n=simulated_candidates, seed=seed, scorer=scorer,
            real_available=len(rows), minimum=min_real_outcomes,
        )  # fmt: skip
    trained: TrainedModel = await asyncio.to_thread(
        fit_and_select, data.x, data.y, seed=seed, groups=data.groups
    )
    async with pool.acquire() as conn:
        version = await register_model(
            conn, trained, organization_id=organization_id, provenance=data.provenance,
            seed=seed, created_by=created_by,
        )  # fmt: skip
        if make_active:
            version = await activate(
                conn, version.version, organization_id=organization_id,
                activated_by=created_by, reason=data.provenance.note,
            )  # fmt: skip
    return version


async def _organization_id(conn: asyncpg.Connection, slug: str | None) -> UUID | None:
    if slug is None:
        return None
    found: UUID | None = await conn.fetchval("SELECT id FROM organizations WHERE slug = $1", slug)
    if found is None:
        raise NotFound(f"no organization {slug!r}")
    return found


async def run_train(
    dsn: str,
    *,
    min_real_outcomes: int,
    seed: int = 0,
    organization_slug: str | None = None,
    simulated_candidates: int = DEFAULT_SIMULATED_CANDIDATES,
) -> str:
    """``chartready train``: train for one organization (or the global scope); returns the card."""
    from service.ground.db import create_pool  # noqa: PLC0415 - keeps the model code free of app imports

    pool = await create_pool(dsn, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            organization_id = await _organization_id(conn, organization_slug)
        version = await train(
            pool, min_real_outcomes=min_real_outcomes, seed=seed,
            organization_id=organization_id, simulated_candidates=simulated_candidates,
        )  # fmt: skip
        async with pool.acquire() as conn:
            return model_card(
                version, active=await active_version(conn, organization_id=organization_id)
            )
    finally:
        await pool.close()


async def run_model_card(
    dsn: str, *, version: str | None = None, organization_slug: str | None = None
) -> str:
    """``chartready model-card``: the card of ``version`` or of the scope's active model."""
    from service.ground.db import create_pool  # noqa: PLC0415

    pool = await create_pool(dsn, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            organization_id = await _organization_id(conn, organization_slug)
            active = await active_version(conn, organization_id=organization_id)
            chosen = version or active
            if chosen is None:
                raise NotFound("no readiness model is active; run `chartready train` first")
            model = await get_model(conn, chosen, organization_id=organization_id)
            return model_card(model, active=active)
    finally:
        await pool.close()


async def run_rollback(
    dsn: str, *, organization_slug: str | None = None, reason: str = "rollback"
) -> str:
    """``chartready model-rollback``: re-activate the scope's previous model; say which."""
    from service.ground.db import create_pool  # noqa: PLC0415

    pool = await create_pool(dsn, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn, conn.transaction():
            organization_id = await _organization_id(conn, organization_slug)
            restored = await rollback(
                conn, organization_id=organization_id, activated_by="cli", reason=reason
            )
            return f"active readiness model is now {restored.version}"
    finally:
        await pool.close()
