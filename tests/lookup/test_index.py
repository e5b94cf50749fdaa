"""The code look-up's index and code-book view, over the full shipped code sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.assessments.content import DEFAULT_ROOT, load_content
from service.assessments.items import CodeEntryItem
from service.lookup.detail import code_detail
from service.lookup.index import CodeIndex, get_index, words

INDEX: CodeIndex = get_index(Path(DEFAULT_ROOT))


def test_the_whole_code_set_is_indexed() -> None:
    assert len(INDEX) > 98_000  # ICD-10-CM categories, subcategories and codes, and HCPCS
    assert INDEX.find("E11.65") is not None and INDEX.find("e1165") is not None
    assert INDEX.find("A0425") is not None and INDEX.find("E08-E13") is None  # blocks: no


def test_a_code_finds_itself_first_then_its_children_in_code_order() -> None:
    result = INDEX.search("e11.6")
    assert result.kind == "code"
    codes = [h.code for h in result.hits]
    assert codes[0] == "E11.6" and codes[1:4] == ["E11.61", "E11.610", "E11.618"]
    assert all(c.startswith("E11.6") for c in codes)
    assert not result.hits[0].billable and INDEX.search("E11.65").hits[0].billable


def test_codes_that_differ_only_by_the_dot_are_both_offered_exact_spelling_first() -> None:
    hcpcs, icd = INDEX.find("G0439"), INDEX.find("g04.39")
    assert hcpcs is not None and hcpcs.system == "hcpcs"
    assert icd is not None and icd.system == "icd10cm" and icd.code == "G04.39"
    assert [h.code for h in INDEX.search("G0439").hits][:2] == ["G0439", "G04.39"]
    assert INDEX.search("G04.39").hits[0].code == "G04.39"
    assert [h.code for h in INDEX.search("G0439", system="icd10cm").hits] == ["G04.39"]


def test_words_search_descriptions_before_inclusion_terms() -> None:
    result = INDEX.search("type 2 diabetes kidney")
    assert result.kind == "term" and result.hits[0].code == "E11.2"
    assert {"E11.22", "E11.29"} <= {h.code for h in result.hits}
    # a word found only in inclusion terms still finds the code, and says where it matched
    only_terms = next(
        (
            i
            for i, d in enumerate(INDEX.descriptions)
            if INDEX.terms[i]
            and "nos" not in words(d)
            and any("nos" in words(t) for t in INDEX.terms[i])
        )
    )
    found = INDEX.search("NOS", limit=20_000)
    hit = next(h for h in found.hits if h.code == INDEX.codes[only_terms])
    assert "nos" in words(hit.matched)


def test_prefixes_and_the_code_set_filter() -> None:
    assert INDEX.search("diab mell").total == INDEX.search("diabetes mellitus").total
    hcpcs = INDEX.search("crutches", system="hcpcs")
    assert hcpcs.hits and all(h.system == "hcpcs" for h in hcpcs.hits)
    assert all(h.system == "icd10cm" for h in INDEX.search("crutch", system="icd10cm").hits)
    assert INDEX.search("xyzzy plugh").total == 0
    assert INDEX.search("   ").kind == "empty"


def test_every_key_of_the_shipped_bank_can_be_found_by_code_and_by_words() -> None:
    content = load_content()
    keys = {
        code
        for item in content.items.values()
        if isinstance(item, CodeEntryItem)
        for code in item.key
    }
    assert keys
    for code in keys:
        assert INDEX.search(code).hits[0].code == code
        hit = INDEX.find(code)
        assert hit is not None
        query = " ".join(w for w in words(hit.description) if len(w) > 3)[:100]
        mask = INDEX.anywhere.mask(words(query)[0])
        for w in words(query)[1:]:
            mask &= INDEX.anywhere.mask(w)
        assert mask[INDEX.number[(hit.system, hit.code)]], (code, query)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(INDEX) - 1))
def test_any_code_is_found_by_its_code_and_by_its_description(number: int) -> None:
    code, description = INDEX.codes[number], INDEX.descriptions[number]
    assert INDEX.search(code).hits[0].code == code
    tokens = list(dict.fromkeys(words(description)))[:8]
    mask = INDEX.in_description.mask(tokens[0])
    for token in tokens[1:]:
        mask &= INDEX.in_description.mask(token)
    assert mask[number]


def test_code_book_view_shows_hierarchy_and_inherited_notes() -> None:
    detail = code_detail(INDEX, "e1165")
    assert detail is not None and detail.code == "E11.65" and detail.billable
    assert [level.code for level in detail.hierarchy] == [
        "Chapter 4",
        "E08-E13",
        "E11",
        "E11.6",
        "E11.65",
    ]
    kinds = {(n.kind, n.source) for n in detail.notes}
    assert ("excludes1", "E11") in kinds  # a category's note applies to every code under it
    assert ("use_additional_code", "E11") in kinds
    injury = code_detail(INDEX, "S52.321A")
    assert injury is not None
    seventh = next(n for n in injury.notes if n.kind == "seventh_character")
    assert any(line.startswith("A:") for line in seventh.lines)
    heart = code_detail(INDEX, "I50")
    assert heart is not None and not heart.billable and heart.children
    assert any(n.kind == "code_first" for n in heart.notes)


def test_hcpcs_view_and_unknown_codes() -> None:
    crutches = code_detail(INDEX, "e0114")
    assert crutches is not None and crutches.system == "hcpcs"
    assert [level.kind for level in crutches.hierarchy] == ["code set", "section", "code"]
    assert "Durable medical equipment" in crutches.hierarchy[1].description
    assert code_detail(INDEX, "Q99999") is None
    assert code_detail(INDEX, "not a code") is None


@pytest.mark.parametrize("query", ["of", "with", "unspecified other", "s", "e1", "a b c d"])
def test_common_words_and_short_prefixes_are_bounded(query: str) -> None:
    result = INDEX.search(query)
    assert len(result.hits) <= 25
    assert result.total >= len(result.hits)
