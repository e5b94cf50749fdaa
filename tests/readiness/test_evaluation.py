"""Brier, log loss, ECE and the reliability curve against hand-computed examples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.readiness.evaluation import (
    brier_score,
    evaluate,
    evaluate_by_group,
    expected_calibration_error,
    log_loss,
    reliability_curve,
    roc_auc,
    wilson_interval,
)


def test_brier_matches_hand_computation() -> None:
    # (0.1-0)² + (0.9-1)² + (0.8-0)² = 0.01 + 0.01 + 0.64
    assert brier_score([0.1, 0.9, 0.8], [0, 1, 0]) == pytest.approx(0.66 / 3)


def test_log_loss_matches_hand_computation() -> None:
    expected = -(math.log(0.8) + math.log(0.6)) / 2
    assert log_loss([0.8, 0.4], [1, 0]) == pytest.approx(expected)


def test_log_loss_is_finite_for_confident_mistakes() -> None:
    assert math.isfinite(log_loss([0.0, 1.0], [1, 0]))


def test_ece_matches_hand_computation_with_15_bins() -> None:
    # 0.05 -> bin 0 (rate 1/2 vs 0.05), 0.5 -> bin 7 (rate 1 vs 0.5), 0.95 -> bin 14 (1 vs 0.95)
    p = [0.05, 0.05, 0.5, 0.5, 0.95]
    y = [0, 1, 1, 1, 1]
    expected = 2 / 5 * 0.45 + 2 / 5 * 0.5 + 1 / 5 * 0.05
    assert expected_calibration_error(p, y) == pytest.approx(expected)


def test_bins_are_left_closed_and_the_last_holds_one() -> None:
    curve = reliability_curve([0.0, 0.25, 0.5, 0.75, 1.0], [0, 0, 1, 1, 1], n_bins=4)
    assert [(b.lower, b.count) for b in curve] == [(0.0, 1), (0.25, 1), (0.5, 1), (0.75, 2)]
    assert curve[-1].mean_predicted == pytest.approx(0.875)


def test_reliability_points_report_mean_estimate_and_observed_rate() -> None:
    curve = reliability_curve([0.1, 0.12, 0.9], [0, 1, 1], n_bins=5)
    assert len(curve) == 2
    assert curve[0].count == 2
    assert curve[0].mean_predicted == pytest.approx(0.11)
    assert curve[0].observed_rate == pytest.approx(0.5)


def test_auc_is_none_for_one_class_and_one_for_perfect_ranking() -> None:
    assert roc_auc([0.2, 0.3], [1, 1]) is None
    assert roc_auc([0.2, 0.3, 0.9], [0, 0, 1]) == pytest.approx(1.0)


def test_evaluate_bundles_all_metrics() -> None:
    metrics = evaluate([0.2, 0.8, 0.6, 0.4], [0, 1, 1, 0])
    assert metrics.count == 4
    assert metrics.positive_rate == 0.5
    assert metrics.brier == pytest.approx((0.04 + 0.04 + 0.16 + 0.16) / 4)
    assert metrics.auc == pytest.approx(1.0)
    assert metrics.ece_bins == 15


def test_per_group_metrics_leave_unknown_out() -> None:
    by_group = evaluate_by_group(
        [0.2, 0.8, 0.6, 0.4, 0.5], [0, 1, 1, 0, 1], ["a", "a", "b", "b", "unknown"]
    )
    assert sorted(by_group) == ["a", "b"]
    assert by_group["a"].brier == pytest.approx(0.04)
    assert by_group["b"].count == 2


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="same length"):
        brier_score([0.5], [1, 0])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        brier_score([1.5], [1])


def test_wilson_interval_matches_reference_values() -> None:
    lower, upper = wilson_interval(0.5, 100)
    assert lower == pytest.approx(0.4038, abs=1e-4)
    assert upper == pytest.approx(0.5962, abs=1e-4)
    assert wilson_interval(0.3, 0) == (0.0, 1.0)


probabilities = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60)


@given(probabilities, st.data())
def test_ece_is_between_zero_and_one_and_order_free(p: list[float], data: st.DataObject) -> None:
    y = data.draw(st.lists(st.booleans(), min_size=len(p), max_size=len(p)))
    ece = expected_calibration_error(p, y)
    assert 0.0 <= ece <= 1.0
    order = data.draw(st.permutations(range(len(p))))
    assert expected_calibration_error([p[i] for i in order], [y[i] for i in order]) == (
        pytest.approx(ece)
    )


@given(probabilities, st.data())
def test_one_bin_ece_is_the_gap_between_means(p: list[float], data: st.DataObject) -> None:
    y = data.draw(st.lists(st.booleans(), min_size=len(p), max_size=len(p)))
    assert expected_calibration_error(p, y, n_bins=1) == pytest.approx(
        abs(np.mean(y) - np.mean(p)), abs=1e-12
    )


@given(st.lists(st.booleans(), min_size=1, max_size=60))
def test_perfect_estimates_score_zero(y: list[bool]) -> None:
    p = [float(v) for v in y]
    assert brier_score(p, y) == 0.0
    assert expected_calibration_error(p, y) == 0.0
