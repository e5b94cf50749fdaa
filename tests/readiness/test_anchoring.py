"""The simulated prior agrees with the standard setting: a candidate exactly at every Angoff
cut sits at the borderline, one above every cut higher, one below every cut lower.

Before the anchoring, a candidate who passed all four assessments could get a 26% "not yet
ready" estimate: the simulation's minimally competent candidate scored well above the cuts
(near misses earned partial credit the Angoff ratings did not count) and met the standard
only 35% of the time.
"""

from __future__ import annotations

import numpy as np
import pytest

from service.assessments.bank import ContentVersion
from service.assessments.content import load_content
from service.profiles.assemble import competency_cut_percents
from service.readiness.card import model_card
from service.readiness.generative import (
    BORDERLINE_PROBABILITY,
    COMPETENCY_IDS,
    MINIMALLY_COMPETENT_THETA,
    outcome_probability,
)
from service.readiness.model import fit_and_select
from service.readiness.predict import LoadedModel, ReadinessEstimate, predict
from service.readiness.simulation import ItemPointTable, expected_percents_at, point_tables
from service.readiness.train import simulated_training_data
from tests.readiness.test_card import version


@pytest.fixture(scope="module")
def content() -> ContentVersion:
    return load_content()


@pytest.fixture(scope="module")
def tables(content: ContentVersion) -> dict[str, ItemPointTable]:
    return point_tables(content)


@pytest.fixture(scope="module")
def model(content: ContentVersion) -> LoadedModel:
    data = simulated_training_data(content, n=12_000, seed=0)
    trained = fit_and_select(data.x, data.y, seed=0, groups={})
    return LoadedModel(
        version="rm-test",
        estimator=trained.estimator,
        feature_means=trained.feature_means,
        calibration_bins=trained.validation.reliability,
    )


def packages(content: ContentVersion) -> list[list[str]]:
    """Each parallel form letter as a package: every assessment's form A, then form B."""
    letters = sorted({form_id.rsplit("-", 1)[1] for form_id in content.forms})
    return [[f for f in content.forms if f.endswith(f"-{letter}")] for letter in letters]


def estimate(model: LoadedModel, percents: dict[str, float]) -> ReadinessEstimate:
    return predict(model, [percents], top=0)[0]


def test_minimally_competent_candidate_is_the_borderline_by_construction() -> None:
    at_cut = np.full((1, len(COMPETENCY_IDS)), MINIMALLY_COMPETENT_THETA)
    assert outcome_probability(at_cut)[0] == pytest.approx(BORDERLINE_PROBABILITY, abs=1e-12)
    assert outcome_probability(at_cut + 0.5)[0] > BORDERLINE_PROBABILITY
    assert outcome_probability(at_cut - 0.5)[0] < BORDERLINE_PROBABILITY


def test_minimally_competent_candidate_scores_exactly_at_every_cut(
    content: ContentVersion, tables: dict[str, ItemPointTable]
) -> None:
    for forms in packages(content):
        cuts = competency_cut_percents(content, forms)
        expected = expected_percents_at(content, tables, forms)
        assert expected.keys() == cuts.keys()
        for competency, cut in cuts.items():
            assert expected[competency] == pytest.approx(cut, abs=1e-6), (forms, competency)
        above = expected_percents_at(content, tables, forms, theta=0.0)
        assert all(above[c] > cuts[c] for c in cuts)


def test_estimate_at_every_cut_is_borderline(content: ContentVersion, model: LoadedModel) -> None:
    for forms in packages(content):
        at_cuts = estimate(model, competency_cut_percents(content, forms))
        assert 0.4 <= at_cuts.probability <= 0.65, (forms, at_cuts.probability)
        assert at_cuts.band == "nearly_ready"


def test_estimate_above_all_cuts_is_higher_and_below_all_cuts_lower(
    content: ContentVersion, model: LoadedModel
) -> None:
    for forms in packages(content):
        cuts = competency_cut_percents(content, forms)
        at = estimate(model, cuts).probability
        above = estimate(model, {c: min(100.0, v + 12) for c, v in cuts.items()})
        below = estimate(model, {c: max(0.0, v - 12) for c, v in cuts.items()})
        assert above.probability > at > below.probability
        assert above.probability > BORDERLINE_PROBABILITY
        assert above.band == "ready", above.probability
        assert below.probability < BORDERLINE_PROBABILITY
        assert below.band == "not_yet", below.probability


def test_passing_everything_never_reads_not_yet_ready(
    content: ContentVersion, model: LoadedModel
) -> None:
    """The reported case: passed all four (each competency at or a little above its cut)."""
    for forms in packages(content):
        cuts = competency_cut_percents(content, forms)
        rng = np.random.default_rng(4)
        for _ in range(20):
            passing = {c: min(100.0, v + float(rng.uniform(0, 8))) for c, v in cuts.items()}
            assert estimate(model, passing).band != "not_yet"


def test_model_card_states_the_anchoring() -> None:
    card = model_card(version(), active="rm-0007")
    assert "## Anchored at the standard setting" in card
    assert "exactly 50%" in card and "every competency's cut" in card
    real = model_card(version(provenance="real", organization_id=None), active=None)
    assert "Anchored at the standard setting" not in real
