"""Item analysis of one form, with Moodle's quiz-statistics definitions and scales.

``s`` attempts, ``k`` items; ``x_i`` the mark on item ``i`` (partial credit in marks),
``T`` the attempt's total, ``X_i = T - x_i`` the rest of the test. Variances and covariances
divide by ``s - 1``. Per item (percentages where Moodle shows percentages):

- facility = 100 · mean(x_i) / max_i
- sd = 100 · sd(x_i) / max_i
- intended_weight = 100 · max_i / Σ max
- effective_weight = 100 · √Cov(x_i, T) / Σ_j √Cov(x_j, T), the sum over items whose
  covariance is not negative; undefined for an item whose covariance is negative
- discrimination_index = 100 · Cov(x_i, X_i) / √(Var x_i · Var X_i) (corrected item–total r)
- discriminative_efficiency = 100 · Cov(x_i, X_i) / Cov_max, where Cov_max pairs x_i and X_i
  each sorted on its own (the largest covariance their values allow)

Per test: n, mean, median and sd of the totals (as percentages of the maximum total, as
Moodle shows them), skewness and excess kurtosis (the unbiased k-statistic ratios
k3/k2^1.5 and k4/k2²), the coefficient of internal consistency
cic = 100 · k/(k−1) · (1 − Σ Var x_i / Var T) (Cronbach's α · 100, KR-20 for 0/1 items),
error_ratio = 100 · √(1 − cic/100) and standard_error = error_ratio · sd / 100.

Moodle leaves a statistic empty when it is undefined, and so do we (``None``), with a note
saying why: skewness and cic need 3 attempts, kurtosis 4, cic 2 items, and all of them a
total that varies; an item everyone scored the same on has no discrimination.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import numpy as np

from service.statistics.errors import InsufficientData, StatisticsInputError
from service.statistics.validation import (
    FloatArray,
    as_float_matrix,
    as_float_vector,
    finite_or_none,
    item_ids_or_default,
)

FLAG_CONSTANT = "constant"
FLAG_FACILITY = "facility_out_of_range"
FLAG_DISCRIMINATION = "low_discrimination"
FLAG_DUBIOUS = "dubious"
FLAG_NEGATIVE_COVARIANCE = "negative_covariance"
FLAGS: tuple[str, ...] = (
    FLAG_CONSTANT,
    FLAG_FACILITY,
    FLAG_DISCRIMINATION,
    FLAG_DUBIOUS,
    FLAG_NEGATIVE_COVARIANCE,
)
"""Every flag an item can carry, in the order they are listed."""

DEFAULT_FACILITY_RANGE = (10.0, 90.0)
DEFAULT_MIN_DISCRIMINATION_INDEX = 20.0
DEFAULT_MIN_DISCRIMINATIVE_EFFICIENCY = 15.0  # Moodle marks items below 15 as dubious


class ItemStatistics(msgspec.Struct, frozen=True):
    """One item's statistics; percentages on Moodle's scales, ``None`` where undefined."""

    id: str
    max_mark: float
    mean_mark: float
    facility: float
    sd: float
    intended_weight: float
    effective_weight: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    flags: list[str]


class OverallStatistics(msgspec.Struct, frozen=True):
    """Statistics of the whole test (the attempts' totals)."""

    n: int
    items: int
    max_total: float
    mean: float
    median: float
    sd: float
    skewness: float | None
    kurtosis: float | None
    cic: float | None
    error_ratio: float | None
    standard_error: float | None
    notes: list[str]


class ItemAnalysis(msgspec.Struct, frozen=True):
    """Per-item statistics (in the order given) and the test's."""

    items: list[ItemStatistics]
    test: OverallStatistics


def _covariance(a: FloatArray, b: FloatArray) -> FloatArray:
    """Column covariances (divisor s - 1) from raw sums: (s Σab - Σa Σb) / (s (s - 1)).

    Marks are whole or half points, so every sum and product here is exact in binary
    floating point, and a covariance that is zero (or negative) comes out exactly zero (or
    negative) whatever the order of the items, unlike deviations from a rounded mean."""
    s = a.shape[0]
    return np.asarray(
        (s * (a * b).sum(axis=0) - a.sum(axis=0) * b.sum(axis=0)) / (s * (s - 1)), dtype=np.float64
    )


def _check_marks(marks: Any, max_marks: Any) -> tuple[FloatArray, FloatArray]:
    x = as_float_matrix(marks, "marks")
    s, k = x.shape
    if s < 2:
        raise InsufficientData(
            f"item analysis needs at least 2 attempts (variances divide by s - 1); got {s}",
            field="marks",
        )
    if k < 1:
        raise StatisticsInputError("marks must have at least one item column", field="marks")
    maximum = as_float_vector(max_marks, "max_marks", k)
    if (maximum <= 0).any():
        column = int(np.argmax(maximum <= 0))
        raise StatisticsInputError(
            f"max_marks must be positive; column {column} is {maximum[column]:g}", field="max_marks"
        )
    out_of_range = (x < 0) | (x > maximum)
    if out_of_range.any():
        row, column = (int(i) for i in np.argwhere(out_of_range)[0])
        raise StatisticsInputError(
            f"marks must lie between 0 and the item's maximum; row {row}, column {column} is "
            f"{x[row, column]:g} (maximum {maximum[column]:g})",
            field="marks",
        )
    return x, maximum


def _check_thresholds(
    facility_range: tuple[float, float],
    min_discrimination_index: float,
    min_discriminative_efficiency: float,
) -> None:
    low, high = facility_range
    if not 0 <= low < high <= 100:
        raise StatisticsInputError(
            f"facility_range must satisfy 0 <= low < high <= 100; got {facility_range}",
            field="facility_range",
        )
    for name, value in (
        ("min_discrimination_index", min_discrimination_index),
        ("min_discriminative_efficiency", min_discriminative_efficiency),
    ):
        if not -100 <= value <= 100:
            raise StatisticsInputError(f"{name} must lie in [-100, 100]; got {value}", field=name)


def item_analysis(
    marks: Any,
    max_marks: Any,
    item_ids: Sequence[str] | None = None,
    *,
    facility_range: tuple[float, float] = DEFAULT_FACILITY_RANGE,
    min_discrimination_index: float = DEFAULT_MIN_DISCRIMINATION_INDEX,
    min_discriminative_efficiency: float = DEFAULT_MIN_DISCRIMINATIVE_EFFICIENCY,
) -> ItemAnalysis:
    """Moodle's item and test statistics of one form.

    Parameters
    ----------
    marks : array-like of shape (n_attempts, n_items)
        Marks per attempt and item, each between 0 and the item's maximum (partial credit
        allowed). At least 2 attempts.
    max_marks : array-like of shape (n_items,)
        Each item's maximum mark (positive).
    item_ids : sequence of str of length n_items, optional
        Unique ids for the columns; "1".."n_items" when omitted.
    facility_range : (float, float), default (10, 90)
        Facility (percent) outside this closed range flags ``facility_out_of_range``.
    min_discrimination_index : float, default 20
        A discrimination index below this flags ``low_discrimination``.
    min_discriminative_efficiency : float, default 15
        A discriminative efficiency below this flags ``dubious`` (Moodle's rule).

    Returns
    -------
    ItemAnalysis
        ``items`` in column order, each with its ``flags`` (a subset of ``FLAGS``), and
        ``test``. Undefined statistics are ``None``, explained in ``test.notes``.

    Raises
    ------
    InsufficientData
        Fewer than 2 attempts.
    StatisticsInputError
        Wrong shapes, non-finite values, marks outside [0, maximum], bad thresholds.
    """
    x, maximum = _check_marks(marks, max_marks)
    _check_thresholds(facility_range, min_discrimination_index, min_discriminative_efficiency)
    k = x.shape[1]
    ids = item_ids_or_default(item_ids, k, "item_ids")
    total = x.sum(axis=1)
    rest = total[:, None] - x

    x_constant = x.min(axis=0) == x.max(axis=0)
    rest_constant = rest.min(axis=0) == rest.max(axis=0)
    total_constant = bool(total.min() == total.max())
    dtotal = total - (total[0] if total_constant else total.mean())

    var_x = _covariance(x, x)
    var_rest = _covariance(rest, rest)
    cov_rest = _covariance(x, rest)
    cov_total = _covariance(x, np.broadcast_to(total[:, None], x.shape))
    # Cov_max: both columns sorted on their own (the largest covariance their values allow).
    cov_max = _covariance(np.sort(x, axis=0), np.sort(rest, axis=0))

    # Exactly-zero spreads are decided on the raw values, never on rounded variances.
    undefined = x_constant | rest_constant
    with np.errstate(divide="ignore", invalid="ignore"):
        discrimination = np.where(undefined, np.nan, 100.0 * cov_rest / np.sqrt(var_x * var_rest))
        efficiency = np.where(undefined, np.nan, 100.0 * cov_rest / cov_max)
    negative = (cov_total < 0) & ~x_constant & ~total_constant
    root_cov = np.sqrt(np.where(negative | x_constant, 0.0, np.maximum(cov_total, 0.0)))
    root_sum = root_cov.sum()
    effective = (
        np.where(negative, np.nan, 100.0 * root_cov / root_sum)
        if root_sum > 0
        else np.full(k, np.nan)
    )

    mean_mark = np.where(x_constant, x[0], x.mean(axis=0))
    facility = 100.0 * mean_mark / maximum
    sd = 100.0 * np.sqrt(var_x) / maximum
    intended = 100.0 * maximum / maximum.sum()
    low, high = facility_range
    items = []
    for i in range(k):
        flags = []
        if x_constant[i]:
            flags.append(FLAG_CONSTANT)
        if not low <= facility[i] <= high:
            flags.append(FLAG_FACILITY)
        if np.isfinite(discrimination[i]) and discrimination[i] < min_discrimination_index:
            flags.append(FLAG_DISCRIMINATION)
        if np.isfinite(efficiency[i]) and efficiency[i] < min_discriminative_efficiency:
            flags.append(FLAG_DUBIOUS)
        if negative[i]:
            flags.append(FLAG_NEGATIVE_COVARIANCE)
        items.append(
            ItemStatistics(
                id=ids[i],
                max_mark=float(maximum[i]),
                mean_mark=float(mean_mark[i]),
                facility=float(facility[i]),
                sd=float(sd[i]),
                intended_weight=float(intended[i]),
                effective_weight=finite_or_none(effective[i]),
                discrimination_index=finite_or_none(discrimination[i]),
                discriminative_efficiency=finite_or_none(efficiency[i]),
                flags=flags,
            )
        )
    return ItemAnalysis(
        items=items,
        test=_overall(
            total, dtotal, float(var_x.sum()), float(maximum.sum()), k, constant=total_constant
        ),
    )


def _overall(
    total: FloatArray,
    deviation: FloatArray,
    sum_item_variance: float,
    max_total: float,
    k: int,
    *,
    constant: bool,
) -> OverallStatistics:
    """Test statistics from the totals, as Moodle's quiz statistics compute them."""
    s = total.size
    power2 = float((deviation**2).sum())
    power3 = float((deviation**3).sum())
    power4 = float((deviation**4).sum())
    sd = float(np.sqrt(power2 / (s - 1)))
    notes: list[str] = []
    skewness = kurtosis = cic = error_ratio = standard_error = None
    if constant:
        notes.append(
            "every attempt has the same total: skewness, kurtosis and the "
            "coefficient of internal consistency are undefined"
        )
    elif s < 3:
        notes.append(
            f"skewness, kurtosis and the coefficient of internal consistency need "
            f"at least 3 attempts (as in Moodle); got {s}"
        )
    else:
        m2, m3, m4 = power2 / s, power3 / s, power4 / s
        k2 = s * m2 / (s - 1)
        k3 = s * s * m3 / ((s - 1) * (s - 2))
        skewness = k3 / k2**1.5
        if s > 3:
            k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
            kurtosis = k4 / (k2 * k2)
        else:
            notes.append("kurtosis needs at least 4 attempts (as in Moodle); got 3")
        if k > 1:
            cic = 100.0 * k / (k - 1) * (1.0 - sum_item_variance / k2)
            # α ≤ 1 in exact arithmetic; clamp the last bit of rounding away from the root.
            error_ratio = 100.0 * float(np.sqrt(max(0.0, 1.0 - cic / 100.0)))
            standard_error = error_ratio * sd / 100.0
        else:
            notes.append("the coefficient of internal consistency needs at least 2 items")
    return OverallStatistics(
        n=s,
        items=k,
        max_total=max_total,
        mean=100.0 * float(total.mean()) / max_total,
        median=100.0 * float(np.median(total)) / max_total,
        sd=100.0 * sd / max_total,
        skewness=None if skewness is None else finite_or_none(skewness),
        kurtosis=None if kurtosis is None else finite_or_none(kurtosis),
        cic=None if cic is None else finite_or_none(cic),
        error_ratio=None if error_ratio is None else finite_or_none(error_ratio),
        standard_error=(
            None if standard_error is None else finite_or_none(100.0 * standard_error / max_total)
        ),
        notes=notes,
    )
