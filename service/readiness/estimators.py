"""A logistic regression whose coefficients cannot go negative (scikit-learn estimator API).

Plain logistic regression can give a competency a negative weight when competencies are
correlated and samples are few; the readiness estimate would then fall as that score rose.
Constraining every coefficient to be ≥ 0 (L-BFGS-B with bounds) rules that out by
construction, which is the same promise ``monotonic_cst=+1`` gives the boosted trees.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

FloatArray = npt.NDArray[np.float64]


class NonNegativeLogisticRegression(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Binary L2-penalised logistic regression with coefficients constrained to be ≥ 0.

    Features are standardised inside (``mean_``, ``scale_``) so the penalty treats every
    feature alike; ``coef_`` and ``intercept_`` are on that standardised scale.
    """

    def __init__(self, *, C: float = 1.0, max_iter: int = 500, tol: float = 1e-8) -> None:  # noqa: N803
        self.C = C
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:  # noqa: N803
        """Fit by minimising weighted log loss + ||w||² / (2·C·n) subject to w ≥ 0."""
        matrix, y = validate_data(self, X, y, reset=True, dtype=np.float64)
        self.classes_ = np.unique(y)
        if self.classes_.size != 2:
            raise ValueError("NonNegativeLogisticRegression needs exactly two classes")
        target = (y == self.classes_[1]).astype(np.float64)
        weight = np.ones_like(target) if sample_weight is None else np.asarray(sample_weight, float)
        self.mean_ = matrix.mean(axis=0)
        self.scale_ = np.where(matrix.std(axis=0) > 0, matrix.std(axis=0), 1.0)
        z = (matrix - self.mean_) / self.scale_
        total_weight = float(weight.sum())
        penalty = 1.0 / (self.C * total_weight)

        def loss_and_gradient(params: FloatArray) -> tuple[float, FloatArray]:
            w, b = params[:-1], params[-1]
            margin = z @ w + b
            # log(1 + e^m) − t·m, computed stably.
            loss = np.sum(weight * (np.logaddexp(0.0, margin) - target * margin)) / total_weight
            residual = weight * (1.0 / (1.0 + np.exp(-margin)) - target) / total_weight
            gradient = np.append(z.T @ residual + penalty * w, residual.sum())
            return float(loss + 0.5 * penalty * w @ w), gradient

        n_features = z.shape[1]
        bounds = [(0.0, None)] * n_features + [(None, None)]
        result = minimize(
            loss_and_gradient,
            np.zeros(n_features + 1),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": self.max_iter, "ftol": self.tol},
        )
        self.coef_ = np.asarray(result.x[:-1], dtype=np.float64).reshape(1, -1)
        self.intercept_ = np.asarray(result.x[-1:], dtype=np.float64)
        self.n_iter_ = int(result.nit)
        return self

    def decision_function(self, X: Any) -> FloatArray:  # noqa: N803
        """The logit of the positive class."""
        check_is_fitted(self, "coef_")
        matrix = validate_data(self, X, reset=False, dtype=np.float64)
        return np.asarray(
            ((matrix - self.mean_) / self.scale_) @ self.coef_[0] + self.intercept_[0]
        )

    def predict_proba(self, X: Any) -> FloatArray:  # noqa: N803
        """Probabilities of [negative, positive] class per row."""
        positive = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X: Any) -> Any:  # noqa: N803
        """The more probable class per row."""
        return self.classes_[(self.decision_function(X) > 0).astype(np.intp)]
