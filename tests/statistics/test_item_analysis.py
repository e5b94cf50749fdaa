"""Item analysis pinned against statistics worked out by hand (Moodle's definitions)."""

from __future__ import annotations

import math

import msgspec
import numpy as np
import pytest
from scipy import stats

from service.statistics import InsufficientData, StatisticsInputError, item_analysis

# Four attempts at three items (maxima 1, 1, 2). Totals T = 4, 2, 1, 1 (mean 2, deviations
# 2, 0, -1, -1, Var T = 6/3 = 2).
MARKS = [[1, 1, 2],
         [1, 0, 1],
         [0, 1, 0],
         [0, 0, 1]]  # fmt: skip
MAX = [1, 1, 2]


def test_items_match_the_hand_computation() -> None:
    result = item_analysis(MARKS, MAX, ["q1", "q2", "q3"])
    q1, q2, q3 = result.items
    # q1: x = 1,1,0,0 (mean 1/2, Var 1/3); rest X = 3,1,1,1 (mean 3/2, Var 1);
    # Cov(x, X) = (3/4 - 1/4 + 1/4 + 1/4)/3 = 1/3; sorted pairs give Cov_max = 1/3 too.
    assert q1.id == "q1"
    assert q1.facility == pytest.approx(50.0)
    assert q1.sd == pytest.approx(100 * math.sqrt(1 / 3))
    assert q1.discrimination_index == pytest.approx(100 * (1 / 3) / math.sqrt(1 / 3 * 1))
    assert q1.discriminative_efficiency == pytest.approx(100.0)
    # q2: x = 1,0,1,0; X = 3,2,0,1: Cov(x, X) = (3/4 - 1/4 - 3/4 + 1/4)/3 = 0.
    assert q2.discrimination_index == pytest.approx(0.0, abs=1e-12)
    assert q2.discriminative_efficiency == pytest.approx(0.0, abs=1e-12)
    assert q2.flags == ["low_discrimination", "dubious"]
    # q3 (partial credit, in marks): x = 2,1,0,1 (mean 1, Var 2/3); X = 2,1,1,0 (Var 2/3);
    # Cov = 1/3 -> index 50; sorted x = 0,1,1,2 and X = 0,1,1,2 give Cov_max = 2/3 -> 50.
    assert q3.facility == pytest.approx(50.0)
    assert q3.mean_mark == 1.0
    assert q3.sd == pytest.approx(100 * math.sqrt(2 / 3) / 2)
    assert q3.discrimination_index == pytest.approx(50.0)
    assert q3.discriminative_efficiency == pytest.approx(50.0)
    # Intended weights 1:1:2 of 4; Cov(x_i, T) = 2/3, 1/3, 1 -> effective weights
    # proportional to their square roots.
    assert [i.intended_weight for i in result.items] == [25.0, 25.0, 50.0]
    roots = [math.sqrt(2 / 3), math.sqrt(1 / 3), 1.0]
    assert [i.effective_weight for i in result.items] == pytest.approx(
        [100 * r / sum(roots) for r in roots]
    )
    assert q1.flags == [] and q3.flags == []


def test_test_statistics_match_the_hand_computation() -> None:
    test = item_analysis(MARKS, MAX).test
    assert (test.n, test.items, test.max_total) == (4, 3, 4.0)
    assert test.mean == pytest.approx(50.0)  # 2 of 4
    assert test.median == pytest.approx(37.5)  # (1 + 2)/2 of 4
    assert test.sd == pytest.approx(100 * math.sqrt(2) / 4)
    # m2 = 6/4, m3 = 6/4, m4 = 18/4; k2 = 2, k3 = 16 * 1.5 / 6 = 4, k4 = 16 * 2.25 / 6 = 6.
    assert test.skewness == pytest.approx(4 / 2**1.5)
    assert test.kurtosis == pytest.approx(6 / 4)
    # Σ Var x_i = 1/3 + 1/3 + 2/3 = 4/3; cic = 100 * 3/2 * (1 - (4/3)/2) = 50.
    assert test.cic == pytest.approx(50.0)
    assert test.error_ratio == pytest.approx(100 * math.sqrt(0.5))
    # standard error = error ratio * SD_T = sqrt(1/2) * sqrt(2) = 1 mark = 25% of 4.
    assert test.standard_error == pytest.approx(25.0)
    assert test.notes == []


def test_skewness_and_kurtosis_are_the_unbiased_sample_statistics() -> None:
    rng = np.random.default_rng(4)
    marks = rng.integers(0, 3, size=(57, 9)).astype(float)
    test = item_analysis(marks, [2] * 9).test
    totals = marks.sum(axis=1)
    assert test.skewness == pytest.approx(stats.skew(totals, bias=False))
    assert test.kurtosis == pytest.approx(stats.kurtosis(totals, bias=False))


