"""Cut scores, scaled scores and equating of parallel forms.

How forms are equated
---------------------
Every assessment has parallel forms built to one blueprint (same item count per competency,
same max points), and every form carries its own modified-Angoff ratings, so each form has
its own raw cut that already reflects how hard the judges found *that* form. Until response
data exist, a form is scaled with its own Angoff cut (judgmental equating): the raw cut of
each form lands on the passing scaled score.

Once enough attempts exist on each form under a random-groups design (forms assigned at
random, so the groups are equivalent), a statistical equating is fitted with
:func:`fit_equating`: *mean* equating shifts form X's raw scores by the difference of the
group means (``y = x - mean_x + mean_y``); *linear* equating also matches the spread
(``y = sd_y / sd_x * (x - mean_x) + mean_y``). The equated raw score is on the reference
form's raw scale and is scaled with the reference form's cut and max, so the same scaled
score means the same standing whichever form was taken.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from typing import Literal, Protocol

import msgspec

from service.assessments.bank import Scale

_EPSILON = 1e-9


class AngoffRated(Protocol):
    """What the cut needs from an item: its max points and each judge's rating."""

    @property
    def points(self) -> float: ...

    @property
    def angoff(self) -> tuple[float, ...]: ...


def angoff_raw_cut(items: Iterable[AngoffRated]) -> float:
    """Modified-Angoff raw cut: mean over judges of the sum of rating x item points.

    Computed as the sum over items of (mean judge rating) x points, which equals the mean over
    judges of their summed ratings when every judge rated every item; items without ratings
    contribute nothing.
    """
    total = 0.0
    for item in items:
        if item.angoff:
            total += statistics.fmean(item.angoff) * item.points
    return total


def passes(raw: float, raw_cut: float) -> bool:
    """A raw score at or above the cut passes (a float tolerance absorbs rounding)."""
    return raw + _EPSILON >= raw_cut


def scaled_score(
    raw: float, raw_cut: float, raw_max: float, scale: Scale, raw_min: float = 0.0
) -> int:
    """Two-piece linear scaled score (measurement.md), as an integer on [scale.min, scale.max].

    At or above the cut: ``cut + (raw - raw_cut)(max - cut)/(raw_max - raw_cut)``. Below it: the
    line from (raw_min, min) to (raw_cut - 1, cut - 1); raw scores between raw_cut - 1 and the
    cut (possible with partial credit) stay at cut - 1. Passing scores round down but never
    below ``cut``; failing scores never reach ``cut``, so scaled score and pass/fail agree.
    """
    raw = min(max(raw, raw_min), raw_max)
    if passes(raw, raw_cut):
        if raw_max - raw_cut <= _EPSILON:
            return scale.max
        value = scale.cut + (raw - raw_cut) * (scale.max - scale.cut) / (raw_max - raw_cut)
        return min(scale.max, max(scale.cut, math.floor(value + _EPSILON)))
    top = raw_cut - 1.0
    if top <= raw_min + _EPSILON:
        return scale.min if raw <= raw_min + _EPSILON else scale.cut - 1
    if raw >= top:
        return scale.cut - 1
    value = scale.min + (raw - raw_min) * (scale.cut - 1 - scale.min) / (top - raw_min)
    return min(scale.cut - 1, max(scale.min, math.floor(value + _EPSILON)))


class Equating(msgspec.Struct, frozen=True):
    """A linear map of one form's raw scores onto the reference form's raw scale."""

    slope: float = 1.0
    intercept: float = 0.0
    method: Literal["identity", "mean", "linear"] = "identity"

    def apply(self, raw: float) -> float:
        """The equated raw score."""
        return self.slope * raw + self.intercept


IDENTITY = Equating()


def mean_equating(from_mean: float, to_mean: float) -> Equating:
    """Mean equating: ``y = x - from_mean + to_mean``."""
    return Equating(slope=1.0, intercept=to_mean - from_mean, method="mean")


def linear_equating(from_mean: float, from_sd: float, to_mean: float, to_sd: float) -> Equating:
    """Linear equating: ``y = to_sd/from_sd (x - from_mean) + to_mean``; mean equating if sd=0."""
    if from_sd <= _EPSILON:
        return mean_equating(from_mean, to_mean)
    slope = to_sd / from_sd
    return Equating(slope=slope, intercept=to_mean - slope * from_mean, method="linear")


def fit_equating(
    from_scores: Sequence[float], to_scores: Sequence[float], method: Literal["mean", "linear"]
) -> Equating:
    """Fit mean or linear equating from two random groups' raw scores (form X -> reference)."""
    if len(from_scores) < 2 or len(to_scores) < 2:
        raise ValueError("equating needs at least two scores on each form")
    from_mean, to_mean = statistics.fmean(from_scores), statistics.fmean(to_scores)
    if method == "mean":
        return mean_equating(from_mean, to_mean)
    return linear_equating(
        from_mean, statistics.stdev(from_scores), to_mean, statistics.stdev(to_scores)
    )
