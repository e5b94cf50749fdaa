"""Accuracy and calibration metrics of probability estimates.

Expected calibration error (ECE) uses M equal-width bins over [0, 1]. **Edge convention**:
a probability p falls in bin ``min(floor(p * M), M - 1)``, so every bin is closed on the
left and open on the right, [m/M, (m+1)/M), except the last, which is closed on both sides
and so holds p = 1. ECE = Σ_m (|B_m| / n) · |mean y in B_m − mean p in B_m|; empty bins
contribute nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score

ECE_BINS = 15
LOG_LOSS_EPS = 1e-15

FloatArray = npt.NDArray[np.float64]
Probabilities = Sequence[float] | npt.NDArray[np.floating[Any]]
Outcomes = Sequence[bool] | Sequence[int] | npt.NDArray[np.bool_] | npt.NDArray[np.floating[Any]]


class CalibrationBin(msgspec.Struct, frozen=True):
    """One point of the reliability diagram: a bin, its size, mean estimate and observed rate."""

    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed_rate: float


class Metrics(msgspec.Struct, frozen=True):
    """Accuracy and calibration of estimates against outcomes (auc None when one class only)."""

    count: int
    positive_rate: float
    brier: float
    log_loss: float
    auc: float | None
    ece: float
    ece_bins: int
    reliability: tuple[CalibrationBin, ...]


def _as_arrays(probabilities: Probabilities, outcomes: Outcomes) -> tuple[FloatArray, FloatArray]:
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(outcomes, dtype=np.float64)
    if p.shape != y.shape or p.ndim != 1:
        raise ValueError("probabilities and outcomes must be 1-d arrays of the same length")
    if p.size == 0:
        raise ValueError("metrics need at least one estimate")
    if np.any((p < 0.0) | (p > 1.0)):
        raise ValueError("probabilities must lie in [0, 1]")
    return p, y


def brier_score(probabilities: Probabilities, outcomes: Outcomes) -> float:
    """Mean squared difference between estimate and 0/1 outcome."""
    p, y = _as_arrays(probabilities, outcomes)
    return float(np.mean((p - y) ** 2))


def log_loss(probabilities: Probabilities, outcomes: Outcomes) -> float:
    """Mean negative log-likelihood; estimates are clipped to [1e-15, 1 − 1e-15]."""
    p, y = _as_arrays(probabilities, outcomes)
    p = np.clip(p, LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))


def roc_auc(probabilities: Probabilities, outcomes: Outcomes) -> float | None:
    """Area under the ROC curve, or None when the outcomes hold only one class."""
    p, y = _as_arrays(probabilities, outcomes)
    if np.all(y == y[0]):
        return None
    return float(roc_auc_score(y, p))


def bin_indices(probabilities: FloatArray, n_bins: int = ECE_BINS) -> npt.NDArray[np.intp]:
    """Equal-width bin of each probability, per the edge convention in the module docstring."""
    return np.minimum(np.floor(probabilities * n_bins).astype(np.intp), n_bins - 1)


def reliability_curve(
    probabilities: Probabilities,
    outcomes: Outcomes,
    n_bins: int = ECE_BINS,
) -> tuple[CalibrationBin, ...]:
    """Non-empty equal-width bins with their mean estimate and observed outcome rate."""
    p, y = _as_arrays(probabilities, outcomes)
    index = bin_indices(p, n_bins)
    counts = np.bincount(index, minlength=n_bins)
    sum_p = np.bincount(index, weights=p, minlength=n_bins)
    sum_y = np.bincount(index, weights=y, minlength=n_bins)
    return tuple(
        CalibrationBin(
            lower=m / n_bins,
            upper=(m + 1) / n_bins,
            count=int(counts[m]),
            mean_predicted=float(sum_p[m] / counts[m]),
            observed_rate=float(sum_y[m] / counts[m]),
        )
        for m in range(n_bins)
        if counts[m] > 0
    )


def expected_calibration_error(
    probabilities: Probabilities,
    outcomes: Outcomes,
    n_bins: int = ECE_BINS,
) -> float:
    """ECE over ``n_bins`` equal-width bins (edge convention in the module docstring)."""
    p, y = _as_arrays(probabilities, outcomes)
    return _ece(reliability_curve(p, y, n_bins), p.size)


def _ece(curve: Sequence[CalibrationBin], total: int) -> float:
    return float(sum(b.count / total * abs(b.observed_rate - b.mean_predicted) for b in curve))


def evaluate(
    probabilities: Probabilities,
    outcomes: Outcomes,
    n_bins: int = ECE_BINS,
) -> Metrics:
    """All metrics of one set of estimates against their outcomes."""
    p, y = _as_arrays(probabilities, outcomes)
    curve = reliability_curve(p, y, n_bins)
    return Metrics(
        count=int(p.size),
        positive_rate=float(y.mean()),
        brier=brier_score(p, y),
        log_loss=log_loss(p, y),
        auc=roc_auc(p, y),
        ece=_ece(curve, p.size),
        ece_bins=n_bins,
        reliability=curve,
    )


def evaluate_by_group(
    probabilities: Probabilities,
    outcomes: Outcomes,
    groups: Sequence[str | None],
    n_bins: int = ECE_BINS,
) -> dict[str, Metrics]:
    """The same metrics within each known group; None and "unknown" members are left out."""
    p, y = _as_arrays(probabilities, outcomes)
    if len(groups) != p.size:
        raise ValueError("one group label per estimate is needed")
    labels = np.array(["unknown" if g is None else g for g in groups], dtype=object)
    return {
        str(group): evaluate(p[labels == group], y[labels == group], n_bins)
        for group in sorted({str(g) for g in labels} - {"unknown"})
    }


def wilson_interval(proportion: float, count: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion observed over ``count`` trials (95% by default)."""
    if count <= 0:
        return (0.0, 1.0)
    z2 = z * z
    centre = (proportion + z2 / (2 * count)) / (1 + z2 / count)
    half = z * math.sqrt(proportion * (1 - proportion) / count + z2 / (4 * count * count))
    half /= 1 + z2 / count
    return (max(0.0, centre - half), min(1.0, centre + half))
