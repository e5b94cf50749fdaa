"""Human ratings: adjudication, final scores, agreement statistics."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from service.assessments.bank import ContentVersion
from service.assessments.items import ConstructedResponseItem
from service.assessments.ratings import (
    RatedPair,
    Rating,
    agreement,
    agreement_by_rater,
    final_score,
    needs_adjudication,
    paired_levels,
    quadratic_weighted_kappa,
    rating_state,
)


@pytest.fixture(scope="module")
def item(content: ContentVersion) -> ConstructedResponseItem:
    found = content.items["COM-A-01"]
    assert isinstance(found, ConstructedResponseItem)
    return found


def _rating(rater: str, content_level: int, clarity: int) -> Rating:
    return Rating(rater_id=rater, levels={"content": content_level, "clarity": clarity})


def test_adjacent_ratings_average(item: ConstructedResponseItem) -> None:
    first, second = _rating("ann", 3, 2), _rating("bo", 2, 2)
    assert not needs_adjudication(first, second)
    assert rating_state([first, second]) == "final"
    result = final_score(item, first, second)
    assert result.points == 4.5
    assert result.provisional is False
    assert result.feedback["method"] == "mean_of_two"


def test_ratings_two_levels_apart_need_an_adjudicator(item: ConstructedResponseItem) -> None:
    first, second = _rating("ann", 3, 2), _rating("bo", 1, 2)
    assert needs_adjudication(first, second)
    assert rating_state([first, second]) == "needs_adjudication"
    with pytest.raises(ValueError, match="adjudication needed"):
        final_score(item, first, second)
    result = final_score(item, first, second, _rating("cy", 2, 2))
    assert result.points == 4.0
    assert result.feedback["method"] == "adjudicated"
    assert result.feedback["raters"] == ["ann", "bo", "cy"]
    adjudication = msgspec.structs.replace(_rating("cy", 2, 2), role="adjudication")
    assert rating_state([first, second, adjudication]) == "final"


def test_workflow_states_before_two_ratings() -> None:
    assert rating_state([]) == "awaiting_first"
    assert rating_state([_rating("ann", 1, 1)]) == "awaiting_second"


def test_bad_ratings_are_refused(item: ConstructedResponseItem) -> None:
    with pytest.raises(ValueError, match="different raters"):
        final_score(item, _rating("ann", 1, 1), _rating("ann", 1, 1))
    with pytest.raises(ValueError, match=r"0\.\.3"):
        final_score(item, _rating("ann", 4, 1), _rating("bo", 1, 1))
    with pytest.raises(ValueError, match="exactly the criteria"):
        final_score(item, Rating(rater_id="ann", levels={"content": 1}), _rating("bo", 1, 1))


def test_agreement_rates() -> None:
    stats = agreement([(3, 3), (2, 3), (0, 2), (1, 1)])
    assert stats.n == 4
    assert stats.exact == 0.5
    assert stats.adjacent == 0.75


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=40))
def test_quadratic_kappa_matches_scikit_learn(pairs: list[tuple[int, int]]) -> None:
    ours = quadratic_weighted_kappa(pairs)
    first, second = [a for a, _ in pairs], [b for _, b in pairs]
    if ours is None:
        assert len(set(first)) == 1 and len(set(second)) == 1
        return
    theirs = cohen_kappa_score(first, second, weights="quadratic", labels=[0, 1, 2, 3])
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_perfect_agreement_has_kappa_one_and_empty_is_undefined() -> None:
    assert quadratic_weighted_kappa([(0, 0), (3, 3), (1, 1)]) == pytest.approx(1.0)
    assert agreement([]).quadratic_kappa is None


def test_agreement_by_rater_pairs_each_rater_with_the_other() -> None:
    pairs = [
        *paired_levels(_rating("ann", 3, 2), _rating("bo", 3, 1)),
        *paired_levels(_rating("ann", 1, 0), _rating("cy", 1, 0)),
        RatedPair(rater_a="bo", rater_b="cy", level_a=0, level_b=3),
    ]
    stats = agreement_by_rater(pairs)
    assert set(stats) == {"ann", "bo", "cy"}
    assert stats["ann"].n == 4
    assert stats["ann"].exact == 0.75
    assert stats["cy"].exact == pytest.approx(2 / 3)
    assert stats["bo"].adjacent == pytest.approx(2 / 3)
