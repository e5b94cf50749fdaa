"""What an item page shows: the item's widget data with the candidate's saved answer filled in.

Each item type gets a small view Struct the templates render; nothing here touches the
database. Span marking is tokenised into words so the keyboard alternative (one checkbox per
word) and mouse selection mark the same character ranges.
"""

from __future__ import annotations

import re
import string
from typing import Any

import msgspec

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
    item_type,
)

CODE_SLOTS = 4
FIELD_LABELS = {  # record-matching columns as a person reads them, not as stored
    "name": "Name",
    "dob": "Date of birth",
    "sex": "Sex",
    "ssn_last4": "SSN (last 4)",
    "ssn": "SSN",
    "address": "Address",
    "phone": "Phone",
    "mrn": "MRN",
    "email": "Email",
    "zip": "ZIP code",
    "dos": "Date of service",
    "encounter": "Encounter",
}
_WORD = re.compile(r"\w[\w@.\-/:#+']*\w|\w")
CODE_FORMATS = {
    "icd10cm": "ICD-10-CM: a letter, two characters, then up to four more after a dot "
    "(e.g. A00.0). Enter the first-listed code first.",
    "hcpcs": "HCPCS Level II: one letter followed by four digits (e.g. A0000).",
}


class Choice(msgspec.Struct, frozen=True):
    """An option with whether the candidate chose it."""

    id: str
    text: str
    chosen: bool


class Token(msgspec.Struct, frozen=True):
    """A word of a span-marking document; ``before`` is the text between it and the last."""

    index: int
    start: int
    end: int
    text: str
    before: str
    marked: bool


class OrderEntry(msgspec.Struct, frozen=True):
    """An element at its current position."""

    id: str
    text: str
    position: int


class RecordRow(msgspec.Struct, frozen=True):
    """A record with the group label the candidate gave it ("" = on its own)."""

    id: str
    values: tuple[str, ...]
    group: str


class EntryRow(msgspec.Struct, frozen=True):
    """An entry to classify with the category id the candidate chose ("" = none yet)."""

    id: str
    text: str
    chosen: str


class ItemView(msgspec.Struct, frozen=True, kw_only=True):
    """Everything an item template needs."""

    id: str
    type: str
    stem: str
    stimulus: str = ""
    choices: list[Choice] = msgspec.field(default_factory=list)
    codes: list[str] = msgspec.field(default_factory=list)
    code_format: str = ""
    tokens: list[Token] = msgspec.field(default_factory=list)
    tail: str = ""
    order: list[OrderEntry] = msgspec.field(default_factory=list)
    fields: tuple[str, ...] = ()
    records: list[RecordRow] = msgspec.field(default_factory=list)
    groups: list[str] = msgspec.field(default_factory=list)
    entries: list[EntryRow] = msgspec.field(default_factory=list)
    categories: list[Choice] = msgspec.field(default_factory=list)
    text: str = ""
    unit: str = ""
    min_words: int = 0
    max_words: int = 0
    answered: bool = False


def tokenize(document: str) -> tuple[list[tuple[int, int]], str]:
    """Word spans of ``document`` (start, end) and the text after the last word."""
    spans = [(m.start(), m.end()) for m in _WORD.finditer(document)]
    tail = document[spans[-1][1] :] if spans else document
    return spans, tail


def _marked(start: int, end: int, marks: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in marks)


def _span_view(item: SpanMarkingItem, answer: Any) -> dict[str, Any]:
    marks = [(m["start"], m["end"]) for m in answer or [] if isinstance(m, dict)]
    spans, tail = tokenize(item.document)
    shown = reflow(item.document)  # same offsets, sentence-internal breaks as spaces
    tokens: list[Token] = []
    cursor = 0
    for index, (start, end) in enumerate(spans):
        tokens.append(
            Token(
                index,
                start,
                end,
                item.document[start:end],
                shown[cursor:start],
                _marked(start, end, marks),
            )
        )
        cursor = end
    return {"tokens": tokens, "tail": shown[spans[-1][1] :] if spans else tail}


