"""Scorers other than code entry: rules, edge cases and feedback."""

from __future__ import annotations

import datetime as dt
import re
from typing import TypeVar

import msgspec
import pytest

from service.assessments.answers import Mark
from service.assessments.bank import ContentVersion
from service.assessments.items import (
    ConstructedResponseItem,
    DateItem,
    MultipleChoiceItem,
    NumericItem,
    OrderingItem,
    RecordMatchingItem,
    SetSelectionItem,
    SingleChoiceItem,
    SpanMarkingItem,
)
from service.assessments.readability import flesch_kincaid_grade, syllables
from service.assessments.scorers import (
    constructed_response,
    date,
    multiple_choice,
    numeric,
    ordering,
    record_matching,
    set_selection,
    single_choice,
    span_marking,
)
from service.assessments.scorers.ordering import kendall_tau
from tests.assessments.helpers import GOOD_REPLY

T = TypeVar("T")


def _item(content: ContentVersion, item_id: str, kind: type[T]) -> T:
    item = content.items[item_id]
    assert isinstance(item, kind)
    return item


def test_single_choice(content: ContentVersion) -> None:
    item = _item(content, "COD-A-03", SingleChoiceItem)
    assert single_choice.score(item, "b").points == 1.0
    assert single_choice.score(item, "a").points == 0.0
    assert single_choice.score(item, None).feedback == {"answered": False}


@pytest.mark.parametrize(
    ("rule", "answer", "share"),
    [
        ("hits_minus_false_alarms", ("a", "c", "d"), 1.0),
        ("hits_minus_false_alarms", ("a", "c"), 2 / 3),  # d missed
        ("hits_minus_false_alarms", ("a", "b", "c", "d"), 0.0),  # everything: 1 - 1
        ("hits_minus_false_alarms", ("a", "b", "c"), 0.0),  # 2/3 - 1, floored
        ("hits_minus_false_alarms", (), 0.0),  # blank
        ("hits_minus_false_alarms", ("b",), 0.0),
        ("all_or_nothing", ("a", "c"), 0.0),
        ("all_or_nothing", ("a", "b", "c", "d"), 0.0),
        ("all_or_nothing", ("a", "c", "d"), 1.0),
    ],
)
def test_multiple_choice_rules(
    content: ContentVersion, rule: str, answer: tuple[str, ...], share: float
) -> None:
    item = _item(content, "PRI-A-03", MultipleChoiceItem)  # key a, c, d of a-d
    item = msgspec.structs.replace(
        item, rubric=msgspec.structs.replace(item.rubric, partial_credit=rule)
    )
    assert multiple_choice.score(item, answer).points == pytest.approx(share, abs=1e-4)


def test_set_selection_costs_each_wrong_pick_the_false_alarm_rate(
    content: ContentVersion,
) -> None:
    item = _item(content, "SCN-A-04", SetSelectionItem)  # key a, c of a-d
    assert set_selection.score(item, ("a", "c")).points == 1.0
    assert set_selection.score(item, ("a",)).points == 0.5
    assert set_selection.score(item, ("a", "b")).points == 0.0  # 1/2 hits - 1/2 false alarms
    assert set_selection.score(item, ("b", "d")).points == 0.0
    three = set_selection.score(item, ("a", "c", "b"))
    assert three.points == pytest.approx(0.5, abs=1e-4)
    assert three.feedback["wrong"] == 1
    assert set_selection.score(item, ("a", "b", "c", "d")).points == 0.0
    assert set_selection.score(item, ()).points == 0.0


def test_numeric_tolerance(content: ContentVersion) -> None:
    item = _item(content, "SCN-A-02", NumericItem)  # key 75
    assert numeric.score(item, 75.0).points == 1.0
    assert numeric.score(item, 75.5).points == 0.0
    loose = msgspec.structs.replace(
        item, rubric=msgspec.structs.replace(item.rubric, tolerance=0.5)
    )
    assert numeric.score(loose, 75.5).points == 1.0
    assert numeric.score(loose, 74.4).points == 0.0


def test_date_tolerance(content: ContentVersion) -> None:
    item = _item(content, "PRI-A-02", DateItem)  # key 2026-04-10
    assert date.score(item, dt.date(2026, 4, 10)).points == 1.0
    late = date.score(item, dt.date(2026, 4, 11))
    assert late.points == 0.0
    assert late.feedback["days_off"] == 1
    loose = msgspec.structs.replace(
        item, rubric=msgspec.structs.replace(item.rubric, tolerance_days=1)
    )
    assert date.score(loose, dt.date(2026, 4, 9)).points == 1.0


def test_kendall_tau_extremes() -> None:
    assert kendall_tau([0, 1, 2, 3]) == 1.0
    assert kendall_tau([3, 2, 1, 0]) == -1.0
    assert kendall_tau([1, 0, 2, 3]) == pytest.approx(4 / 6, abs=1e-4)
    assert kendall_tau([0]) == 1.0


def test_ordering_with_deadlines(content: ContentVersion) -> None:
    item = _item(content, "SCN-A-01", OrderingItem)  # t1 within 1, t2 within 2; 2 points
    assert ordering.score(item, ("t1", "t2", "t3", "t4")).points == 2.0
    swapped_free = ordering.score(item, ("t1", "t2", "t4", "t3"))
    assert swapped_free.points == pytest.approx(2.0 * 4 / 6, abs=1e-4)
    assert swapped_free.feedback["late"] == []
    late = ordering.score(item, ("t2", "t1", "t3", "t4"))  # t1 placed 2nd, due 1st
    assert late.feedback["late"] == ["t1"]
    assert late.points == pytest.approx(2.0 * (4 / 6 - 0.5), abs=1e-4)
    both_late = ordering.score(item, ("t3", "t4", "t1", "t2"))
    assert sorted(both_late.feedback["late"]) == ["t1", "t2"]
    assert both_late.points == 0.0
    one_late = ordering.score(item, ("t1", "t3", "t2", "t4"))
    assert one_late.points == pytest.approx(2.0 * (4 / 6 - 0.5), abs=1e-4)


