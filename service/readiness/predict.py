"""Readiness estimates: probability, band, uncertainty interval, explanation, model version.

**Uncertainty interval**: the 95% Wilson score interval for the estimate p, with n = the
number of validation candidates whose estimates fell in p's calibration bin (15 equal-width
bins, recorded when the model was trained). It says how much evidence stands behind
estimates at that level: wide where the model saw few candidates, narrow where it saw many.

**Explanation**: for each competency, the estimate is recomputed with that one score set to
the training population's mean; the difference is how much the candidate's own score moved
the estimate. The largest moves are described in plain sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from service.ground.settings import Settings
from service.readiness.evaluation import CalibrationBin, bin_indices, wilson_interval
from service.readiness.features import feature_matrix
from service.readiness.generative import COMPETENCY_IDS
from service.readiness.model import positive_probability

FloatArray = npt.NDArray[np.float64]

INTERVAL_METHOD = "wilson_95_calibration_bin"
PLAIN_NAMES: dict[str, str] = {
    "terminology": "medical terminology",
    "coding": "diagnosis and supply coding",
    "reimbursement": "billing and payment basics",
    "record_integrity": "keeping health records complete and accurate",
    "privacy": "patient privacy",
    "security": "information security",
    "communication": "written communication",
    "problem_solving": "problem solving and prioritizing",
}
MIN_EFFECT = 0.005  # moves under half a percentage point are not worth a sentence


_DEFAULTS = Settings()  # the band defaults are declared once, with the settings


class BandThresholds(msgspec.Struct, frozen=True):
    """Lower bounds of the bands: ready ≥ ``ready``; nearly ready ≥ ``nearly_ready``."""

    ready: float = _DEFAULTS.readiness_ready
    nearly_ready: float = _DEFAULTS.readiness_nearly_ready

    def __post_init__(self) -> None:
        if not 0.0 <= self.nearly_ready <= self.ready <= 1.0:
            raise ValueError("thresholds must satisfy 0 ≤ nearly_ready ≤ ready ≤ 1")


class LoadedModel(msgspec.Struct, frozen=True):
    """A fitted model ready to predict: estimator plus what explanations and intervals need."""

    version: str
    estimator: Any
    feature_means: tuple[float, ...]
    calibration_bins: tuple[CalibrationBin, ...]
    ece_bins: int = 15


class CompetencyEffect(msgspec.Struct, frozen=True):
    """How one competency score moved the estimate, in numbers and in words."""

    competency_id: str
    percent: float | None  # None: not assessed yet, the typical score was assumed
    typical_percent: float
    change: float  # probability with own score minus probability with the typical score
    sentence: str


class ReadinessEstimate(msgspec.Struct, frozen=True):
    """The readiness estimate of one candidate."""

    probability: float
    band: str  # "ready", "nearly_ready" or "not_yet"
    lower: float
    upper: float
    interval_method: str
    effects: tuple[CompetencyEffect, ...]
    model_version: str


def band_for(probability: float, thresholds: BandThresholds) -> str:
    """The band a probability falls in."""
    if probability >= thresholds.ready:
        return "ready"
    if probability >= thresholds.nearly_ready:
        return "nearly_ready"
    return "not_yet"


def _bin_counts(model: LoadedModel) -> npt.NDArray[np.int64]:
    counts = np.zeros(model.ece_bins, dtype=np.int64)
    for b in model.calibration_bins:
        counts[min(round(b.lower * model.ece_bins), model.ece_bins - 1)] = b.count
    return counts


def intervals(model: LoadedModel, probabilities: FloatArray) -> list[tuple[float, float]]:
    """Wilson interval of each estimate given its calibration bin's validation count."""
    counts = _bin_counts(model)
    index = bin_indices(probabilities, model.ece_bins)
    return [
        wilson_interval(float(p), int(counts[i])) for p, i in zip(probabilities, index, strict=True)
    ]


def candidate_sentence(name: str, percent: float | None, typical: float, change: float) -> str:
    """How one competency moved the estimate, addressed to the candidate ("Your ...")."""
    points = abs(change) * 100
    if percent is None:
        return (
            f"You have not yet been assessed on {name}, so a typical score of "
            f"{typical:.0f}% was assumed."
        )
    if change > 0:
        return (
            f"Your {name} score ({percent:.0f}%) is above the typical {typical:.0f}%, "
            f"which raised your estimate by about {points:.0f} percentage points."
        )
    return (
        f"Your {name} score ({percent:.0f}%) is below the typical {typical:.0f}%, "
        f"which lowered your estimate by about {points:.0f} percentage points; "
        f"this is where practice would help most."
    )


def explain(
    model: LoadedModel,
    x: FloatArray,
    assessed: Sequence[Mapping[str, float]],
    probabilities: FloatArray,
    *,
    names: Mapping[str, str],
    top: int,
) -> list[tuple[CompetencyEffect, ...]]:
    """The ``top`` competencies that moved each estimate most, largest first."""
    n, k = x.shape
    swapped = np.repeat(x[np.newaxis], k, axis=0)  # k copies, copy j has feature j typical
    for j in range(k):
        swapped[j, :, j] = model.feature_means[j]
    typical_p = positive_probability(model.estimator, swapped.reshape(n * k, k)).reshape(k, n)
    change = probabilities[np.newaxis, :] - typical_p
    out: list[tuple[CompetencyEffect, ...]] = []
    for row in range(n):
        effects = []
        for j in np.argsort(-np.abs(change[:, row]), kind="stable"):
            cid = COMPETENCY_IDS[j]
            own = assessed[row].get(cid)
            if own is not None and abs(change[j, row]) < MIN_EFFECT:
                continue
            name = names.get(cid, PLAIN_NAMES[cid])
            typical = model.feature_means[j]
            effects.append(
                CompetencyEffect(
                    cid, own, typical, float(change[j, row]),
                    candidate_sentence(name, own, typical, float(change[j, row])),
                )
            )  # fmt: skip
        out.append(tuple(effects[:top]))
    return out


def predict(
    model: LoadedModel,
    percents: Sequence[Mapping[str, float]],
    *,
    thresholds: BandThresholds | None = None,
    names: Mapping[str, str] | None = None,
    top: int = 3,
) -> list[ReadinessEstimate]:
    """Estimate readiness for candidates given their competency percents (0-100).

    A competency missing from a candidate's mapping takes the training mean and is named
    as not yet assessed in the explanation.
    """
    thresholds = thresholds or BandThresholds()
    fill = dict(zip(COMPETENCY_IDS, model.feature_means, strict=True))
    x = feature_matrix(percents, fill)
    p = positive_probability(model.estimator, x)
    bounds = intervals(model, p)
    effects = (
        explain(model, x, percents, p, names=names or {}, top=top)
        if top > 0
        else [()] * len(percents)
    )
    return [
        ReadinessEstimate(
            probability=float(p[i]),
            band=band_for(float(p[i]), thresholds),
            lower=bounds[i][0],
            upper=bounds[i][1],
            interval_method=INTERVAL_METHOD,
            effects=effects[i],
            model_version=model.version,
        )
        for i in range(len(percents))
    ]
