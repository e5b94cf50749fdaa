"""Model artifacts as bytes, via skops: never pickle, and only explicitly trusted types.

skops refuses to build any type it does not trust by default unless the caller names it.
``TRUSTED_TYPES`` names the few extra types our candidate models contain; loading passes
exactly that list, so an artifact holding anything else (tampered or from elsewhere) is
refused instead of executed.
"""

from __future__ import annotations

from typing import Any

import skops.io as sio

TRUSTED_TYPES: tuple[str, ...] = (
    "service.readiness.estimators.NonNegativeLogisticRegression",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)


class UntrustedArtifactError(ValueError):
    """The artifact holds types outside ``TRUSTED_TYPES``."""


def dump_estimator(estimator: Any) -> bytes:
    """Serialise a fitted estimator; refuses one that could not be loaded back safely."""
    data: bytes = sio.dumps(estimator)
    _check_trusted(data)
    return data


def load_estimator(data: bytes) -> Any:
    """Rebuild an estimator from ``dump_estimator`` bytes, trusting only ``TRUSTED_TYPES``."""
    _check_trusted(data)
    return sio.loads(data, trusted=list(TRUSTED_TYPES))


def _check_trusted(data: bytes) -> None:
    unknown = sorted(set(sio.get_untrusted_types(data=data)) - set(TRUSTED_TYPES))
    if unknown:
        raise UntrustedArtifactError(f"artifact holds untrusted types: {', '.join(unknown)}")
