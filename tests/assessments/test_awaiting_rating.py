"""A machine-read (provisional) constructed-response score never decides pass/fail.

Over every shipped form with written answers: when the result would differ between the
written answers earning nothing and earning full marks, the attempt is "awaiting rating"
(not passed); otherwise the result is the same whatever the raters decide. Before this, an
off-topic essay's provisional 15/15 turned a failing attempt into "Passed (provisional)".
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.assessments.bank import ContentVersion, Form
from service.assessments.content import load_content
from service.assessments.items import ConstructedResponseItem
from service.assessments.ratings import Rating, final_score
from service.assessments.scores import AttemptScore, ItemScore
from service.assessments.scoring import score_attempt
from tests.assessments.helpers import GOOD_REPLY, key_answer

CONTENT = load_content()
FORMS_WITH_WRITING = sorted(
    f.id
    for f in CONTENT.forms.values()
    if any(isinstance(i, ConstructedResponseItem) for i in f.items)
)


def written(form: Form) -> list[ConstructedResponseItem]:
    return [i for i in form.items if isinstance(i, ConstructedResponseItem)]


def rated(item: ConstructedResponseItem, level: int) -> ItemScore:
    """The final score of two raters who both gave every criterion ``level``."""
    levels = {c.id: level for c in item.criteria}
    return final_score(
        item, Rating(rater_id="r1", levels=levels), Rating(rater_id="r2", levels=levels)
    )


def score(
    content: ContentVersion,
    form: Form,
    right: set[str],
    text: str,
    ratings: dict[str, int] | None = None,
) -> AttemptScore:
    answers: dict[str, object] = {i.id: key_answer(i) for i in form.items if i.id in right}
    for item in written(form):
        answers[item.id] = text
    overrides = {
        item.id: rated(item, level)
        for item in written(form)
        for level in [(ratings or {}).get(item.id)]
        if level is not None
    }
    return score_attempt(content, form.id, answers, overrides=overrides)


def test_the_shipped_bank_has_written_answers_to_check() -> None:
    assert FORMS_WITH_WRITING


@pytest.mark.parametrize("form_id", FORMS_WITH_WRITING)
def test_a_strong_provisional_essay_cannot_carry_a_failing_attempt(form_id: str) -> None:
    form = CONTENT.forms[form_id]
    rest = [i.id for i in form.items if not isinstance(i, ConstructedResponseItem)]
    # The fewest right answers elsewhere with which full marks on the essays would pass.
    right: set[str] = set()
    for item_id in rest:
        if score(CONTENT, form, right, "", {i.id: 3 for i in written(form)}).passed:
            break
        right.add(item_id)
    zero = score(CONTENT, form, right, "", {i.id: 0 for i in written(form)})
    full = score(CONTENT, form, right, "", {i.id: 3 for i in written(form)})
    assert full.passed and not zero.passed  # the essays decide this attempt
    result = score(CONTENT, form, right, GOOD_REPLY)
    assert result.provisional
    assert result.awaiting_rating
    assert not result.passed
    assert not full.awaiting_rating and not zero.awaiting_rating  # final ratings decide


@settings(max_examples=60, deadline=None)
@given(form_id=st.sampled_from(FORMS_WITH_WRITING), data=st.data())
def test_pass_fail_never_depends_on_a_provisional_score(form_id: str, data: st.DataObject) -> None:
    form = CONTENT.forms[form_id]
    right = data.draw(st.sets(st.sampled_from([i.id for i in form.items])))
    texts = ["", GOOD_REPLY, GOOD_REPLY + " " + GOOD_REPLY, "ok thanks"]
    results = [score(CONTENT, form, right, text) for text in texts]
    zero = score(CONTENT, form, right, "", {i.id: 0 for i in written(form)})
    full = score(CONTENT, form, right, "", {i.id: 3 for i in written(form)})
    for result in results:
        if result.provisional:
            assert result.awaiting_rating == (zero.passed != full.passed)
        if result.passed:  # a pass stands even if the raters give the essays nothing
            assert zero.passed
        if result.provisional and not result.awaiting_rating:
            assert result.passed == zero.passed == full.passed
        pending = [s for s in result.item_scores if s.provisional]
        for c in result.competency_scores:
            assert 0 <= c.provisional_raw <= c.raw + 1e-9
            assert 0 <= c.provisional_max <= c.max
        assert sum(c.provisional_max for c in result.competency_scores) == pytest.approx(
            sum(s.max_points for s in pending)
        )
