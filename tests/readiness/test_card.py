"""The model card states provenance plainly and carries the key numbers."""

from __future__ import annotations

import datetime as dt
import uuid

from service.readiness.card import model_card
from service.readiness.evaluation import evaluate
from service.readiness.features import FEATURES
from service.readiness.model import CandidateResult
from service.readiness.registry import ModelMetrics, ModelVersion

NOW = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)


def version(**changes: object) -> ModelVersion:
    validation = evaluate([0.2, 0.8, 0.7, 0.3], [0, 1, 1, 0])
    base = ModelVersion(
        version="rm-0007",
        organization_id=None,
        created_at=NOW,
        provenance="simulated",
        estimator="boosted_sigmoid",
        n_train=20_000,
        n_validation=5_000,
        n_positive=11_600,
        outcomes_from=None,
        outcomes_to=None,
        content_version="c-0123456789ab",
        features=FEATURES,
        feature_means=(70.0,) * 8,
        hyperparameters={"calibration": "sigmoid", "learning_rate": 0.1},
        metrics=ModelMetrics(
            validation=validation,
            by_group={"sex": {"female": validation, "male": validation}},
            candidates=(CandidateResult("boosted_sigmoid", 0.51, 0.17),),
        ),
        seed=3,
        created_by="chartready train",
        notes="Trained on 20000 SIMULATED candidates.",
        retired_at=None,
        artifact_sha256="ab" * 32,
    )
    return ModelVersion(**{**{f: getattr(base, f) for f in base.__struct_fields__}, **changes})


def test_simulated_card_says_so_and_names_the_item_bank() -> None:
    card = model_card(version(), active="rm-0007")
    assert card.startswith("# Readiness model rm-0007")
    assert "Trained on SIMULATED candidates" in card
    assert "c-0123456789ab" in card
    assert "Status: active" in card
    assert "Scope: all organizations" in card
    assert "Met the 90-day performance standard: 11,600 (58%)" in card


def test_real_card_gives_the_outcome_period_and_scope() -> None:
    org = uuid.uuid4()
    card = model_card(
        version(provenance="real", organization_id=org, outcomes_from=dt.date(2026, 1, 1),
                outcomes_to=dt.date(2026, 4, 30), notes="Trained on 80 real hiring outcomes."),
    )  # fmt: skip
    assert "Trained on REAL hiring outcomes" in card
    assert "SIMULATED" not in card
    assert "from 2026-01-01 to 2026-04-30" in card
    assert f"Scope: {org}" in card
    assert "Status: registered, not active" in card


def test_card_carries_metrics_features_groups_and_limits() -> None:
    card = model_card(version())
    assert "| all | 4 | 0.50 | 0.065 |" in card  # n, met rate, Brier of the validation set
    assert "15 equal-width bins" in card
    assert "terminology_percent" in card
    assert "By sex:" in card
    assert "| female |" in card
    assert "never sees sex, race/ethnicity" in card
    assert "must not replace" in card


def test_a_retired_version_says_it_was_rolled_back() -> None:
    card = model_card(version(retired_at=NOW), active="rm-0008")
    assert "Status: retired on 2026-05-04 (rolled back)" in card