def test_record_matching_false_merges_cost_more(content: ContentVersion) -> None:
    item = _item(content, "SCN-A-03", RecordMatchingItem)  # key r1+r3
    assert record_matching.score(item, (("r1", "r3"), ("r2",), ("r4",))).points == 1.0
    missed = record_matching.score(item, (("r1",), ("r2",), ("r3",), ("r4",)))
    assert missed.points == 0.0
    over = record_matching.score(item, (("r1", "r2", "r3"), ("r4",)))  # 1 true, 2 false pairs
    assert over.points == pytest.approx(1 / (1 + 2 * 2), abs=1e-4)
    assert over.feedback["false_merges"] == 2
    assert over.feedback["recall"] == 1.0


def test_record_matching_with_no_duplicates_in_key(content: ContentVersion) -> None:
    item = _item(content, "SCN-A-03", RecordMatchingItem)
    distinct = msgspec.structs.replace(item, key=(("r1",), ("r2",), ("r3",), ("r4",)))
    assert record_matching.score(distinct, (("r1",), ("r2",), ("r3",), ("r4",))).points == 1.0
    assert record_matching.score(distinct, (("r1", "r3"), ("r2",), ("r4",))).points == 0.0


def _marks(item: SpanMarkingItem, *texts: str) -> tuple[Mark, ...]:
    return tuple(Mark(item.document.index(t), item.document.index(t) + len(t)) for t in texts)


def test_span_marking_recall_minus_extra_marks(content: ContentVersion) -> None:
    item = _item(content, "PRI-A-01", SpanMarkingItem)  # name x2, phone; 2 points
    gold = tuple(Mark(s.start, s.end) for s in item.spans)
    assert span_marking.score(item, gold).points == 2.0
    partial = span_marking.score(item, gold[:1])  # recall 1/3, no extra marks
    assert partial.points == pytest.approx(2.0 / 3, abs=1e-4)
    assert partial.feedback["missed_labels"] == ["name", "phone"]
    extra = span_marking.score(item, (*gold, *_marks(item, "records")))
    assert extra.feedback["precision"] == 0.75
    assert extra.feedback["extra_marks"] == 1
    assert extra.points == pytest.approx(2.0 * (1 - 0.5 / 3), abs=1e-4)
    # one mark per word of the document: every identifier found, but far more cost
    words = tuple(Mark(m.start(), m.end()) for m in re.finditer(r"\S+", item.document))
    assert span_marking.score(item, words).points == 0.0


def test_span_marking_overlap_tolerance_and_whole_document(content: ContentVersion) -> None:
    item = _item(content, "PRI-A-01", SpanMarkingItem)
    name = item.spans[0]
    surname_only = Mark(name.start + 6, name.end)  # "Lopez": 5 of 11 characters
    assert span_marking.score(item, (surname_only,)).feedback["recall"] == 0.0
    most = Mark(name.start, name.end - 2)
    assert span_marking.score(item, (most,)).feedback["recall"] == pytest.approx(1 / 3, abs=1e-4)
    whole = Mark(0, len(item.document))
    assert span_marking.score(item, (whole,)).points == 0.0
    assert span_marking.score(item, ()).points == 0.0


def test_readability_counts_syllables_offline() -> None:
    assert syllables("patient") == 2
    assert syllables("identification") >= 5
    assert flesch_kincaid_grade("") == 0.0
    simple = flesch_kincaid_grade("We got your note. We will send it soon.")
    dense = flesch_kincaid_grade(
        "Notwithstanding organizational documentation requirements, authorization "
        "verification necessitates comprehensive identification procedures."
    )
    assert simple < 3 < 12 < dense


def test_constructed_response_strong_reply(content: ContentVersion) -> None:
    item = _item(content, "COM-A-01", ConstructedResponseItem)
    result = constructed_response.score(item, GOOD_REPLY)
    assert result.provisional is True
    assert result.points == 6.0
    levels = {c["criterion"]: c["level"] for c in result.feedback["criteria"]}
    assert levels == {"content": 3, "clarity": 3}


def test_constructed_response_missing_elements_and_forbidden_content(
    content: ContentVersion,
) -> None:
    item = _item(content, "COM-A-01", ConstructedResponseItem)
    no_fee = GOOD_REPLY.replace("A small, cost-based fee covers paper copies. ", "")
    result = constructed_response.score(item, no_fee)
    content_level = result.feedback["criteria"][0]
    assert content_level["level"] == 2
    assert content_level["missing"] == ["Mentions a reasonable, cost-based fee"]
    leaked = constructed_response.score(
        item, GOOD_REPLY + " The other patient, MRN 4411, also asked."
    )
    assert leaked.feedback["criteria"][0]["level"] == 0
    assert leaked.feedback["criteria"][0]["forbidden"] == [
        "Discloses another patient's information"
    ]


def test_constructed_response_length_and_empty(content: ContentVersion) -> None:
    item = _item(content, "COM-A-01", ConstructedResponseItem)
    short = constructed_response.score(item, "Within 30 days. Bring photo ID. Fee applies.")
    assert short.feedback["length_ok"] is False
    assert max(c["level"] for c in short.feedback["criteria"]) <= 2
    empty = constructed_response.score(item, "   ")
    assert empty.points == 0.0
    assert empty.provisional is True
