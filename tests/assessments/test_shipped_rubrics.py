"""The shipped item bank (rubrics/) passes check-content, and every form's key passes."""

from __future__ import annotations

import pytest

from service.assessments.content import DEFAULT_ROOT, decode_tree
from service.assessments.items import ConstructedResponseItem
from service.assessments.scoring import score_attempt
from service.cli.content import check_content
from tests.assessments.helpers import key_answer, top_rating

# decode_tree never raises, so broken content fails the check test below, not collection.
SHIPPED = decode_tree(DEFAULT_ROOT).version


def test_shipped_rubrics_pass_check_content() -> None:
    assert [str(p) for p in check_content(DEFAULT_ROOT)] == []


def test_every_assessment_ships_at_least_two_forms() -> None:
    assert set(SHIPPED.assessments) == {
        "coding_basics", "coding", "privacy", "communication", "scenarios", "records_operations",
    }  # fmt: skip
    assert all(len(a.form_ids) >= 2 for a in SHIPPED.assessments.values())


def test_coding_items_carry_their_assessments_level() -> None:
    levels = {a.id: a.level for a in SHIPPED.assessments.values()}
    assert levels["coding_basics"] == "clerk" and levels["coding"] == "coder"
    for form_id in ("coding_basics-a", "coding-b"):
        form = SHIPPED.forms[form_id]
        assert {item.level for item in form.items} == {levels[form.assessment]}


def test_the_two_packages() -> None:
    packages = {p.id: p.assessments for p in SHIPPED.packages.values()}
    assert packages == {
        "clerk": ("records_operations", "privacy", "communication", "scenarios",
                  "coding_basics"),
        "coding_track": ("coding_basics", "coding"),
    }  # fmt: skip


def test_every_pass_mark_says_it_is_provisional() -> None:
    """Authors' Angoff ratings are provisional until a panel rates the items."""
    assert {a.cut_score.status for a in SHIPPED.assessments.values()} == {"provisional"}


@pytest.mark.parametrize("form_id", sorted(SHIPPED.forms))
def test_each_forms_key_scores_full_marks_and_passes(form_id: str) -> None:
    form = SHIPPED.forms[form_id]
    answers = {item.id: key_answer(item) for item in form.items}
    # Constructed responses have no key: they count at full marks once two raters agree.
    rated = {
        item.id: top_rating(item)
        for item in form.items
        if isinstance(item, ConstructedResponseItem)
    }
    result = score_attempt(SHIPPED, form_id, answers, overrides=rated)
    short = [s.item_id for s in result.item_scores if s.points < s.max_points]
    assert short == []
    assert result.raw_total == pytest.approx(form.max_points)
    assert result.passed
    assert result.scaled_score == 400


@pytest.mark.parametrize("form_id", sorted(SHIPPED.forms))
def test_each_form_fails_an_empty_attempt(form_id: str) -> None:
    result = score_attempt(SHIPPED, form_id, {})
    assert not result.passed
    assert result.scaled_score == 100
