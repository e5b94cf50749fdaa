"""Model registry in PostgreSQL: versions, provenance, metrics, artifacts, active pointers.

Scopes: a model belongs to one organization, or is global (``organization_id`` None). A
scope's active model is the newest row of its activation history; an organization with
no history of its own uses the global active model. Rollback retires the current model
of a scope and re-activates the most recent earlier one that is not retired.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from service.ground.errors import Conflict, NotFound
from service.readiness.artifacts import dump_estimator, load_estimator
from service.readiness.evaluation import Metrics
from service.readiness.model import CandidateResult, TrainedModel
from service.readiness.predict import LoadedModel


class ModelMetrics(msgspec.Struct, frozen=True):
    """Held-out metrics of a model version (stored as jsonb)."""

    validation: Metrics
    by_group: dict[str, dict[str, Metrics]]
    candidates: tuple[CandidateResult, ...]


class ModelVersion(msgspec.Struct, frozen=True):
    """A registered model version (without its artifact bytes)."""

    version: str
    organization_id: UUID | None
    created_at: dt.datetime
    provenance: str  # "simulated" or "real"
    estimator: str
    n_train: int
    n_validation: int
    n_positive: int
    outcomes_from: dt.date | None
    outcomes_to: dt.date | None
    content_version: str | None
    features: tuple[str, ...]
    feature_means: tuple[float, ...]
    hyperparameters: dict[str, Any]
    metrics: ModelMetrics
    seed: int
    created_by: str
    notes: str
    retired_at: dt.datetime | None
    artifact_sha256: str


class Provenance(msgspec.Struct, frozen=True):
    """Where a model's training data came from."""

    kind: str  # "simulated" or "real"
    n_positive: int
    outcomes_from: dt.date | None = None
    outcomes_to: dt.date | None = None
    content_version: str | None = None
    note: str = ""  # why this data was used, in words (shown on the model card)


_COLUMNS = """version, organization_id, created_at, provenance, estimator, n_train,
    n_validation, n_positive, outcomes_from, outcomes_to, content_version, features,
    feature_means, hyperparameters, metrics, seed, created_by, notes, retired_at, artifact_sha256"""


def _model_version(row: asyncpg.Record) -> ModelVersion:
    values = dict(row)
    values["features"] = tuple(values["features"])
    values["feature_means"] = tuple(values["feature_means"])
    values["metrics"] = msgspec.convert(values["metrics"], ModelMetrics)
    return ModelVersion(**values)


async def register_model(
    conn: asyncpg.Connection,
    trained: TrainedModel,
    *,
    organization_id: UUID | None,
    provenance: Provenance,
    seed: int,
    created_by: str,
) -> ModelVersion:
    """Store a trained model as a new version (not yet active) and return it."""
    artifact = dump_estimator(trained.estimator)
    metrics = ModelMetrics(trained.validation, trained.validation_by_group, trained.candidates)
    row = await conn.fetchrow(
        f"""
        INSERT INTO readiness_models (version, organization_id, provenance, estimator, n_train,
            n_validation, n_positive, outcomes_from, outcomes_to, content_version, features,
            feature_means, hyperparameters, metrics, artifact, artifact_sha256, seed, created_by,
            notes)
        VALUES ('rm-' || lpad(nextval('readiness_model_seq')::text, 4, '0'),
                $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
        RETURNING {_COLUMNS}
        """,  # noqa: S608 - the interpolated text is a constant column list
        organization_id,
        provenance.kind,
        trained.name,
        trained.n_train,
        trained.n_validation,
        provenance.n_positive,
        provenance.outcomes_from,
        provenance.outcomes_to,
        provenance.content_version,
        list(trained.features),
        list(trained.feature_means),
        trained.hyperparameters,
        msgspec.to_builtins(metrics),
        artifact,
        hashlib.sha256(artifact).hexdigest(),
        seed,
        created_by,
        provenance.note,
    )
    return _model_version(row)


async def get_model(
    conn: asyncpg.Connection, version: str, *, organization_id: UUID | None = None
) -> ModelVersion:
    """A version visible to ``organization_id`` (its own or a global one); else NotFound."""
    row = await conn.fetchrow(
        f"""SELECT {_COLUMNS} FROM readiness_models
            WHERE version = $1 AND (organization_id IS NULL OR organization_id = $2)""",  # noqa: S608
        version,
        organization_id,
    )
    if row is None:
        raise NotFound(f"no readiness model {version!r}")
    return _model_version(row)


