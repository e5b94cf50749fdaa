"""Answers a simulated candidate sends: the key when right, a plausible mistake when wrong.

Every item gets a small, fixed list of wrong-answer variants (drawn from the seed and the
item id, so the list is stable). A wrong simulated response picks one variant uniformly.
Because the list is finite and fixed, the points each variant earns can be tabulated once
through the real scorers, which is what the vectorised simulation path relies on.

Answers have the shape the candidate's browser sends (JSON values: strings, numbers,
lists, objects), as documented in docs/content-format.md.
"""

from __future__ import annotations

import datetime as dt
import itertools
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

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
from service.readiness.constructed import constructed_answers

MAX_VARIANTS = 6


def correct_answer(item: Item) -> object:
    """The answer a fully competent candidate sends: the key, in the browser's shape."""
    match item:
        case SingleChoiceItem():
            return item.key
        case MultipleChoiceItem() | SetSelectionItem() | OrderingItem() | CodeEntryItem():
            return list(item.key)
        case RecordMatchingItem():
            return [list(cluster) for cluster in item.key]
        case NumericItem():
            return item.key
        case DateItem():
            return item.key.isoformat()
        case SpanMarkingItem():
            return [{"start": s.start, "end": s.end} for s in item.spans]
        case ClassificationItem():
            return dict(item.key)
        case ConstructedResponseItem():
            return constructed_answers(item).strong
    raise TypeError(f"no answer maker for item type {type(item).__name__}")


def wrong_answers(item: Item, rng: np.random.Generator, code_pool: Sequence[str]) -> list[object]:
    """Plausible wrong answers for ``item`` (at most ``MAX_VARIANTS``, at least one).

    ``code_pool`` holds other codes of the same system seen in the bank (used for HCPCS
    look-ups, whose neighbours the ICD-10-CM tree cannot supply).
    """
    variants = _VARIANT_MAKERS[type(item)](item, code_pool)
    unique: list[object] = []
    for variant in variants:
        if variant not in unique and variant != correct_answer(item):
            unique.append(variant)
    if not unique:
        unique = [_empty_answer(item)]
    if len(unique) > MAX_VARIANTS:
        chosen = sorted(rng.choice(len(unique), size=MAX_VARIANTS, replace=False))
        unique = [unique[i] for i in chosen]
    return unique


def _empty_answer(item: Item) -> object:
    match item:
        case NumericItem():
            return item.key + 1.0
        case DateItem():
            return (item.key + dt.timedelta(days=1)).isoformat()
        case SingleChoiceItem() | ConstructedResponseItem():
            return ""
        case ClassificationItem():
            return {}
    return []


def _single_choice(item: Any, _: Sequence[str]) -> list[object]:
    return [o.id for o in item.options if o.id != item.key]


def _option_sets(item: Any, _: Sequence[str]) -> list[object]:
    key = list(item.key)
    distractors = [o.id for o in item.options if o.id not in item.key]
    missing_one = [[k for k in key if k != dropped] for dropped in key] if len(key) > 1 else []
    one_extra = [sorted([*key, extra]) for extra in distractors]
    swapped = [sorted([*key[1:], extra]) for extra in distractors[:2]] if key else []
    return [*missing_one, *one_extra, *swapped]


def _ordering(item: Any, _: Sequence[str]) -> list[object]:
    key = list(item.key)
    swaps = []
    for i in range(len(key) - 1):
        swapped = key.copy()
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        swaps.append(swapped)
    return [*swaps, key[::-1]]


def _record_matching(item: Any, _: Sequence[str]) -> list[object]:
    clusters = [list(c) for c in item.key]
    variants: list[object] = []
    for i in range(len(clusters) - 1):  # a false merge of two neighbouring clusters
        merged = [*clusters[:i], clusters[i] + clusters[i + 1], *clusters[i + 2 :]]
        variants.append(merged)
    for i, cluster in enumerate(clusters):  # a missed duplicate: one record split off
        if len(cluster) > 1:
            variants.append([*clusters[:i], cluster[:-1], cluster[-1:], *clusters[i + 1 :]])
    return variants


