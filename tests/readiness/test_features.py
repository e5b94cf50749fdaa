"""The model's features: competency percents only, never protected attributes or proxies."""

from __future__ import annotations

import numpy as np
import pytest

from service.readiness.features import (
    FEATURES,
    CompetencyTotal,
    feature_matrix,
    pooled_percents,
)
from service.readiness.generative import COMPETENCY_IDS
from service.readiness.model import fit_and_select
from tests.readiness.helpers import synthetic_percents

# Protected attributes and common proxies for them (29 CFR 1607; NYC LL144 categories).
FORBIDDEN_FRAGMENTS = (
    "sex", "gender", "race", "ethnic", "hispanic", "latino", "white", "black", "asian",
    "native", "pacific", "age", "birth", "dob", "year", "zip", "postal", "address", "city",
    "county", "name", "photo", "language", "religion", "disab", "marital", "pregnan",
    "veteran", "national", "citizen", "demograph",
)  # fmt: skip


def test_features_are_exactly_the_competency_percents() -> None:
    assert tuple(f"{c}_percent" for c in COMPETENCY_IDS) == FEATURES
    assert len(FEATURES) == 8


@pytest.mark.parametrize("fragment", FORBIDDEN_FRAGMENTS)
def test_no_feature_names_a_protected_attribute_or_proxy(fragment: str) -> None:
    assert not [f for f in FEATURES if fragment in f.lower()]


def test_a_trained_model_uses_the_feature_list_and_only_it() -> None:
    x, y, _ = synthetic_percents(800, seed=3)
    groups = {"sex": ["female", "male"] * 400}
    trained = fit_and_select(x, y, seed=1, candidates=("logistic_sigmoid",), groups=groups)
    assert trained.features == FEATURES
    assert trained.estimator.n_features_in_ == len(FEATURES)
    assert "sex" in trained.validation_by_group  # groups only feed the per-group report


def test_pooled_percents_sum_points_over_attempts() -> None:
    totals = [
        CompetencyTotal("privacy", 3.0, 4.0),
        CompetencyTotal("privacy", 5.0, 6.0),
        CompetencyTotal("coding", 0.0, 0.0),
    ]
    assert pooled_percents(totals) == {"privacy": pytest.approx(80.0)}


def test_feature_matrix_fills_unassessed_competencies() -> None:
    fill = dict.fromkeys(COMPETENCY_IDS, 50.0)
    x = feature_matrix([{"coding": 90.0}], fill)
    assert x.shape == (1, 8)
    assert x[0, COMPETENCY_IDS.index("coding")] == 90.0
    assert np.count_nonzero(x[0] == 50.0) == 7
