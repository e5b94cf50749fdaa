"""Bias audit (NYC LL144, EEOC four-fifths) pinned against counts worked out by hand."""

from __future__ import annotations

import msgspec
import pytest

from service.statistics import InsufficientData, StatisticsInputError, bias_audit


def _rows(
    *groups: tuple[str | None, str | None, int, int],
) -> tuple[list[str | None], list[str | None], list[int]]:
    """(sex, race, selected, not selected) groups -> one row per individual."""
    sex: list[str | None] = []
    race: list[str | None] = []
    chosen: list[int] = []
    for s, r, yes, no in groups:
        sex += [s] * (yes + no)
        race += [r] * (yes + no)
        chosen += [1] * yes + [0] * no
    return sex, race, chosen


def test_an_impact_ratio_of_exactly_four_fifths_is_not_adverse_impact() -> None:
    # Women 3 of 4 selected (0.75), men 3 of 5 (0.6): 0.6 / 0.75 = 4/5 exactly, although in
    # floating point 0.6 / 0.75 == 0.7999999999999999.
    assert (3 / 5) / (3 / 4) < 0.8
    sex, race, chosen = _rows(("female", "white", 3, 1), ("male", "white", 3, 2))
    audit = bias_audit(sex, race, selected=chosen)
    women, men = audit.sex.categories
    assert (women.count, women.selected, women.rate, women.impact_ratio) == (4, 3, 0.75, 1.0)
    assert (men.count, men.selected, men.rate) == (5, 3, 0.6)
    assert men.impact_ratio == 0.8
    assert men.below_four_fifths is False
    assert audit.sex.highest == "female"


def test_just_below_four_fifths_is_flagged() -> None:
    # 59 of 100 against 75 of 100: 0.59 / 0.75 = 0.7866... < 0.8.
    sex, race, chosen = _rows(("female", "white", 75, 25), ("male", "white", 59, 41))
    men = bias_audit(sex, race, selected=chosen).sex.categories[1]
    assert men.impact_ratio == pytest.approx(0.59 / 0.75)
    assert men.below_four_fifths is True


def test_a_category_under_two_percent_is_rated_but_left_out_of_impact_ratios() -> None:
    # 100 people: 1 Native Hawaiian or Pacific Islander (1% < 2%, selected, rate 1.0, which
    # would otherwise be the highest), 2 Asian (exactly 2%: kept), 97 White.
    sex, race, chosen = _rows(
        ("female", "nhpi", 1, 0), ("female", "asian", 1, 1), ("male", "white", 70, 27)
    )
    audit = bias_audit(
        sex, race, selected=chosen, race_ethnicity_categories=["white", "asian", "nhpi"]
    )
    white, asian, nhpi = audit.race_ethnicity.categories
    assert (nhpi.count, nhpi.rate, nhpi.excluded_under_2_percent) == (1, 1.0, True)
    assert nhpi.impact_ratio is None and nhpi.below_four_fifths is None
    assert asian.excluded_under_2_percent is False
    assert audit.race_ethnicity.highest == "white"
    assert white.impact_ratio == 1.0
    assert asian.impact_ratio == pytest.approx(0.5 / (70 / 97))
    assert asian.below_four_fifths is True


def test_unknowns_are_counted_and_left_out_of_rates() -> None:
    sex, race, chosen = _rows(
        ("female", "black", 2, 2), (None, "black", 5, 0), ("male", None, 1, 1), ("", "", 0, 3)
    )
    audit = bias_audit(sex, race, selected=chosen)
    assert audit.n == 14 and audit.selected == 8
    assert audit.sex.unknown == 8  # None and "" both mean unknown
    assert audit.race_ethnicity.unknown == 5
    assert audit.intersections.unknown == 10  # unknown when either part is
    black = audit.race_ethnicity.categories[0]
    assert (black.category, black.count, black.selected) == ("black", 9, 7)
    inter = {c.category: c for c in audit.intersections.categories}
    assert set(inter) == {"female × black", "male × black"}
    assert inter["female × black"].count == 4 and inter["male × black"].count == 0
    assert inter["male × black"].rate is None


def test_every_intersection_is_listed_with_its_parts() -> None:
    sex, race, chosen = _rows(("female", "white", 1, 1), ("male", "asian", 1, 0))
    audit = bias_audit(
        sex,
        race,
        selected=chosen,
        sex_categories=["female", "male"],
        race_ethnicity_categories=["white", "asian", "black"],
    )
    rows = [(c.sex, c.race_ethnicity, c.count) for c in audit.intersections.categories]
    assert rows == [
        ("female", "white", 2),
        ("female", "asian", 0),
        ("female", "black", 0),
        ("male", "white", 0),
        ("male", "asian", 1),
        ("male", "black", 0),
    ]


def test_scoring_rate_is_the_share_above_the_whole_samples_median() -> None:
    # Scores 1..8 (median 4.5; an unknown-sex person counts towards it): women 2, 6, 7, 8
    # -> 3 of 4 above; men 1, 3, 5 -> 1 of 3.
    sex = ["female", "male", "female", "male", "male", "female", "female", None]
    race = ["white"] * 8
    audit = bias_audit(sex, race, scores=[2, 1, 6, 3, 5, 7, 8, 4])
    assert audit.method == "scoring_rate"
    assert audit.median_score == 4.5
    women, men = audit.sex.categories
    assert (women.selected, women.rate) == (3, 0.75)
    assert (men.selected, men.impact_ratio) == (1, pytest.approx((1 / 3) / 0.75))
    assert audit.sex.unknown == 1


def test_nobody_selected_gives_no_impact_ratios_and_no_nan() -> None:
    sex, race, chosen = _rows(("female", "white", 0, 3), ("male", "white", 0, 2))
    audit = bias_audit(sex, race, selected=chosen)
    assert all(c.impact_ratio is None for c in audit.sex.categories)
    assert any("highest rate is 0" in n for n in audit.notes)
    assert b"NaN" not in msgspec.json.encode(audit)


def test_bad_arguments() -> None:
    with pytest.raises(InsufficientData):
        bias_audit([], [], selected=[])
    with pytest.raises(StatisticsInputError, match="exactly one"):
        bias_audit(["female"], ["white"])
    with pytest.raises(StatisticsInputError, match="0 or 1; index 1 is 2"):
        bias_audit(["female", "male"], ["white", "white"], selected=[1, 2])
    with pytest.raises(StatisticsInputError, match="not among"):
        bias_audit(
            ["female", "other"],
            ["white", "white"],
            selected=[1, 0],
            sex_categories=["female", "male"],
        )
    with pytest.raises(StatisticsInputError, match="2 labels"):
        bias_audit(["female", "male"], ["white"], selected=[1, 0])