def _group_labels(count: int) -> list[str]:
    return [f"Patient {letter}" for letter in string.ascii_uppercase[: max(count, 1)]]


def _records_view(item: RecordMatchingItem, answer: Any) -> dict[str, Any]:
    labels = _group_labels(len(item.records))
    group_of: dict[str, str] = {}
    clusters = [c for c in answer or [] if isinstance(c, list) and len(c) > 1]
    for label, cluster in zip(labels, clusters, strict=False):
        for record_id in cluster:
            group_of[str(record_id)] = label
    return {
        "fields": tuple(field_label(f) for f in item.fields),
        "records": [RecordRow(r.id, r.values, group_of.get(r.id, "")) for r in item.records],
        "groups": labels,
    }


def field_label(field: str) -> str:
    """A record field's column heading ("ssn_last4" -> "SSN (last 4)")."""
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


_JOIN_BREAK = re.compile(r"(?<=[^\n.:;!?])\n(?=[a-z(]|\d(?![.)]\s))")


def reflow(text: str) -> str:
    """Join a line break inside a sentence (the next line goes on in lower case, with a
    bracket or a number) into a space, so text reflows on any screen; breaks before new
    fields ("Labs:"), list items and paragraphs stay. Same length as ``text`` (span-marking
    offsets keep pointing at the same characters)."""
    return _JOIN_BREAK.sub(" ", text)


def _number_text(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}" if float(value).is_integer() else repr(float(value))
    return "" if value is None else str(value)


def item_view(item: Item, answer: Any) -> ItemView:
    """The view of ``item`` with the stored (canonical, JSON-decoded) ``answer``."""
    base: dict[str, Any] = {
        "id": item.id,
        "type": item_type(item),
        "stem": item.stem,
        "answered": answer is not None,
    }
    extra: dict[str, Any]
    if isinstance(item, SingleChoiceItem | MultipleChoiceItem | SetSelectionItem):
        chosen = {answer} if isinstance(answer, str) else set(answer or [])
        extra = {
            "stimulus": reflow(item.stimulus),
            "choices": [Choice(o.id, o.text, o.id in chosen) for o in item.options],
        }
    elif isinstance(item, CodeEntryItem):
        codes = [str(c) for c in answer or []][:CODE_SLOTS]
        extra = {
            "stimulus": reflow(item.stimulus),
            "code_format": CODE_FORMATS[item.system],
            "codes": codes + [""] * (CODE_SLOTS - len(codes)),
        }
    elif isinstance(item, SpanMarkingItem):
        extra = _span_view(item, answer)
    elif isinstance(item, OrderingItem):
        texts = {e.id: e.text for e in item.elements}
        saved = [str(i) for i in answer or [] if i in texts]
        ids = saved if len(saved) == len(texts) else [e.id for e in item.elements]
        extra = {
            "stimulus": reflow(item.stimulus),
            "order": [OrderEntry(i, texts[i], n) for n, i in enumerate(ids, start=1)],
        }
    elif isinstance(item, RecordMatchingItem):
        extra = {"stimulus": reflow(item.stimulus), **_records_view(item, answer)}
    elif isinstance(item, NumericItem):
        extra = {"stimulus": reflow(item.stimulus), "unit": item.unit, "text": _number_text(answer)}
    elif isinstance(item, DateItem):
        extra = {"stimulus": reflow(item.stimulus), "text": "" if answer is None else str(answer)}
    elif isinstance(item, ClassificationItem):
        placed = answer if isinstance(answer, dict) else {}
        extra = {
            "stimulus": reflow(item.stimulus),
            "entries": [EntryRow(e.id, e.text, str(placed.get(e.id, ""))) for e in item.entries],
            "categories": [Choice(c.id, c.text, False) for c in item.categories],
        }
    else:
        assert isinstance(item, ConstructedResponseItem)
        extra = {
            "stimulus": reflow(item.stimulus),
            "text": answer if isinstance(answer, str) else "",
            "min_words": item.min_words,
            "max_words": item.max_words,
        }
    return ItemView(**base, **extra)
