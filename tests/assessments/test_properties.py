"""Properties every scorer must keep, over every item of the fixture tree."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from service.assessments.answers import InvalidAnswer, Mark, validate_answer
from service.assessments.content import load_content
from service.assessments.items import (
    ClassificationItem,
    CodeEntryItem,
    ConstructedResponseItem,
    DateItem,
    Item,
    MultipleChoiceItem,
    NumericItem,
    OrderingItem,
    RecordMatchingItem,
    SetSelectionItem,
    SingleChoiceItem,
    SpanMarkingItem,
)
from service.assessments.scorers import score_item
from tests.assessments.helpers import FIXTURE_ROOT, key_answer

CONTENT = load_content(FIXTURE_ROOT)
ITEMS = sorted(CONTENT.items.values(), key=lambda item: item.id)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def answers_for(item: Item) -> st.SearchStrategy[Any]:
    """Valid raw answers of the item's shape (not necessarily right)."""
    if isinstance(item, SingleChoiceItem):
        return st.sampled_from(sorted(item.option_ids))
    if isinstance(item, MultipleChoiceItem | SetSelectionItem):
        return st.lists(st.sampled_from(sorted(item.option_ids)), unique=True)
    if isinstance(item, CodeEntryItem):
        codes = [
            "E11.65",
            "E11.69",
            "E11.6",
            "I10",
            "J45.20",
            "E66.9",
            "X99",
            "E0114",
            "A4253",
            "E11",
        ]
        return st.lists(st.sampled_from([*codes, *item.key]), max_size=10)
    if isinstance(item, SpanMarkingItem):
        size = len(item.document)
        mark = st.tuples(st.integers(0, size - 1), st.integers(1, size)).filter(
            lambda m: m[0] < m[1]
        )
        return st.lists(mark.map(lambda m: {"start": m[0], "end": m[1]}), max_size=8)
    if isinstance(item, OrderingItem):
        return st.permutations(sorted(item.element_ids))
    if isinstance(item, RecordMatchingItem):
        ids = sorted(item.record_ids)
        return st.lists(st.integers(0, len(ids) - 1), min_size=len(ids), max_size=len(ids)).map(
            lambda groups: [
                [r for r, g in zip(ids, groups, strict=True) if g == n] for n in set(groups)
            ]
        )
    if isinstance(item, NumericItem):
        return st.floats(-1e6, 1e6) | st.just(item.key)
    if isinstance(item, DateItem):
        return st.dates().map(lambda d: d.isoformat())
    if isinstance(item, ClassificationItem):
        return st.dictionaries(
            st.sampled_from(sorted(item.entry_ids)), st.sampled_from(sorted(item.category_ids))
        )
    assert isinstance(item, ConstructedResponseItem)
    return st.text(st.characters(exclude_characters="\x00"), max_size=400) | st.just(
        key_answer(item)
    )


@st.composite
def item_and_answer(draw: st.DrawFn) -> tuple[Item, Any]:
    item = draw(st.sampled_from(ITEMS))
    return item, draw(answers_for(item))


@settings(max_examples=300)
@given(item_and_answer())
def test_scores_stay_within_zero_and_max(pair: tuple[Item, Any]) -> None:
    item, raw = pair
    result = score_item(item, validate_answer(item, raw), CONTENT.hcpcs_codes)
    assert 0.0 <= result.points <= result.max_points == item.points
    assert result.item_id == item.id


@settings(max_examples=300)
@given(st.sampled_from(ITEMS), json_values)
def test_arbitrary_input_is_rejected_or_scored_never_crashes(item: Item, raw: Any) -> None:
    try:
        answer = validate_answer(item, raw)
    except InvalidAnswer:
        return
    result = score_item(item, answer, CONTENT.hcpcs_codes)
    assert 0.0 <= result.points <= result.max_points


def test_every_key_earns_full_marks() -> None:
    for item in ITEMS:
        answer = validate_answer(item, key_answer(item))
        assert score_item(item, answer, CONTENT.hcpcs_codes).points == item.points, item.id


def _with_one_more_correct(item: Item, answer: Any, pick: int) -> Any:
    if isinstance(item, MultipleChoiceItem | SetSelectionItem):
        missing = sorted(set(item.key) - set(answer))
        return [*answer, missing[pick % len(missing)]] if missing else answer
    assert isinstance(item, SpanMarkingItem)
    gold = item.spans[pick % len(item.spans)]
    return [*answer, {"start": gold.start, "end": gold.end}]


MONOTONE = [
    i for i in ITEMS if isinstance(i, MultipleChoiceItem | SetSelectionItem | SpanMarkingItem)
]


@st.composite
def monotone_case(draw: st.DrawFn) -> tuple[Item, Any, int]:
    item = draw(st.sampled_from(MONOTONE))
    return item, draw(answers_for(item)), draw(st.integers(0, 10))


@settings(max_examples=300)
@given(monotone_case())
def test_adding_a_correct_element_never_lowers_the_score(case: tuple[Item, Any, int]) -> None:
    item, raw, pick = case
    before = score_item(item, validate_answer(item, raw)).points
    after = score_item(item, validate_answer(item, _with_one_more_correct(item, raw, pick))).points
    assert after >= before


def test_marks_are_hashable_and_ordered() -> None:
    assert sorted({Mark(5, 9), Mark(0, 3), Mark(5, 9)}) == [Mark(0, 3), Mark(5, 9)]
