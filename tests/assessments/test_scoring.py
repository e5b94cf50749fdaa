"""Scoring whole attempts on the fixture forms."""

from __future__ import annotations

import msgspec
import pytest

from service.assessments.bank import ContentVersion
from service.assessments.items import ConstructedResponseItem
from service.assessments.scaling import mean_equating
from service.assessments.scores import AttemptScore
from service.assessments.scoring import score_attempt
from tests.assessments.helpers import key_answer, top_rating


def _key_answers(content: ContentVersion, form_id: str) -> dict[str, object]:
    return {item.id: key_answer(item) for item in content.forms[form_id].items}


@pytest.mark.parametrize(
    "form_id",
    ["coding-a", "coding-b", "privacy-a", "privacy-b", "communication-a", "communication-b",
     "scenarios-a", "scenarios-b"],
)  # fmt: skip
def test_the_key_scores_full_marks_and_passes(content: ContentVersion, form_id: str) -> None:
    rated = {
        item.id: top_rating(item)
        for item in content.forms[form_id].items
        if isinstance(item, ConstructedResponseItem)
    }  # written answers rated by two
    result = score_attempt(content, form_id, _key_answers(content, form_id), overrides=rated)
    assert result.raw_total == result.max_total == content.forms[form_id].max_points
    assert result.passed
    assert result.scaled_score == 400
    assert result.content_version == content.version_id
    assert all(c.percent == 100.0 for c in result.competency_scores)


def test_no_answers_score_zero_and_fail(content: ContentVersion) -> None:
    result = score_attempt(content, "coding-a", {})
    assert result.raw_total == 0.0
    assert result.scaled_score == 100
    assert not result.passed
    assert all(s.feedback == {"answered": False} for s in result.item_scores)


def test_competency_and_section_scores_add_up(content: ContentVersion) -> None:
    answers = _key_answers(content, "coding-a") | {"COD-A-03": "a", "COD-A-01": ["I10", "E11.65"]}
    result = score_attempt(content, "coding-a", answers)
    by_competency = {c.competency_id: c for c in result.competency_scores}
    assert by_competency["terminology"].raw == 0.0
    assert by_competency["coding"].raw == pytest.approx(1.6 + 1.0)
    assert by_competency["coding"].max == 3.0
    assert by_competency["coding"].percent == pytest.approx(86.7)
    assert sum(s.raw for s in result.section_scores) == pytest.approx(result.raw_total)
    assert {s.section_id for s in result.section_scores} == {"icd", "hcpcs", "terms"}
    assert result.raw_total == pytest.approx(2.6)
    assert result.passed is (content.forms["coding-a"].raw_cut <= 2.6)


def test_invalid_stored_answers_score_zero_with_the_reason(content: ContentVersion) -> None:
    answers = _key_answers(content, "coding-a") | {"COD-A-03": "zz"}
    result = score_attempt(content, "coding-a", answers)
    bad = next(s for s in result.item_scores if s.item_id == "COD-A-03")
    assert bad.points == 0.0
    assert bad.feedback["invalid"]["field"] == "answer"


def test_constructed_responses_keep_the_attempt_provisional_until_rated(
    content: ContentVersion,
) -> None:
    answers = _key_answers(content, "communication-a")
    assert score_attempt(content, "communication-a", answers).provisional
    item = content.items["COM-A-01"]
    assert isinstance(item, ConstructedResponseItem)
    rated = score_attempt(
        content, "communication-a", answers, overrides={item.id: top_rating(item)}
    )
    assert not rated.provisional
    assert rated.raw_total == rated.max_total


def test_equating_maps_onto_the_reference_form(content: ContentVersion) -> None:
    answers = {"SCN-B-02": 75, "SCN-B-04": ["a", "c"]}  # 2 of 5 raw on form b
    plain = score_attempt(content, "scenarios-b", answers)
    equated = score_attempt(
        content,
        "scenarios-b",
        answers,
        equating=mean_equating(2.0, 3.5),
        reference_form_id="scenarios-a",
    )
    assert plain.raw_total == equated.raw_total == 2.0
    assert equated.equated_raw == 3.5
    assert equated.passed and not plain.passed
    assert equated.raw_cut == pytest.approx(content.forms["scenarios-a"].raw_cut)


def test_attempt_scores_encode_to_json(content: ContentVersion) -> None:
    result = score_attempt(content, "privacy-a", _key_answers(content, "privacy-a"))
    decoded = msgspec.json.decode(msgspec.json.encode(result), type=AttemptScore)
    assert decoded.raw_total == result.raw_total
    assert decoded.item_scores[0].feedback == result.item_scores[0].feedback
