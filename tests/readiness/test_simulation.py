"""The simulation: real items, real scorers, a fast path that agrees exactly, no group effect."""

from __future__ import annotations

import numpy as np
import pytest

from service.assessments.answers import validate_answer
from service.assessments.bank import ContentVersion
from service.assessments.content import load_content
from service.readiness.answers import correct_answer
from service.readiness.generative import (
    COMPETENCY_IDS,
    RACE_ETHNICITY_CATEGORIES,
    SEX_CATEGORIES,
    PlantedBias,
    draw_latent,
    item_parameters,
    latent_correlation,
    outcome_probability,
)
from service.readiness.simulation import (
    ItemPointTable,
    draw_cohort,
    iter_simulated_attempts,
    point_tables,
    simulate_fast,
    simulate_with_scorers,
    wrong_answer_variants,
)


@pytest.fixture(scope="module")
def content() -> ContentVersion:
    return load_content()


@pytest.fixture(scope="module")
def tables(content: ContentVersion) -> dict[str, ItemPointTable]:
    return point_tables(content)


def test_fast_path_reproduces_the_real_scorer_path_exactly(
    content: ContentVersion, tables: dict[str, ItemPointTable]
) -> None:
    slow = simulate_with_scorers(content, 120, seed=7)
    fast = simulate_fast(content, 120, seed=7, tables=tables)
    assert slow.path == "scorers"
    assert fast.path == "tables"
    assert np.array_equal(np.isnan(slow.item_points), np.isnan(fast.item_points))
    taken = ~np.isnan(slow.item_points)
    assert np.allclose(slow.item_points[taken], fast.item_points[taken])
    assert np.allclose(slow.percents, fast.percents, atol=1e-3)
    assert not np.isnan(fast.percents).any()  # the bank measures every competency
    assert slow.form_ids == fast.form_ids


def test_fast_path_matches_in_distribution_across_seeds(
    content: ContentVersion, tables: dict[str, ItemPointTable]
) -> None:
    slow = simulate_with_scorers(content, 200, seed=1)
    fast = simulate_fast(content, 4000, seed=2, tables=tables)
    # independent samples: competency means agree within sampling error
    gap = np.abs(slow.percents.mean(axis=0) - fast.percents.mean(axis=0))
    spread = fast.percents.std(axis=0) / np.sqrt(200)
    assert np.all(gap < 4 * spread + 0.5)


def test_keys_earn_full_points_and_every_wrong_variant_less(
    tables: dict[str, ItemPointTable],
) -> None:
    for item_id, table in tables.items():
        assert table.correct == pytest.approx(table.max_points), item_id
        assert table.wrong, item_id
        assert max(table.wrong) < table.max_points, item_id


def test_simulated_answers_are_valid_answers(content: ContentVersion) -> None:
    variants = wrong_answer_variants(content, item_seed=3)
    for item_id, item in content.items.items():
        validate_answer(item, correct_answer(item))
        for variant in variants[item_id]:
            validate_answer(item, variant)  # raises InvalidAnswer if the shape were wrong


def test_right_answers_are_the_key_and_wrong_ones_a_listed_variant(
    content: ContentVersion,
) -> None:
    draws = draw_cohort(content, 5, seed=4)
    variants = wrong_answer_variants(content)
    seen = blanks = 0
    for _candidate, form_id, answers in iter_simulated_attempts(content, draws, variants):
        for item in content.forms[form_id].items:
            seen += 1
            if item.id not in answers:  # left blank: a wrong answer that earns a blank's points
                blanks += 1
                continue
            answer = answers[item.id]
            assert answer == correct_answer(item) or answer in variants[item.id]
    assert seen == 5 * sum(len(content.forms[f].items) for f in sorted(content.forms)) // 2
    assert 0 < blanks < seen // 2


