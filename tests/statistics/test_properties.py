"""Properties every input must satisfy: order invariance, bounds, no NaN, DIF under the null."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.statistics import bias_audit, item_analysis, mantel_haenszel_dif


@st.composite
def mark_matrices(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Integer marks (as on every shipped item) of 2-40 attempts at 1-8 items."""
    k = draw(st.integers(1, 8))
    n = draw(st.integers(2, 40))
    maxima = np.array(draw(st.lists(st.integers(1, 4), min_size=k, max_size=k)), dtype=float)
    cells = draw(st.lists(st.integers(0, 4), min_size=n * k, max_size=n * k))
    marks = np.minimum(np.array(cells, dtype=float).reshape(n, k), maxima)
    return marks, maxima


@given(mark_matrices(), st.randoms(use_true_random=False))
def test_item_analysis_does_not_depend_on_item_order(
    data: tuple[np.ndarray, np.ndarray], random: object
) -> None:
    marks, maxima = data
    k = marks.shape[1]
    order = list(range(k))
    random.shuffle(order)  # type: ignore[attr-defined]
    ids = [f"i{j}" for j in range(k)]
    before = item_analysis(marks, maxima, ids)
    after = item_analysis(marks[:, order], maxima[order], [ids[j] for j in order])
    by_id = {item.id: item for item in after.items}
    for item in before.items:
        moved = by_id[item.id]
        for field in (
            "facility",
            "sd",
            "intended_weight",
            "effective_weight",
            "discrimination_index",
            "discriminative_efficiency",
        ):
            a, b = getattr(item, field), getattr(moved, field)
            assert (a is None) == (b is None), field
            if a is not None:
                assert b == pytest.approx(a, rel=1e-9, abs=1e-9), field
        assert set(item.flags) == set(moved.flags)
    for field in (
        "n",
        "mean",
        "median",
        "sd",
        "skewness",
        "kurtosis",
        "cic",
        "error_ratio",
        "standard_error",
    ):
        a, b = getattr(before.test, field), getattr(after.test, field)
        assert (a is None) == (b is None), field
        if a is not None:
            assert b == pytest.approx(a, rel=1e-9, abs=1e-9), field


@given(mark_matrices())
def test_item_statistics_stay_in_their_ranges_and_never_nan(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    marks, maxima = data
    result = item_analysis(marks, maxima)
    text = msgspec.json.encode(result)
    assert b"NaN" not in text and b"Infinity" not in text
    for item in result.items:
        assert 0 <= item.facility <= 100
        if item.discrimination_index is not None:
            assert -100 - 1e-9 <= item.discrimination_index <= 100 + 1e-9
        if item.discriminative_efficiency is not None:
            # Cov(x, X) never exceeds the covariance of the sorted pairs.
            assert item.discriminative_efficiency <= 100 + 1e-9
    weights = [i.effective_weight for i in result.items if i.effective_weight is not None]
    if weights:
        assert sum(weights) == pytest.approx(100.0)
    if result.test.cic is not None:
        assert result.test.cic <= 100 + 1e-9


SEXES = st.sampled_from(["female", "male", None])
RACES = st.sampled_from(["hispanic_latino", "white", "black", "asian", "nhpi", None])


@given(
    st.lists(
        st.tuples(SEXES, RACES, st.integers(0, 1), st.integers(0, 400)), min_size=1, max_size=120
    ),
    st.randoms(use_true_random=False),
    st.booleans(),
)
def test_bias_audit_does_not_depend_on_row_order(
    rows: list[tuple[str | None, str | None, int, int]],
    random: object,
    scored: bool,
) -> None:
    shuffled = list(rows)
    random.shuffle(shuffled)  # type: ignore[attr-defined]

    def audit(data: list[tuple[str | None, str | None, int, int]]) -> object:
        sex = [r[0] for r in data]
        race = [r[1] for r in data]
        if scored:
            return bias_audit(sex, race, scores=[r[3] for r in data])
        return bias_audit(sex, race, selected=[r[2] for r in data])

    first, second = audit(rows), audit(shuffled)
    assert first == second
    assert b"NaN" not in msgspec.json.encode(first)


@settings(derandomize=True, max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_dif_of_identically_distributed_groups_is_mostly_class_a(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = 600, 20
    theta = rng.normal(size=n)  # one population, then split at random: no DIF
    difficulty = np.linspace(-1.5, 1.5, k)
    responses = rng.random((n, k)) < 1 / (1 + np.exp(-(theta[:, None] - difficulty)))
    groups = np.where(rng.random(n) < 0.5, "reference", "focal")
    result = mantel_haenszel_dif(
        responses.astype(float), list(groups), reference="reference", focal="focal"
    )
    classes = [item.ets_class for item in result.items]
    assert classes.count("A") >= 0.8 * k, classes
    assert "C" not in classes
