"""Answer validation: canonical shapes, and InvalidAnswer naming the field for bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from service.assessments.answers import InvalidAnswer, Mark, validate_answer
from service.assessments.bank import ContentVersion


@pytest.mark.parametrize(
    ("item_id", "raw", "expected"),
    [
        ("COD-A-03", "b", "b"),
        ("PRI-A-03", ["d", "a"], ("a", "d")),
        ("SCN-A-04", [], ()),
        ("COD-A-01", ["e1165", " i10", "E11.65", ""], ("E11.65", "I10")),
        ("COD-A-01", "e1165", ("E11.65",)),
        ("PRI-A-01", [{"start": 8, "end": 19}, {"start": 0, "end": 7}], (Mark(0, 7), Mark(8, 19))),
        ("SCN-A-01", ["t2", "t1", "t3", "t4"], ("t2", "t1", "t3", "t4")),
        ("SCN-A-03", [["r3", "r1"]], (("r1", "r3"), ("r2",), ("r4",))),
        ("SCN-A-02", 75, 75.0),
        ("SCN-A-02", " 1,250.50 ", 1250.5),
        ("SCN-A-02", "$75", 75.0),
        ("PRI-A-02", "2026-04-10", dt.date(2026, 4, 10)),
        ("COM-A-01", "Dear Ms. Rivera", "Dear Ms. Rivera"),
        ("COM-A-01", None, None),
    ],
)
def test_valid_answers_are_canonicalised(
    content: ContentVersion, item_id: str, raw: object, expected: object
) -> None:
    item = content.items[item_id]
    canonical = validate_answer(item, raw)
    assert canonical == expected
    assert validate_answer(item, canonical) == canonical  # idempotent


@pytest.mark.parametrize(
    ("item_id", "raw", "field", "message"),
    [
        ("COD-A-03", "z", "answer", "unknown option"),
        ("COD-A-03", 1, "answer", "must be a string"),
        ("COD-A-03", "a" * 65, "answer", "longer than 64"),
        ("PRI-A-03", ["a", "a"], "answer", "twice"),
        ("PRI-A-03", ["a", "q"], "answer[1]", "unknown option"),
        ("PRI-A-03", "a", "answer", "must be a list"),
        ("PRI-A-03", ["a", "b", "c", "d", "a"], "answer", "more than 4"),
        ("COD-A-01", ["A00.0"] * 11, "answer", "more than 10"),
        ("COD-A-01", ["E11.65\x00"], "answer[0]", "NUL"),
        ("COD-A-01", ["E" * 17], "answer[0]", "longer than 16"),
        ("PRI-A-01", [{"start": 5, "end": 5}], "answer[0]", "start < end"),
        ("PRI-A-01", [{"start": 0, "end": 10_000}], "answer[0]", "start < end"),
        ("PRI-A-01", [{"start": 0}], "answer[0]", "must be"),
        ("PRI-A-01", [{"start": "0", "end": 3}], "answer[0]", "integers"),
        ("PRI-A-01", [{"start": True, "end": 3}], "answer[0]", "integers"),
        ("SCN-A-01", ["t1", "t2", "t3"], "answer", "every element id exactly once"),
        ("SCN-A-01", ["t1", "t1", "t2", "t3"], "answer", "every element id exactly once"),
        ("SCN-A-03", [["r1"], ["r1", "r2"]], "answer[1]", "two clusters"),
        ("SCN-A-03", [["r9"]], "answer[0]", "unknown record"),
        ("SCN-A-03", ["r1"], "answer[0]", "must be a list"),
        ("SCN-A-02", True, "answer", "must be a number"),
        ("SCN-A-02", "seventy", "answer", "must be a number"),
        ("SCN-A-02", float("nan"), "answer", "finite"),
        ("SCN-A-02", "1e999", "answer", "must be a number"),
        ("PRI-A-02", "2026-02-30", "answer", "YYYY-MM-DD"),
        ("PRI-A-02", "10/04/2026", "answer", "YYYY-MM-DD"),
        ("PRI-A-02", 20260410, "answer", "must be a string"),
        ("COM-A-01", "x" * 20_001, "answer", "longer than 20000"),
        ("COM-A-01", ["text"], "answer", "must be a string"),
    ],
)
def test_bad_answers_raise_invalid_answer_naming_the_field(
    content: ContentVersion, item_id: str, raw: object, field: str, message: str
) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        validate_answer(content.items[item_id], raw)
    assert caught.value.field == field
    assert message in caught.value.message