def test_same_seed_same_cohort_other_seed_other_cohort(
    content: ContentVersion, tables: dict[str, ItemPointTable]
) -> None:
    a = simulate_fast(content, 300, seed=5, tables=tables)
    b = simulate_fast(content, 300, seed=5, tables=tables)
    c = simulate_fast(content, 300, seed=6, tables=tables)
    assert np.array_equal(a.percents, b.percents)
    assert a.sex == b.sex
    assert not np.array_equal(a.percents, c.percents)


def test_item_parameters_depend_only_on_seed_and_item_id() -> None:
    first = item_parameters("COD-A-01", (0.7, 0.6), seed=1)
    assert item_parameters("COD-A-01", (0.7, 0.6), seed=1) == first
    assert item_parameters("COD-A-01", (0.7, 0.6), seed=2) != first
    assert item_parameters("COD-A-02", (0.7, 0.6), seed=1) != first
    easy = item_parameters("X", (0.95,), seed=1)
    hard = item_parameters("X", (0.2,), seed=1)
    assert easy.difficulty < hard.difficulty  # anchored on the Angoff ratings


def test_latent_competencies_are_correlated_as_documented() -> None:
    corr = latent_correlation()
    assert np.allclose(np.diag(corr), 1.0)
    assert np.all(np.linalg.eigvalsh(corr) > 0)
    sample = draw_latent(np.random.default_rng(0), 50_000)
    assert np.allclose(np.corrcoef(sample.T), corr, atol=0.02)
    i, j = COMPETENCY_IDS.index("privacy"), COMPETENCY_IDS.index("security")
    assert corr[i, j] > corr[i, COMPETENCY_IDS.index("coding")]


def test_outcome_rises_with_every_latent_competency() -> None:
    base = np.zeros((1, 8))
    for k in range(8):
        raised = base.copy()
        raised[0, k] = 1.0
        assert outcome_probability(raised)[0] > outcome_probability(base)[0]


def test_groups_have_no_true_effect(content: ContentVersion) -> None:
    draws = draw_cohort(content, 20_000, seed=9)
    sex = np.array(draws.sex)
    truth = draws.true_probability
    for group in ("female", "male"):
        assert abs(truth[sex == group].mean() - truth.mean()) < 0.01
    assert set(draws.sex) <= set(SEX_CATEGORIES)
    assert set(draws.race_ethnicity) <= set(RACE_ETHNICITY_CATEGORIES)


def test_group_labels_use_the_database_spelling() -> None:
    # candidate_demographics CHECK constraints in migrations/0001_initial.sql
    assert set(SEX_CATEGORIES) == {"female", "male", "unknown"}
    assert set(RACE_ETHNICITY_CATEGORIES) == {
        "hispanic_latino", "white", "black", "nhpi", "asian", "native_american",
        "two_or_more", "unknown",
    }  # fmt: skip


def test_a_planted_bias_hurts_only_the_focal_group_on_the_chosen_item(
    content: ContentVersion, tables: dict[str, ItemPointTable]
) -> None:
    form = content.forms["privacy-a"]
    biased_id, other_id = form.items[0].id, form.items[1].id
    bias = PlantedBias(item_ids=(biased_id,), attribute="sex", group="female", difficulty_shift=2.0)
    plain = simulate_fast(content, 4000, seed=11, tables=tables)
    biased = simulate_fast(content, 4000, seed=11, bias=bias, tables=tables)
    female = np.array(plain.sex) == "female"
    col = plain.item_ids.index(biased_id)
    took = ~np.isnan(plain.item_points[:, col])
    other = plain.item_ids.index(other_id)
    same = np.array_equal(plain.item_points[:, other], biased.item_points[:, other], equal_nan=True)
    assert same
    assert np.array_equal(
        plain.item_points[~female, col], biased.item_points[~female, col], equal_nan=True
    )
    before = np.nanmean(plain.item_points[female & took, col])
    drop = before - np.nanmean(biased.item_points[female & took, col])
    assert drop > 0.15
    assert np.array_equal(plain.true_probability, biased.true_probability)
