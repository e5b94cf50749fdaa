"""Predictions: bands, intervals, explanations in plain words, and the model version."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from service.readiness.evaluation import CalibrationBin
from service.readiness.generative import COMPETENCY_IDS
from service.readiness.model import fit_candidate
from service.readiness.predict import (
    INTERVAL_METHOD,
    BandThresholds,
    LoadedModel,
    band_for,
    intervals,
    predict,
)
from tests.readiness.helpers import synthetic_percents


@pytest.fixture(scope="module")
def model() -> LoadedModel:
    x, y, _ = synthetic_percents(3000, seed=21)
    estimator: Any = fit_candidate("logistic_sigmoid", x, y, seed=0, folds=3)
    bins = tuple(
        CalibrationBin(lower=m / 15, upper=(m + 1) / 15, count=100 * (m + 1),
                       mean_predicted=(m + 0.5) / 15, observed_rate=(m + 0.5) / 15)
        for m in range(15)
    )  # fmt: skip
    return LoadedModel("rm-test", estimator, tuple(x.mean(axis=0)), bins)


def typical(model: LoadedModel) -> dict[str, float]:
    return dict(zip(COMPETENCY_IDS, model.feature_means, strict=True))


def test_bands_follow_configurable_thresholds() -> None:
    default = BandThresholds()
    assert band_for(0.7, default) == "ready"
    assert band_for(0.6999, default) == "nearly_ready"
    assert band_for(0.4, default) == "nearly_ready"
    assert band_for(0.3999, default) == "not_yet"
    strict = BandThresholds(ready=0.9, nearly_ready=0.6)
    assert band_for(0.8, strict) == "nearly_ready"
    assert band_for(0.5, strict) == "not_yet"


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="nearly_ready"):
        BandThresholds(ready=0.3, nearly_ready=0.5)


def test_estimate_carries_probability_band_interval_and_version(model: LoadedModel) -> None:
    [estimate] = predict(model, [typical(model)])
    assert 0.0 < estimate.probability < 1.0
    assert estimate.lower <= estimate.probability <= estimate.upper
    assert estimate.model_version == "rm-test"
    assert estimate.interval_method == INTERVAL_METHOD
    assert estimate.band == band_for(estimate.probability, BandThresholds())


def test_interval_is_narrower_where_more_validation_evidence_exists(model: LoadedModel) -> None:
    # bin counts grow with the bin index in the fixture: 100 at the bottom, 1500 at the top
    low_bin, high_bin = intervals(model, np.array([0.5 / 15, 14.5 / 15]))
    assert high_bin[1] - high_bin[0] < low_bin[1] - low_bin[0]
    sparse = LoadedModel("v", model.estimator, model.feature_means, ())
    assert intervals(sparse, np.array([0.5])) == [(0.0, 1.0)]


def test_the_competency_that_moved_the_estimate_leads_the_explanation(
    model: LoadedModel,
) -> None:
    scores = typical(model)
    scores["privacy"] = 98.0
    scores["coding"] = 20.0
    [estimate] = predict(model, [scores], names={"privacy": "patient privacy (HIPAA)"})
    moved = {e.competency_id: e for e in estimate.effects}
    assert set(moved) == {"privacy", "coding"}  # the others sit at the typical score
    assert moved["privacy"].change > 0
    assert "patient privacy (HIPAA)" in moved["privacy"].sentence
    assert "raised your estimate" in moved["privacy"].sentence
    assert moved["coding"].change < 0
    assert "lowered your estimate" in moved["coding"].sentence
    changes = [abs(e.change) for e in estimate.effects]
    assert changes == sorted(changes, reverse=True)


def test_unassessed_competencies_are_assumed_typical_and_said_so(model: LoadedModel) -> None:
    scores = typical(model)
    del scores["security"]
    [estimate] = predict(model, [scores], top=8)
    [security] = [e for e in estimate.effects if e.competency_id == "security"]
    assert security.percent is None
    assert security.change == pytest.approx(0.0, abs=1e-12)
    assert "not yet been assessed" in security.sentence
    [full] = predict(model, [typical(model)])
    assert estimate.probability == pytest.approx(full.probability)


def test_higher_scores_never_give_a_lower_band(model: LoadedModel) -> None:
    low = dict.fromkeys(COMPETENCY_IDS, 30.0)
    high = dict.fromkeys(COMPETENCY_IDS, 90.0)
    rank = {"not_yet": 0, "nearly_ready": 1, "ready": 2}
    a, b = predict(model, [low, high])
    assert rank[b.band] >= rank[a.band]
    assert b.probability > a.probability
