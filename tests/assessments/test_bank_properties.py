"""The scoring rules issue 9 asks for, as properties over every item of the shipped bank.

Each test is parametrized by item id, so every shipped item of the type is exercised (not
a sample of items); hypothesis draws the answers.
"""

from __future__ import annotations

import itertools
import re
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.assessments.answers import InvalidAnswer, validate_answer
from service.assessments.content import load_content
from service.assessments.exemplars import score_exemplars
from service.assessments.items import (
    ClassificationItem,
    CodeEntryItem,
    ConstructedResponseItem,
    Item,
    MultipleChoiceItem,
    OrderingItem,
    RecordMatchingItem,
    SetSelectionItem,
    SpanMarkingItem,
)
from service.assessments.scorers import score_item

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import simple_icd_10_cm as icd

BANK = load_content()
ITEMS = sorted(BANK.items.values(), key=lambda item: item.id)
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


def _ids(kind: type | tuple[type, ...]) -> list[str]:
    return [item.id for item in ITEMS if isinstance(item, kind)]


def _points(item: Item, raw: object) -> float:
    return score_item(item, validate_answer(item, raw), BANK.hcpcs_codes).points


# ---------------------------------------------------------------- code entry


def _family(code: str) -> list[str]:
    """The key code's parent and every code under that parent: siblings that differ in side
    or 7th character, and the non-billable parent itself."""
    parent = icd.get_parent(code)
    return [parent, *icd.get_descendants(parent)] if parent else []


ICD_POOL = sorted({
    related
    for item in ITEMS if isinstance(item, CodeEntryItem) and item.system == "icd10cm"
    for key in item.key for related in (key, *_family(key))
} | {"E11.655", "X99", "Z00.00", "R51.9"})  # fmt: skip
HCPCS_POOL = sorted(BANK.hcpcs_codes | {"E9999", "ZZ"})
CODE_ITEMS = _ids(CodeEntryItem)
ICD_ITEMS = [i for i in CODE_ITEMS if BANK.items[i].system == "icd10cm"]  # type: ignore[union-attr]


def _pool(item: CodeEntryItem) -> list[str]:
    return ICD_POOL if item.system == "icd10cm" else HCPCS_POOL


@st.composite
def full_credit_answers(draw: st.DrawFn, item: CodeEntryItem) -> list[str]:
    """The key in any order that keeps full credit (first-listed first when sequenced)."""
    if item.sequenced:
        return [item.key[0], *draw(st.permutations(list(item.key[1:])))]
    return list(draw(st.permutations(list(item.key))))


@pytest.mark.parametrize("item_id", CODE_ITEMS)
@PROPERTY
@given(data=st.data())
def test_adding_any_code_to_a_full_credit_answer_lowers_the_score(
    item_id: str, data: st.DataObject
) -> None:
    item = BANK.items[item_id]
    assert isinstance(item, CodeEntryItem)
    full = data.draw(full_credit_answers(item))
    assert _points(item, full) == item.points
    extra = data.draw(st.sampled_from(_pool(item)).filter(lambda code: code not in item.key))
    at = data.draw(st.integers(0, len(full)))
    assert _points(item, [*full[:at], extra, *full[at:]]) < item.points


@pytest.mark.parametrize("item_id", CODE_ITEMS)
@PROPERTY
@given(data=st.data())
def test_no_answer_longer_than_the_key_scores_full_marks(item_id: str, data: st.DataObject) -> None:
    item = BANK.items[item_id]
    assert isinstance(item, CodeEntryItem)
    codes = data.draw(
        st.lists(
            st.sampled_from(sorted({*item.key, *_pool(item)})),
            min_size=len(item.key) + 1,
            max_size=10,
            unique=True,
        )
    )
    assert _points(item, codes) < item.points


@pytest.mark.parametrize("item_id", ICD_ITEMS)
@PROPERTY
@given(data=st.data())
def test_wrong_side_seventh_character_or_category_earns_nothing_unless_named(
    item_id: str, data: st.DataObject
) -> None:
    """Put a relative of a key code (same parent: another side or 7th character; or the
    non-billable parent) in its place: it earns nothing unless the rubric names it."""
    item = BANK.items[item_id]
    assert isinstance(item, CodeEntryItem)
    position = data.draw(st.integers(0, len(item.key) - 1))
    key_code = item.key[position]
    relatives = [c for c in _family(key_code) if c not in item.key]
    if not relatives:
        return
    relative = data.draw(st.sampled_from(relatives))
    without = [c for c in item.key if c != key_code]
    with_relative = [*item.key[:position], relative, *item.key[position + 1 :]]
    if (relative, key_code) in item.near_miss_credit:
        assert _points(item, with_relative) > _points(item, without)
    else:
        assert _points(item, with_relative) <= _points(item, without)


# ---------------------------------------------------------------- blanks


def _blank_answers(item: Item) -> list[object]:
    """Every way of answering nothing: null, empty values, and what an untouched widget sends
    (ordering: the elements as listed; record matching: every record on its own)."""
    blanks: list[object] = [None, [], "", "   ", {}]
    if isinstance(item, OrderingItem):
        blanks.append([e.id for e in item.elements])
    if isinstance(item, RecordMatchingItem):
        blanks.append([[r.id] for r in item.records])
    return blanks


@pytest.mark.parametrize("item_id", [item.id for item in ITEMS])
def test_a_blank_answer_earns_nothing(item_id: str) -> None:
    item = BANK.items[item_id]
    scored = 0
    for blank in _blank_answers(item):
        try:
            answer = validate_answer(item, blank)
        except InvalidAnswer:
            continue  # the item refuses that shape, so the browser cannot send it
        assert score_item(item, answer, BANK.hcpcs_codes).points == 0.0, blank
        scored += 1
    assert scored >= 1  # null at least is always a valid blank


