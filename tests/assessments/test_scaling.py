"""Cut scores, two-piece scaling and equating."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.assessments.bank import Scale
from service.assessments.scaling import (
    Equating,
    angoff_raw_cut,
    fit_equating,
    linear_equating,
    mean_equating,
    passes,
    scaled_score,
)

SCALE = Scale(min=100, cut=300, max=400)


class _Rated:
    def __init__(self, points: float, angoff: tuple[float, ...]) -> None:
        self.points = points
        self.angoff = angoff


def test_angoff_cut_is_mean_over_judges_of_summed_ratings() -> None:
    items = [_Rated(1, (0.6, 0.8)), _Rated(2, (0.5, 0.7)), _Rated(1, (0.9, 0.9))]
    judge_sums = [0.6 + 2 * 0.5 + 0.9, 0.8 + 2 * 0.7 + 0.9]
    assert angoff_raw_cut(items) == pytest.approx(sum(judge_sums) / 2)


def test_scale_anchors() -> None:
    assert scaled_score(0, 14.0, 20, SCALE) == 100
    assert scaled_score(14.0, 14.0, 20, SCALE) == 300
    assert scaled_score(20, 14.0, 20, SCALE) == 400
    assert scaled_score(13.0, 14.0, 20, SCALE) == 299  # raw cut - 1 -> cut - 1
    assert scaled_score(13.5, 14.0, 20, SCALE) == 299  # between: still failing
    assert scaled_score(17.0, 14.0, 20, SCALE) == 350
    assert scaled_score(6.5, 14.0, 20, SCALE) == 100 + int(6.5 * 199 / 13)


@given(
    st.floats(0, 40),
    st.floats(0, 40),
    st.floats(1.5, 39),
)
def test_scaled_score_is_monotone_bounded_and_agrees_with_pass(
    a: float, b: float, cut: float
) -> None:
    low, high = sorted((a, b))
    s_low, s_high = scaled_score(low, cut, 40, SCALE), scaled_score(high, cut, 40, SCALE)
    assert 100 <= s_low <= s_high <= 400
    assert (s_low >= 300) == passes(low, cut)


def test_tiny_forms_with_a_cut_below_one_still_scale() -> None:
    assert scaled_score(0, 0.8, 2, SCALE) == 100
    assert scaled_score(0.5, 0.8, 2, SCALE) == 299
    assert scaled_score(0.8, 0.8, 2, SCALE) == 300


def test_mean_and_linear_equating() -> None:
    assert mean_equating(10, 12).apply(11) == 13
    linear = linear_equating(from_mean=10, from_sd=2, to_mean=12, to_sd=4)
    assert linear.apply(10) == 12
    assert linear.apply(12) == 16
    assert linear_equating(10, 0, 12, 4) == Equating(slope=1.0, intercept=2.0, method="mean")


def test_fit_equating_from_random_groups() -> None:
    form_b = [8.0, 10.0, 12.0]
    form_a = [10.0, 12.0, 14.0]
    assert fit_equating(form_b, form_a, "mean").apply(10) == pytest.approx(12)
    linear = fit_equating(form_b, [6.0, 12.0, 18.0], "linear")
    assert linear.slope == pytest.approx(3.0)
    assert linear.apply(10) == pytest.approx(12)
    with pytest.raises(ValueError, match="at least two"):
        fit_equating([1.0], form_a, "mean")
