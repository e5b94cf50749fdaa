"""Artifacts round-trip through skops and refuse types nobody trusted."""

from __future__ import annotations

import numpy as np
import pytest
import skops.io as sio

from service.readiness.artifacts import UntrustedArtifactError, dump_estimator, load_estimator
from service.readiness.model import CANDIDATES, fit_candidate, positive_probability
from tests.readiness.helpers import synthetic_percents


@pytest.mark.parametrize("name", CANDIDATES)
def test_every_candidate_round_trips_with_identical_predictions(name: str) -> None:
    x, y, _ = synthetic_percents(1500, seed=4)
    model = fit_candidate(name, x, y, seed=0, folds=3)
    restored = load_estimator(dump_estimator(model))
    assert np.array_equal(positive_probability(restored, x), positive_probability(model, x))


class Smuggled:
    """Stands in for an object someone slipped into an artifact."""

    def __init__(self) -> None:
        self.payload = "anything"


def test_loading_refuses_an_artifact_with_untrusted_types() -> None:
    data = sio.dumps({"model": Smuggled()})
    with pytest.raises(UntrustedArtifactError, match="Smuggled"):
        load_estimator(data)


def test_dumping_refuses_what_could_not_be_loaded_back() -> None:
    with pytest.raises(UntrustedArtifactError):
        dump_estimator({"model": Smuggled()})
