"""Mantel-Haenszel DIF pinned against 2×2 tables worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from service.statistics import InsufficientData, StatisticsInputError, mantel_haenszel_dif

# Two score levels, each with 4c reference and 4c focal people:
#   level 1: reference 2c right, 2c wrong; focal 1c right, 3c wrong
#   level 2: reference 3c right, 1c wrong; focal 2c right, 2c wrong


def _tables(c: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    right, group, level = [], [], []
    for lvl, cells in ((1, ((2, 2), (1, 3))), (2, ((3, 1), (2, 2)))):
        for name, (yes, no) in zip(("ref", "foc"), cells, strict=True):
            right += [1] * (yes * c) + [0] * (no * c)
            group += [name] * ((yes + no) * c)
            level += [lvl] * ((yes + no) * c)
    return np.array(right)[:, None], group, np.array(level)


def test_statistics_of_the_hand_worked_tables() -> None:
    x, groups, level = _tables(1)
    [item] = mantel_haenszel_dif(
        x, groups, reference="ref", focal="foc", matching=level, item_ids=["Q"]
    ).items
    # Σ A D / N = (2·3 + 3·2)/8 = 12/8; Σ B C / N = (2·1 + 1·2)/8 = 4/8 -> alpha = 3.
    assert item.alpha_mh == pytest.approx(3.0)
    assert item.delta_mh == pytest.approx(-2.35 * math.log(3))
    assert item.favors == "reference"
    # Σ A = 5; Σ E(A) = 4·3/8 + 4·5/8 = 4; Var(A_k) = 4·4·3·5 / (8²·7) = 15/28 each.
    assert item.chi_square == pytest.approx((1 - 0.5) ** 2 / (15 / 14))
    assert item.p_value == pytest.approx(stats.chi2.sf(0.25 / (15 / 14), 1))
    # Robins-Breslow-Greenland: P = 5/8, Q = 3/8 in both levels ->
    # Var ln alpha = (15/16)/(2·1.5²) + (7/8)/(2·1.5·0.5) + (3/16)/(2·0.5²) = 7/6.
    assert item.se_delta == pytest.approx(2.35 * math.sqrt(7 / 6))
    assert item.ets_class == "A"  # large but not significant
    assert (item.n_reference, item.n_focal) == (8, 8)
    assert item.p_reference == pytest.approx(5 / 8) and item.p_focal == pytest.approx(3 / 8)


@pytest.mark.parametrize(("c", "expected"), [(1, "A"), (6, "B"), (10, "C")])
def test_the_same_odds_ratio_on_more_data_moves_from_a_to_b_to_c(c: int, expected: str) -> None:
    x, groups, level = _tables(c)
    [item] = mantel_haenszel_dif(x, groups, reference="ref", focal="foc", matching=level).items
    assert item.alpha_mh == pytest.approx(3.0)
    # Cell counts × c: the chi-square grows and SE(delta) shrinks as 1/√c.
    n = 8 * c
    variance = 2 * (4 * c) ** 2 * 15 * c * c / (n * n * (n - 1))
    assert item.chi_square == pytest.approx((c - 0.5) ** 2 / variance)
    assert item.se_delta == pytest.approx(2.35 * math.sqrt(7 / 6 / c))
    # c = 6: chi² = 30.25 / 5.7447 = 5.27 (p = 0.022) but (2.58 - 1) / 1.036 = 1.53 < 1.645;
    # c = 10: (2.58 - 1) / 0.803 = 1.97 > 1.645.
    assert item.ets_class == expected


def test_total_score_is_the_default_matching_criterion() -> None:
    x = np.array([[1, 1], [1, 0], [0, 1], [0, 0], [1, 1], [0, 1], [1, 0], [0, 0]])
    groups = ["r", "r", "r", "r", "f", "f", "f", "f"]
    default = mantel_haenszel_dif(x, groups, reference="r", focal="f")
    explicit = mantel_haenszel_dif(x, groups, reference="r", focal="f", matching=x.sum(axis=1))
    assert default == explicit


def test_identical_groups_have_no_dif_and_nothing_is_nan() -> None:
    # Each group answers each of the four patterns twice.
    x = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 4)
    groups = (["r"] * 4 + ["f"] * 4) * 2
    result = mantel_haenszel_dif(x, groups, reference="r", focal="f")
    assert [i.ets_class for i in result.items] == ["A", "A"]
    assert all(i.delta_mh == pytest.approx(0.0, abs=1e-12) for i in result.items)


def test_items_that_cannot_be_estimated_say_why() -> None:
    # Everyone right: no variance at any level. Reference right and focal wrong with
    # nothing the other way: alpha infinite.
    x = np.array([[1, 1], [1, 1], [1, 0], [1, 0]])
    result = mantel_haenszel_dif(
        x, ["r", "r", "f", "f"], reference="r", focal="f", matching=[1, 1, 1, 1]
    )
    everyone, one_sided = result.items
    assert everyone.alpha_mh is None and everyone.chi_square is None
    assert everyone.ets_class is None and "answered alike" in (everyone.note or "")
    assert one_sided.alpha_mh is None and one_sided.delta_mh is None
    assert one_sided.chi_square is not None  # the test still exists
    assert "0 or infinite" in (one_sided.note or "")
    # Groups never share a score level.
    apart = mantel_haenszel_dif([[1], [0]], ["r", "f"], reference="r", focal="f").items[0]
    assert apart.note == "no score level has members of both groups"


def test_other_groups_are_left_out() -> None:
    x = [[1], [0], [1], [1]]
    result = mantel_haenszel_dif(x, ["r", "f", "x", None], reference="r", focal="f")
    assert (result.n_reference, result.n_focal, result.n_excluded) == (1, 1, 2)


def test_bad_arguments() -> None:
    with pytest.raises(StatisticsInputError, match="0 or 1; row 1, column 0 is 2"):
        mantel_haenszel_dif([[1], [2]], ["r", "f"], reference="r", focal="f")
    with pytest.raises(InsufficientData, match="nobody is in the focal group 'z'"):
        mantel_haenszel_dif([[1], [0]], ["r", "f"], reference="r", focal="z")
    with pytest.raises(StatisticsInputError, match="different"):
        mantel_haenszel_dif([[1], [0]], ["r", "f"], reference="r", focal="r")
    with pytest.raises(StatisticsInputError, match="alpha"):
        mantel_haenszel_dif([[1], [0]], ["r", "f"], reference="r", focal="f", alpha=0.7)
