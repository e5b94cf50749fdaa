"""Validate and canonicalise a candidate's answer before it is saved or scored.

``validate_answer(item, raw)`` accepts what the browser sends (JSON-decoded) or an answer it
returned earlier, and returns the canonical answer the scorers take; it raises InvalidAnswer
for wrong shapes, unknown ids and oversized input. ``None`` means "not answered" and is
returned unchanged. No scorer crashes on a validated answer.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

import msgspec

from service.assessments.codes import normalise_code
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

MAX_TEXT_CHARS = 20_000
MAX_CODES = 10
MAX_CODE_CHARS = 16
MAX_ID_CHARS = 64
MAX_MARKS = 200
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class InvalidAnswer(ValueError):
    """An answer the item cannot accept; ``field`` names the part at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Mark(msgspec.Struct, frozen=True, order=True):
    """A marked span: character offsets into the item's document, end exclusive."""

    start: int
    end: int


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidAnswer(field, "must be a string")
    if len(value) > limit:
        raise InvalidAnswer(field, f"is longer than {limit} characters")
    if "\x00" in value:
        raise InvalidAnswer(field, "contains a NUL character")
    return value


def _list(value: object, field: str, limit: int) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise InvalidAnswer(field, "must be a list")
    if len(value) > limit:
        raise InvalidAnswer(field, f"has more than {limit} entries")
    return list(value)


def _choices(item: MultipleChoiceItem | SetSelectionItem, raw: object) -> tuple[str, ...]:
    chosen = _list(raw, "answer", len(item.options))
    ids = [_text(value, f"answer[{i}]", MAX_ID_CHARS) for i, value in enumerate(chosen)]
    for i, option_id in enumerate(ids):
        if option_id not in item.option_ids:
            raise InvalidAnswer(f"answer[{i}]", f"unknown option {option_id!r}")
    if len(set(ids)) != len(ids):
        raise InvalidAnswer("answer", "lists an option twice")
    return tuple(sorted(ids))


def _single(item: SingleChoiceItem, raw: object) -> str:
    option_id = _text(raw, "answer", MAX_ID_CHARS)
    if option_id not in item.option_ids:
        raise InvalidAnswer("answer", f"unknown option {option_id!r}")
    return option_id


def _codes(item: CodeEntryItem, raw: object) -> tuple[str, ...]:
    entries = [raw] if isinstance(raw, str) else _list(raw, "answer", MAX_CODES)
    codes: list[str] = []
    for i, entry in enumerate(entries):
        code = normalise_code(_text(entry, f"answer[{i}]", MAX_CODE_CHARS), item.system)
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


def _marks(item: SpanMarkingItem, raw: object) -> tuple[Mark, ...]:
    marks: set[Mark] = set()
    for i, entry in enumerate(_list(raw, "answer", MAX_MARKS)):
        field = f"answer[{i}]"
        if isinstance(entry, Mark):
            start, end = entry.start, entry.end
        elif isinstance(entry, dict) and set(entry) == {"start", "end"}:
            start, end = entry["start"], entry["end"]
        else:
            raise InvalidAnswer(field, 'must be {"start": int, "end": int}')
        if type(start) is not int or type(end) is not int:
            raise InvalidAnswer(field, "start and end must be integers")
        if not 0 <= start < end <= len(item.document):
            raise InvalidAnswer(field, f"needs 0 <= start < end <= {len(item.document)}")
        marks.add(Mark(start, end))
    return tuple(sorted(marks))


def _order(item: OrderingItem, raw: object) -> tuple[str, ...]:
    order = _list(raw, "answer", len(item.elements))
    ids = [_text(value, f"answer[{i}]", MAX_ID_CHARS) for i, value in enumerate(order)]
    if sorted(ids) != sorted(item.element_ids):
        raise InvalidAnswer("answer", "must list every element id exactly once")
    return tuple(ids)


def _clusters(item: RecordMatchingItem, raw: object) -> tuple[tuple[str, ...], ...]:
    seen: set[str] = set()
    clusters: list[tuple[str, ...]] = []
    for i, cluster in enumerate(_list(raw, "answer", len(item.records))):
        members = _list(cluster, f"answer[{i}]", len(item.records))
        ids = [_text(v, f"answer[{i}][{j}]", MAX_ID_CHARS) for j, v in enumerate(members)]
        for record_id in ids:
            if record_id not in item.record_ids:
                raise InvalidAnswer(f"answer[{i}]", f"unknown record {record_id!r}")
            if record_id in seen:
                raise InvalidAnswer(f"answer[{i}]", f"record {record_id!r} is in two clusters")
            seen.add(record_id)
        if ids:
            clusters.append(tuple(sorted(ids)))
    # Records the candidate left ungrouped stand alone.
    clusters += [(record_id,) for record_id in item.record_ids - seen]
    return tuple(sorted(clusters))


def _number(_item: NumericItem, raw: object) -> float:
    if isinstance(raw, bool):
        raise InvalidAnswer("answer", "must be a number")
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = _text(raw, "answer", 64).strip().replace(",", "").removeprefix("$")
        if not _NUMBER.match(text):
            raise InvalidAnswer("answer", "must be a number")
        value = float(text)
    if not math.isfinite(value):
        raise InvalidAnswer("answer", "must be a finite number")
    return value


def _date(_item: DateItem, raw: object) -> dt.date:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    text = _text(raw, "answer", 32).strip()
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else _bad_date()
    except ValueError:
        return _bad_date()


def _bad_date() -> dt.date:
    raise InvalidAnswer("answer", "must be a date written YYYY-MM-DD")


def _classes(item: ClassificationItem, raw: object) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise InvalidAnswer("answer", "must be an object mapping entry ids to category ids")
    if len(raw) > len(item.entries):
        raise InvalidAnswer("answer", f"has more than {len(item.entries)} entries")
    placed: dict[str, str] = {}
    for entry_id, category_id in raw.items():
        field = f"answer[{entry_id!r}]"
        if not isinstance(entry_id, str) or entry_id not in item.entry_ids:
            raise InvalidAnswer(field, f"unknown entry {entry_id!r}")
        category = _text(category_id, field, MAX_ID_CHARS)
        if category not in item.category_ids:
            raise InvalidAnswer(field, f"unknown category {category!r}")
        placed[entry_id] = category
    return dict(sorted(placed.items()))


def _response(_item: ConstructedResponseItem, raw: object) -> str:
    return _text(raw, "answer", MAX_TEXT_CHARS)


_VALIDATORS: dict[type, Callable[[Any, object], object]] = {
    SingleChoiceItem: _single,
    MultipleChoiceItem: _choices,
    SetSelectionItem: _choices,
    CodeEntryItem: _codes,
    SpanMarkingItem: _marks,
    OrderingItem: _order,
    RecordMatchingItem: _clusters,
    NumericItem: _number,
    DateItem: _date,
    ClassificationItem: _classes,
    ConstructedResponseItem: _response,
}


def validate_answer(item: Item, raw: object) -> object:
    """The canonical answer for ``item``, or raise InvalidAnswer(field, message).

    Canonical shapes: single choice -> str; multiple choice / set selection -> sorted tuple of
    option ids; code entry -> tuple of normalised codes (blanks and repeats dropped, order
    kept); span marking -> sorted tuple of Mark; ordering -> tuple of element ids; record
    matching -> sorted tuple of sorted clusters, ungrouped records as singletons; numeric ->
    float; date -> datetime.date; classification -> dict of entry id -> category id (sorted,
    unclassified entries left out); constructed response -> str. All encode to JSON.
    """
    if raw is None:
        return None
    return _VALIDATORS[type(item)](item, raw)