def _numeric(item: Any, _: Sequence[str]) -> list[object]:
    key = float(item.key)
    return [round(key * 1.1, 2), round(key * 0.9, 2), key + 1.0, round(key * 2, 2)]


def _date(item: Any, _: Sequence[str]) -> list[object]:
    key: dt.date = item.key
    return [(key + dt.timedelta(days=d)).isoformat() for d in (1, -1, 30, -30)]


def _span_marking(item: Any, _: Sequence[str]) -> list[object]:
    gold = [{"start": s.start, "end": s.end} for s in item.spans]
    variants: list[object] = []
    for i in range(len(gold)):  # one identifier missed
        variants.append(gold[:i] + gold[i + 1 :])
    for i, span in enumerate(gold[:2]):  # one identifier only partly marked
        half = span["start"] + max(1, (span["end"] - span["start"]) // 3)
        variants.append([*gold[:i], {"start": span["start"], "end": half}, *gold[i + 1 :]])
    extra = _unmarked_word(item.document, gold)
    if extra is not None:  # something that is not PHI marked as well
        variants.append([*gold, extra])
    return variants


def _unmarked_word(document: str, gold: list[dict[str, int]]) -> dict[str, int] | None:
    start = 0
    for word in document.split():
        start = document.index(word, start)
        end = start + len(word)
        if all(end <= g["start"] or start >= g["end"] for g in gold):
            return {"start": start, "end": end}
        start = end
    return None


def _code_entry(item: Any, code_pool: Sequence[str]) -> list[object]:
    key = list(item.key)
    neighbours = _icd_neighbours if item.system == "icd10cm" else _pool_neighbours(code_pool)
    variants: list[object] = []
    for position, code in enumerate(key[:2]):
        for neighbour in neighbours(code)[:2]:
            variants.append([*key[:position], neighbour, *key[position + 1 :]])
    if len(key) > 1:
        variants.append(key[:-1])  # a secondary code left out
        if item.sequenced:
            variants.append([key[1], key[0], *key[2:]])  # wrong first-listed code
    return variants


def _pool_neighbours(code_pool: Sequence[str]) -> Callable[[str], list[str]]:
    def neighbours(code: str) -> list[str]:
        same_letter = [c for c in code_pool if c != code and c[:1] == code[:1]]
        return sorted(same_letter)[:2] or [c for c in code_pool if c != code][:1]

    return neighbours


@cache
def _icd_neighbours(code: str) -> list[str]:
    """A billable sibling (same parent) first, then a billable cousin (same grandparent)."""
    with warnings.catch_warnings():  # the package calls a deprecated importlib API
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd  # noqa: PLC0415

    parent = icd.get_parent(code)
    siblings = sorted(c for c in icd.get_descendants(parent) if icd.is_leaf(c) and c != code)
    grandparent = icd.get_parent(parent) if parent else ""
    cousins = (
        sorted(
            c
            for c in icd.get_descendants(grandparent)
            if icd.is_leaf(c) and not icd.is_ancestor(parent, c)
        )
        if grandparent and icd.is_category_or_subcategory(grandparent)
        else []
    )
    return [*siblings[:1], *cousins[:1]]


def _classification(item: Any, _: Sequence[str]) -> list[object]:
    key: dict[str, str] = dict(item.key)
    entries = sorted(key)
    variants: list[object] = []
    for first, second in itertools.pairwise(entries):  # two entries swapped
        if key[first] != key[second]:
            variants.append({**key, first: key[second], second: key[first]})
    variants.append({e: c for e, c in key.items() if e != entries[0]})  # one left out
    return variants


def _constructed(item: Any, _: Sequence[str]) -> list[object]:
    answers = constructed_answers(item)
    return [answers.partial, answers.weak]


_VARIANT_MAKERS: dict[type, Callable[[Any, Sequence[str]], list[object]]] = {
    SingleChoiceItem: _single_choice,
    MultipleChoiceItem: _option_sets,
    SetSelectionItem: _option_sets,
    OrderingItem: _ordering,
    RecordMatchingItem: _record_matching,
    NumericItem: _numeric,
    DateItem: _date,
    SpanMarkingItem: _span_marking,
    CodeEntryItem: _code_entry,
    ClassificationItem: _classification,
    ConstructedResponseItem: _constructed,
}
