"""Candidate models, calibrated and compared on held-out data; the best one is kept.

Candidates (all monotone non-decreasing in every competency score):

- ``logistic_sigmoid`` / ``logistic_isotonic``: ``NonNegativeLogisticRegression`` (logistic
  regression with coefficients ≥ 0) calibrated by Platt scaling or isotonic regression;
- ``boosted_sigmoid`` / ``boosted_isotonic``: ``HistGradientBoostingClassifier`` with
  ``monotonic_cst`` = +1 for every feature, calibrated likewise.

Each is wrapped in ``CalibratedClassifierCV`` (k-fold out-of-fold predictions calibrate
one model fitted on all rows; isotonic calibration and a Platt slope pointing up keep
monotonicity). Selection: lowest log loss on a stratified hold-out (Brier breaks ties); the
winner is then refitted on all the data. ``check_monotone`` verifies the promise on a
sample before a model is accepted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from service.readiness.estimators import NonNegativeLogisticRegression
from service.readiness.evaluation import Metrics, brier_score, evaluate, evaluate_by_group, log_loss
from service.readiness.features import FEATURES

FloatArray = npt.NDArray[np.float64]

CANDIDATES: tuple[str, ...] = (
    "logistic_sigmoid",
    "logistic_isotonic",
    "boosted_sigmoid",
    "boosted_isotonic",
)
LOGISTIC_PARAMS: dict[str, Any] = {"C": 1.0}
BOOSTED_PARAMS: dict[str, Any] = {
    "learning_rate": 0.1,
    "max_iter": 200,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
}
CALIBRATION_FOLDS = 5


class CandidateResult(msgspec.Struct, frozen=True):
    """One candidate's held-out log loss and Brier score, and whether it stayed monotone."""

    name: str
    log_loss: float
    brier: float
    monotone: bool = True


class TrainedModel(msgspec.Struct, frozen=True):
    """The selected, refitted estimator with what is known about it."""

    name: str
    estimator: Any
    features: tuple[str, ...]
    feature_means: tuple[float, ...]
    hyperparameters: dict[str, Any]
    candidates: tuple[CandidateResult, ...]
    validation: Metrics
    validation_by_group: dict[str, dict[str, Metrics]]
    n_train: int
    n_validation: int


class NotMonotoneError(ValueError):
    """A fitted model's estimate fell when a competency score rose."""


def hyperparameters(name: str, *, seed: int, folds: int = CALIBRATION_FOLDS) -> dict[str, Any]:
    """The settings a candidate is built with (recorded in the registry)."""
    base, method = name.rsplit("_", 1)
    params = dict(LOGISTIC_PARAMS if base == "logistic" else BOOSTED_PARAMS)
    if base == "boosted":
        params["monotonic_cst"] = [1] * len(FEATURES)
        params["random_state"] = seed
    return {
        "estimator": base, "calibration": method, "calibration_folds": folds,
        "calibration_ensemble": False, **params,
    }  # fmt: skip


def make_estimator(
    name: str, *, seed: int, folds: int = CALIBRATION_FOLDS
) -> CalibratedClassifierCV:
    """A fresh, unfitted candidate model."""
    if name not in CANDIDATES:
        raise ValueError(f"unknown candidate model {name!r}")
    params = hyperparameters(name, seed=seed, folds=folds)
    base: Any
    if params["estimator"] == "logistic":
        base = NonNegativeLogisticRegression(C=params["C"])
    else:
        base = HistGradientBoostingClassifier(
            **{
                k: v
                for k, v in params.items()
                if k in {*BOOSTED_PARAMS, "monotonic_cst", "random_state"}
            }
        )
    # ensemble=False: one model fitted on all rows, calibrated on out-of-fold predictions;
    # predicting then costs one model instead of k (5x faster for the boosted trees).
    return CalibratedClassifierCV(base, method=params["calibration"], cv=folds, ensemble=False)


def single_threaded() -> Any:
    """Context limiting OpenMP/BLAS to one thread.

    Why: on shared cores, OpenMP workers of the boosted trees spin-wait for each other;
    measured 3x slower than one thread on the project's 2-core machines under load.
    """
    return threadpool_limits(limits=1)


def fit_candidate(
    name: str, x: FloatArray, y: npt.NDArray[np.bool_], *, seed: int, folds: int = CALIBRATION_FOLDS
) -> CalibratedClassifierCV:
    """Build and fit one candidate model, single-threaded (see ``single_threaded``)."""
    with single_threaded():
        return make_estimator(name, seed=seed, folds=folds).fit(x, y)


def positive_probability(estimator: Any, x: FloatArray) -> FloatArray:
    """P(met the standard) for each row of ``x``."""
    with single_threaded():
        return np.asarray(estimator.predict_proba(x)[:, 1], dtype=np.float64)