async def list_models(
    conn: asyncpg.Connection, *, organization_id: UUID | None = None
) -> list[ModelVersion]:
    """Versions visible to ``organization_id`` (its own and the global ones), newest first."""
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM readiness_models
            WHERE organization_id IS NULL OR organization_id = $1
            ORDER BY created_at DESC, version DESC""",  # noqa: S608
        organization_id,
    )
    return [_model_version(r) for r in rows]


async def _lock_scope(conn: asyncpg.Connection, organization_id: UUID | None) -> None:
    # Serialise pointer changes per scope so two trainings cannot interleave a rollback.
    await conn.execute(
        """SELECT pg_advisory_xact_lock(
               hashtext('readiness-scope:' || coalesce($1::uuid::text, '*')))""",
        organization_id,
    )


async def _scope_pointer(conn: asyncpg.Connection, organization_id: UUID | None) -> str | None:
    value: str | None = await conn.fetchval(
        """SELECT model_version FROM readiness_model_activations
           WHERE organization_id IS NOT DISTINCT FROM $1 ORDER BY id DESC LIMIT 1""",
        organization_id,
    )
    return value


async def active_version(
    conn: asyncpg.Connection, *, organization_id: UUID | None = None
) -> str | None:
    """The model version that serves ``organization_id``: its own pointer, else the global."""
    own = await _scope_pointer(conn, organization_id) if organization_id is not None else None
    return own or await _scope_pointer(conn, None)


async def activate(
    conn: asyncpg.Connection,
    version: str,
    *,
    organization_id: UUID | None = None,
    activated_by: str,
    reason: str,
) -> ModelVersion:
    """Point a scope at ``version`` (which must be global or the scope's own)."""
    async with conn.transaction():
        await _lock_scope(conn, organization_id)
        # Raises NotFound for another organization's model, and in the global scope for
        # any organization's model: only global models may serve every organization.
        await get_model(conn, version, organization_id=organization_id)
        await conn.execute(
            "UPDATE readiness_models SET retired_at = NULL WHERE version = $1", version
        )
        await _record(
            conn, organization_id=organization_id, version=version, action="activate",
            by=activated_by, reason=reason,
        )  # fmt: skip
    return await get_model(conn, version, organization_id=organization_id)


async def _record(
    conn: asyncpg.Connection,
    *,
    organization_id: UUID | None,
    version: str,
    action: str,
    by: str,
    reason: str,
) -> None:
    await conn.execute(
        """INSERT INTO readiness_model_activations
               (organization_id, model_version, action, activated_by, reason)
           VALUES ($1, $2, $3, $4, $5)""",
        organization_id,
        version,
        action,
        by,
        reason,
    )


async def rollback(
    conn: asyncpg.Connection,
    *,
    organization_id: UUID | None = None,
    activated_by: str,
    reason: str = "rollback",
) -> ModelVersion:
    """Retire the scope's current model and re-activate the previous non-retired one.

    Raises Conflict when the scope has no current model or nothing earlier to return to.
    """
    async with conn.transaction():
        await _lock_scope(conn, organization_id)
        current = await _scope_pointer(conn, organization_id)
        if current is None:
            raise Conflict("no active readiness model to roll back in this scope")
        previous: str | None = await conn.fetchval(
            """SELECT a.model_version FROM readiness_model_activations a
               JOIN readiness_models m ON m.version = a.model_version
               WHERE a.organization_id IS NOT DISTINCT FROM $1
                 AND a.model_version <> $2 AND m.retired_at IS NULL
               ORDER BY a.id DESC LIMIT 1""",
            organization_id,
            current,
        )
        if previous is None:
            raise Conflict(
                f"{current} is the only model this scope has used; nothing to roll back to"
            )
        await conn.execute(
            "UPDATE readiness_models SET retired_at = now() WHERE version = $1", current
        )
        await _record(
            conn, organization_id=organization_id, version=previous, action="rollback",
            by=activated_by, reason=reason,
        )  # fmt: skip
    return await get_model(conn, previous, organization_id=organization_id)


async def load_model(
    conn: asyncpg.Connection, version: str, *, organization_id: UUID | None = None
) -> LoadedModel:
    """Rebuild a version's estimator (skops, trusted types only) for predictions."""
    model = await get_model(conn, version, organization_id=organization_id)
    artifact: bytes = await conn.fetchval(
        "SELECT artifact FROM readiness_models WHERE version = $1", version
    )
    if hashlib.sha256(artifact).hexdigest() != model.artifact_sha256:
        raise Conflict(f"artifact of {version} does not match its recorded checksum")
    return LoadedModel(
        version=model.version,
        estimator=load_estimator(artifact),
        feature_means=model.feature_means,
        calibration_bins=model.metrics.validation.reliability,
        ece_bins=model.metrics.validation.ece_bins,
    )
