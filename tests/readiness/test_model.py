"""Candidate models: calibrated, compared on held-out data, and monotone in every score."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.readiness import model as model_module
from service.readiness.estimators import NonNegativeLogisticRegression
from service.readiness.model import (
    CANDIDATES,
    NotMonotoneError,
    check_monotone,
    fit_and_select,
    fit_candidate,
    positive_probability,
)
from tests.readiness.helpers import synthetic_percents


@pytest.fixture(scope="module")
def fitted() -> dict[str, Any]:
    x, y, _ = synthetic_percents(3000, seed=11)
    return {name: fit_candidate(name, x, y, seed=0, folds=3) for name in CANDIDATES}


scores = st.lists(st.floats(0.0, 100.0), min_size=8, max_size=8)


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(CANDIDATES),
    row=scores,
    feature=st.integers(0, 7),
    rise=st.floats(0.01, 100.0),
)
def test_estimate_never_falls_when_a_competency_score_rises(
    fitted: dict[str, Any], name: str, row: list[float], feature: int, rise: float
) -> None:
    before = np.array([row])
    after = before.copy()
    after[0, feature] = min(100.0, after[0, feature] + rise)
    model = fitted[name]
    assert positive_probability(model, after)[0] >= positive_probability(model, before)[0] - 1e-12


@pytest.mark.slow
def test_selection_compares_every_candidate_and_keeps_the_lowest_log_loss() -> None:
    x, y, _ = synthetic_percents(4000, seed=5)
    trained = fit_and_select(x, y, seed=2)
    assert [c.name for c in trained.candidates] == list(CANDIDATES)
    best = min(trained.candidates, key=lambda c: (c.log_loss, c.brier))
    assert trained.name == best.name
    assert trained.hyperparameters["calibration"] in {"sigmoid", "isotonic"}
    assert trained.n_validation == 1000
    assert trained.validation.count == 1000
    assert trained.validation.log_loss == pytest.approx(best.log_loss)


def test_trained_model_is_calibrated_on_fresh_data() -> None:
    x, y, _ = synthetic_percents(6000, seed=8)
    trained = fit_and_select(x, y, seed=3, candidates=("logistic_sigmoid",))
    x_new, y_new, _ = synthetic_percents(20000, seed=9)
    p = positive_probability(trained.estimator, x_new)
    assert abs(p.mean() - y_new.mean()) < 0.02
    assert trained.validation.ece < 0.05


def test_non_negative_logistic_regression_zeroes_a_harmful_looking_feature() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 3))
    logit = 1.5 * x[:, 0] - 1.0 * x[:, 2]  # feature 2 lowers the outcome in this data
    y = rng.random(4000) < 1 / (1 + np.exp(-logit))
    model = NonNegativeLogisticRegression().fit(x, y)
    assert model.coef_[0, 0] > 1.0
    assert model.coef_[0, 2] == 0.0
    assert np.all(model.coef_ >= 0.0)
    p = model.predict_proba(x)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert set(model.predict(x)) <= {False, True}


def test_non_negative_logistic_regression_needs_two_classes() -> None:
    with pytest.raises(ValueError, match="two classes"):
        NonNegativeLogisticRegression().fit(np.ones((5, 2)), np.ones(5))


class _Decreasing:
    def predict_proba(self, x: Any) -> Any:
        p = 1.0 - np.asarray(x)[:, 0] / 100.0
        return np.column_stack([1 - p, p])


def test_check_monotone_rejects_a_model_that_falls() -> None:
    with pytest.raises(NotMonotoneError, match="terminology_percent"):
        check_monotone(_Decreasing(), np.full((10, 8), 50.0), seed=0)


def test_training_refuses_too_few_outcomes_of_a_kind() -> None:
    x, _, _ = synthetic_percents(40, seed=1)
    y = np.zeros(40, dtype=bool)
    y[:3] = True
    with pytest.raises(ValueError, match="at least 4"):
        fit_and_select(x, y, seed=0)


def test_a_downward_platt_slope_is_caught_exactly() -> None:
    x, y, _ = synthetic_percents(1500, seed=6)
    model = fit_candidate("logistic_sigmoid", x, y, seed=0, folds=3)
    check_monotone(model, x, seed=0)
    model.calibrated_classifiers_[0].calibrators[0].a_ = 0.5
    with pytest.raises(NotMonotoneError, match="Platt"):
        check_monotone(model, x, seed=0)


def test_selection_skips_candidates_that_are_not_monotone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pretend every Platt-calibrated model failed the check: an isotonic one must win.
    monkeypatch.setattr(model_module, "_platt_slopes_point_up", lambda e: e.method != "sigmoid")
    x, y, _ = synthetic_percents(2000, seed=7)
    trained = fit_and_select(x, y, seed=0, candidates=("logistic_sigmoid", "logistic_isotonic"))
    assert trained.name == "logistic_isotonic"
    assert [c.monotone for c in trained.candidates] == [False, True]
    with pytest.raises(NotMonotoneError, match="no candidate"):
        fit_and_select(x, y, seed=0, candidates=("logistic_sigmoid",))