# ---------------------------------------------------------------- select all that apply

SELECTION_ITEMS = _ids((MultipleChoiceItem, SetSelectionItem))


@pytest.mark.parametrize("item_id", SELECTION_ITEMS)
def test_choosing_every_option_never_beats_a_coin_flip(item_id: str) -> None:
    """The expected score of choosing each option on a coin flip, computed exactly."""
    item = BANK.items[item_id]
    assert isinstance(item, MultipleChoiceItem | SetSelectionItem)
    options = sorted(item.option_ids)
    subsets = [
        [o for o, chosen in zip(options, flips, strict=True) if chosen]
        for flips in itertools.product((False, True), repeat=len(options))
    ]
    coin_flip = sum(_points(item, subset) for subset in subsets) / len(subsets)
    assert _points(item, options) <= coin_flip
    assert coin_flip < item.points


@pytest.mark.parametrize("item_id", SELECTION_ITEMS)
@PROPERTY
@given(data=st.data())
def test_choosing_one_more_wrong_option_never_raises_the_score(
    item_id: str, data: st.DataObject
) -> None:
    item = BANK.items[item_id]
    assert isinstance(item, MultipleChoiceItem | SetSelectionItem)
    chosen = data.draw(st.lists(st.sampled_from(sorted(item.option_ids)), unique=True))
    wrong = sorted(item.option_ids - item.key_set - set(chosen))
    if not wrong:
        return
    added = data.draw(st.sampled_from(wrong))
    assert _points(item, [*chosen, added]) <= _points(item, chosen)
    assert _points(item, [*item.key, added]) < item.points


@pytest.mark.parametrize("item_id", _ids(ClassificationItem))
def test_one_category_for_every_entry_earns_nothing(item_id: str) -> None:
    item = BANK.items[item_id]
    assert isinstance(item, ClassificationItem)
    for category in sorted(item.category_ids):
        assert _points(item, dict.fromkeys(item.key, category)) == 0.0


# ---------------------------------------------------------------- span marking


def _word_marks(item: SpanMarkingItem) -> list[dict[str, int]]:
    return [{"start": m.start(), "end": m.end()} for m in re.finditer(r"\S+", item.document)]


@pytest.mark.parametrize("item_id", _ids(SpanMarkingItem))
def test_marking_every_word_earns_nothing(item_id: str) -> None:
    item = BANK.items[item_id]
    assert isinstance(item, SpanMarkingItem)
    assert _points(item, _word_marks(item)) == 0.0


@pytest.mark.parametrize("item_id", _ids(SpanMarkingItem))
@PROPERTY
@given(data=st.data())
def test_marking_one_more_non_identifier_lowers_a_full_answer(
    item_id: str, data: st.DataObject
) -> None:
    item = BANK.items[item_id]
    assert isinstance(item, SpanMarkingItem)
    gold = [{"start": s.start, "end": s.end} for s in item.spans]
    outside = [
        m
        for m in _word_marks(item)
        if all(m["end"] <= s.start or m["start"] >= s.end for s in item.spans)
    ]
    extra = data.draw(st.sampled_from(outside))
    assert _points(item, [*gold, extra]) < item.points


# ---------------------------------------------------------------- constructed responses

CONSTRUCTED = [item for item in ITEMS if isinstance(item, ConstructedResponseItem)]


@pytest.mark.parametrize("item_id", [item.id for item in CONSTRUCTED])
def test_every_exemplar_scores_as_stated(item_id: str) -> None:
    item = BANK.items[item_id]
    assert isinstance(item, ConstructedResponseItem)
    assert len(item.exemplars) >= 6
    assert [r.exemplar_id for r in score_exemplars(item) if not r.agrees] == []


@pytest.mark.parametrize(
    ("item_id", "other_id"),
    [(a.id, b.id) for a, b in itertools.permutations(CONSTRUCTED, 2)],
)
def test_a_reply_written_for_another_prompt_never_earns_full_marks(
    item_id: str, other_id: str
) -> None:
    """Screening requires each prompt's own facts: every model answer to another item, scored
    on this item, falls short of full marks."""
    item, other = BANK.items[item_id], BANK.items[other_id]
    assert isinstance(other, ConstructedResponseItem)
    for exemplar in other.exemplars:
        if exemplar.kind == "model":
            assert _points(item, exemplar.text) < item.points, exemplar.id


def _model(item_id: str) -> str:
    item = BANK.items[item_id]
    assert isinstance(item, ConstructedResponseItem)
    return next(e.text for e in item.exemplars if e.kind == "model")


@pytest.mark.parametrize(
    ("item_id", "harmless"),
    [
        ("COM-B-14", "I have appended the request form for Sofia."),
        ("COM-A-14", "Your visit with Dr. Brooks is about two months away, so there is time."),
        ("COM-B-14", "Your visit is about two months away, so there is time."),
        ("COM-B-14", "Your diabetes care team can explain it."),
        ("COM-B-14", "We will not make you wait anything like two months."),
    ],
)
def test_harmless_phrases_that_fired_rules_no_longer_cost_marks(
    item_id: str, harmless: str
) -> None:
    item = BANK.items[item_id]
    model = _model(item_id)
    reply = model.replace("\n\nSincerely,", f" {harmless}\n\nSincerely,")
    assert reply != model
    assert _points(item, reply) == item.points
