"""Classification (indexing documents by type): validation and the per-category rule."""

from __future__ import annotations

import itertools

import pytest

from service.assessments.answers import InvalidAnswer, validate_answer
from service.assessments.bank import ContentVersion
from service.assessments.items import ClassificationItem
from service.assessments.scorers import classification
from service.assessments.scorers.selection import classification_share


@pytest.fixture(scope="module")
def item(content: ContentVersion) -> ClassificationItem:
    """Key p1 lab, p2 consent, p3 lab, p4 note; categories lab, consent, note; 2 points."""
    found = content.items["ROP-A-01"]
    assert isinstance(found, ClassificationItem)
    return found


def test_answers_are_canonical_sorted_mappings(item: ClassificationItem) -> None:
    answer = validate_answer(item, {"p3": "lab", "p1": "note"})
    assert answer == {"p1": "note", "p3": "lab"}
    assert list(answer) == ["p1", "p3"]  # type: ignore[call-overload]
    assert validate_answer(item, answer) == answer
    assert validate_answer(item, {}) == {}
    assert validate_answer(item, None) is None


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        (["p1", "lab"], "answer", "must be an object"),
        ({"p9": "lab"}, "answer['p9']", "unknown entry"),
        ({"p1": "memo"}, "answer['p1']", "unknown category"),
        ({"p1": 3}, "answer['p1']", "must be a string"),
    ],
)
def test_bad_answers_name_the_entry(
    item: ClassificationItem, raw: object, field: str, message: str
) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        validate_answer(item, raw)
    assert caught.value.field == field
    assert message in caught.value.message


def test_key_earns_full_marks_and_one_mistake_costs_both_categories(
    item: ClassificationItem,
) -> None:
    assert classification.score(item, dict(item.key)).points == 2.0
    # p3 (lab) put under note: lab hit rate 1/2; note false-alarm rate 1/3; consent perfect.
    one_wrong = classification.score(item, {**item.key, "p3": "note"})
    expected = ((1 / 2 - 0) + 1 + (1 - 1 / 3)) / 3
    assert one_wrong.points == pytest.approx(2.0 * expected, abs=1e-4)
    assert one_wrong.feedback["misplaced"] == ["p3"]
    assert one_wrong.feedback["wrong"] == 1


def test_blank_and_one_category_for_everything_earn_nothing(item: ClassificationItem) -> None:
    assert classification.score(item, None).points == 0.0
    assert classification.score(item, {}).points == 0.0
    for category in item.category_ids:
        everything = dict.fromkeys(item.key, category)
        assert classification.score(item, everything).points == 0.0


def test_leaving_an_entry_out_is_a_miss_not_a_false_alarm(item: ClassificationItem) -> None:
    partial = {e: c for e, c in item.key.items() if e != "p4"}
    result = classification.score(item, partial)
    assert result.feedback["unclassified"] == 1
    assert result.points == pytest.approx(2.0 * (1 + 1 + 0) / 3, abs=1e-4)


def test_all_or_nothing_rule() -> None:
    key = {"a": "x", "b": "y"}
    assert classification_share("all_or_nothing", key, key) == 1.0
    assert classification_share("all_or_nothing", {"a": "x"}, key) == 0.0


def test_no_constant_answer_beats_uniform_random_guessing(item: ClassificationItem) -> None:
    """The expected share of classifying every entry at random (uniformly, all categories)."""
    categories = sorted(item.category_ids)
    entries = sorted(item.key)
    shares = [
        classification_share("hits_minus_false_alarms", dict(zip(entries, guess, strict=True)),
                             item.key)
        for guess in itertools.product(categories, repeat=len(entries))
    ]  # fmt: skip
    expected_random = sum(shares) / len(shares)
    assert expected_random > 0
    for category in categories:
        constant = classification_share(
            "hits_minus_false_alarms", dict.fromkeys(entries, category), item.key
        )
        assert constant <= expected_random