def _folds_for(y: npt.NDArray[np.bool_]) -> int:
    minority = int(min(y.sum(), y.size - y.sum()))
    if minority < 4:
        raise ValueError("training needs at least 4 outcomes of each kind (met / not met)")
    return max(2, min(CALIBRATION_FOLDS, minority // 2))


def fit_and_select(
    x: FloatArray,
    y: npt.NDArray[np.bool_],
    *,
    seed: int,
    candidates: Sequence[str] = CANDIDATES,
    validation_share: float = 0.25,
    groups: Mapping[str, Sequence[str]] | None = None,
) -> TrainedModel:
    """Fit every candidate, pick the best on held-out log loss, refit it on all rows.

    ``groups`` maps an attribute ("sex", "race_ethnicity") to one label per row; it is used
    only to report per-group validation metrics, never as a feature.
    """
    with single_threaded():
        return _fit_and_select(
            x, y, seed=seed, candidates=candidates, validation_share=validation_share,
            groups=groups,
        )  # fmt: skip


def _is_monotone(estimator: Any, x: FloatArray, *, seed: int) -> bool:
    try:
        check_monotone(estimator, x, seed=seed)
    except NotMonotoneError:
        return False
    return True


def _fit_and_select(
    x: FloatArray,
    y: npt.NDArray[np.bool_],
    *,
    seed: int,
    candidates: Sequence[str],
    validation_share: float,
    groups: Mapping[str, Sequence[str]] | None,
) -> TrainedModel:
    y = np.asarray(y, dtype=bool)
    rows = np.arange(y.size)
    fit_rows, val_rows = train_test_split(
        rows, test_size=validation_share, random_state=seed, stratify=y
    )
    folds = _folds_for(y[fit_rows])
    results: list[CandidateResult] = []
    predictions: dict[str, FloatArray] = {}
    for name in candidates:
        estimator = fit_candidate(name, x[fit_rows], y[fit_rows], seed=seed, folds=folds)
        p = positive_probability(estimator, x[val_rows])
        predictions[name] = p
        monotone = _is_monotone(estimator, x, seed=seed)
        results.append(
            CandidateResult(name, log_loss(p, y[val_rows]), brier_score(p, y[val_rows]), monotone)
        )
    # Best first among monotone candidates; the refit on all rows must be monotone too, or
    # the next candidate is tried (small samples can tip a Platt slope the wrong way).
    ranked = sorted((r for r in results if r.monotone), key=lambda r: (r.log_loss, r.brier))
    final_folds = _folds_for(y)
    for best in ranked:
        final = make_estimator(best.name, seed=seed, folds=final_folds).fit(x, y)
        if _is_monotone(final, x, seed=seed):
            break
    else:
        raise NotMonotoneError("no candidate model stayed monotone in every competency")
    p_best = predictions[best.name]
    by_group = {
        attribute: evaluate_by_group(p_best, y[val_rows], [labels[i] for i in val_rows])
        for attribute, labels in (groups or {}).items()
    }
    return TrainedModel(
        name=best.name,
        estimator=final,
        features=FEATURES,
        feature_means=tuple(float(v) for v in x.mean(axis=0)),
        hyperparameters=hyperparameters(best.name, seed=seed, folds=final_folds),
        candidates=tuple(results),
        validation=evaluate(p_best, y[val_rows]),
        validation_by_group=by_group,
        n_train=int(y.size),
        n_validation=int(val_rows.size),
    )


def _platt_slopes_point_up(estimator: Any) -> bool:
    """sklearn's Platt calibrator is 1 / (1 + exp(a·f + b)): increasing in f iff a ≤ 0."""
    for fold in getattr(estimator, "calibrated_classifiers_", ()):
        for calibrator in fold.calibrators:
            if float(getattr(calibrator, "a_", 0.0)) > 0.0:
                return False
    return True


def check_monotone(estimator: Any, x: FloatArray, *, seed: int, rows: int = 200) -> None:
    """Raise ``NotMonotoneError`` unless every estimate rises (or stays) with every score.

    Exact for the calibration step (every Platt slope must point up; isotonic calibration is
    non-decreasing by construction); for the whole model, a sampled check raises each
    feature of ``rows`` sampled rows by 10 points.
    """
    if not _platt_slopes_point_up(estimator):
        raise NotMonotoneError("a Platt calibration slope points down")
    rng = np.random.default_rng(seed)
    sample = x[rng.choice(x.shape[0], size=min(rows, x.shape[0]), replace=False)]
    base = positive_probability(estimator, sample)
    for feature in range(x.shape[1]):
        raised = sample.copy()
        raised[:, feature] = np.minimum(raised[:, feature] + 10.0, 100.0)
        if np.any(positive_probability(estimator, raised) < base - 1e-12):
            raise NotMonotoneError(f"estimate fell when {FEATURES[feature]} rose")