def test_kr20_for_right_wrong_items() -> None:
    # KR-20 = k/(k-1) (1 - Σ p q / σ²_T) with p q and σ² on the same divisor.
    rng = np.random.default_rng(11)
    marks = (rng.random((40, 6)) < 0.6).astype(float)
    p = marks.mean(axis=0)
    s = marks.shape[0]
    pq = (p * (1 - p) * s / (s - 1)).sum()
    kr20 = 6 / 5 * (1 - pq / marks.sum(axis=1).var(ddof=1))
    assert item_analysis(marks, [1] * 6).test.cic == pytest.approx(100 * kr20)


def test_a_constant_item_is_flagged_and_has_no_discrimination() -> None:
    marks = [[1, 1, 0], [1, 0, 0], [1, 1, 1], [1, 0, 1]]
    result = item_analysis(marks, [1, 1, 1])
    constant = result.items[0]
    assert constant.facility == 100.0
    assert constant.sd == 0.0
    assert constant.discrimination_index is None
    assert constant.discriminative_efficiency is None
    assert constant.effective_weight == 0.0  # Cov(x, T) = 0, as Moodle reports it
    assert constant.flags == ["constant", "facility_out_of_range"]
    encoded = msgspec.json.encode(result)
    assert b"NaN" not in encoded and b"Infinity" not in encoded


def test_a_negative_covariance_leaves_the_effective_weight_undefined() -> None:
    # q2 is answered right exactly by those who do badly on the rest.
    marks = [[1, 0, 1, 1], [1, 0, 1, 1], [0, 1, 0, 0], [0, 1, 0, 1], [1, 0, 1, 0]]
    result = item_analysis(marks, [1, 1, 1, 1])
    q2 = result.items[1]
    assert q2.effective_weight is None
    assert "negative_covariance" in q2.flags
    assert q2.discrimination_index is not None and q2.discrimination_index < 0
    others = [i.effective_weight for i in result.items if i.id != "2"]
    assert sum(w for w in others if w is not None) == pytest.approx(100.0)


def test_two_attempts_give_spreads_but_no_shape_or_reliability() -> None:
    result = item_analysis([[1, 0], [0, 0]], [1, 1])
    test = result.test
    assert test.n == 2
    assert test.sd == pytest.approx(100 * math.sqrt(0.5) / 2)  # totals 1, 0
    assert test.skewness is None and test.kurtosis is None and test.cic is None
    assert test.error_ratio is None and test.standard_error is None
    assert any("at least 3 attempts" in note for note in test.notes)
    assert result.items[1].discrimination_index is None  # a constant item
    assert b"NaN" not in msgspec.json.encode(result)


def test_every_attempt_with_the_same_total() -> None:
    test = item_analysis([[1, 0], [0, 1], [1, 0]], [1, 1]).test
    assert test.sd == 0.0
    assert test.cic is None and test.skewness is None
    assert "same total" in test.notes[0]


def test_one_attempt_is_a_clear_error() -> None:
    with pytest.raises(InsufficientData, match=r"at least 2 attempts.*got 1") as info:
        item_analysis([[1, 0, 1]], [1, 1, 1])
    assert info.value.field == "marks"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(("marks", "maxima", "message"), [
    ([1, 0], [1, 1], "must be 2-D"),
    ([[1, 0], [0, float("nan")]], [1, 1], "non-finite value at row 1, column 1"),
    ([[1, 0], [0, 2]], [1, 1], "row 1, column 1 is 2"),
    ([[1, 0], [0, -1]], [1, 1], "between 0 and the item's maximum"),
    ([[1, 0], [0, 1]], [1, 0], "max_marks must be positive"),
    ([[1, 0], [0, 1]], [1], "must have 2 entries"),
    ([["a", 0], [0, 1]], [1, 1], "must be numeric"),
])  # fmt: skip
def test_bad_arguments_name_the_parameter(marks: object, maxima: object, message: str) -> None:
    with pytest.raises(StatisticsInputError, match=message):
        item_analysis(marks, maxima)


def test_bad_ids_and_thresholds() -> None:
    with pytest.raises(StatisticsInputError, match="repeats 'a'"):
        item_analysis(MARKS, MAX, ["a", "a", "b"])
    with pytest.raises(StatisticsInputError, match="facility_range"):
        item_analysis(MARKS, MAX, facility_range=(90, 10))


def test_facility_thresholds_are_inclusive() -> None:
    # Ten attempts: an item right once has facility exactly 10 (not flagged), never 0.
    marks = np.zeros((10, 2))
    marks[0, 0] = 1
    marks[:5, 1] = 1
    assert "facility_out_of_range" not in item_analysis(marks, [1, 1]).items[0].flags
