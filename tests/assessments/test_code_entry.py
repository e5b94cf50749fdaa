"""Code entry: normalization, real-code checks, named near misses, extra codes, sequencing."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.assessments.bank import ContentVersion
from service.assessments.codes import icd_status, normalise_code
from service.assessments.items import CodeEntryItem, CodeEntryRubric, NearMiss
from service.assessments.scorers.code_entry import score


@pytest.fixture(scope="module")
def diabetes(content: ContentVersion) -> CodeEntryItem:
    """Key ["E11.65", "I10"], sequenced, 2 points."""
    item = content.items["COD-A-01"]
    assert isinstance(item, CodeEntryItem)
    return item


@pytest.fixture(scope="module")
def single(diabetes: CodeEntryItem) -> CodeEntryItem:
    """One key code, E11.65, 1 point, not sequenced."""
    return msgspec.structs.replace(diabetes, key=("E11.65",), sequenced=False, points=1.0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("e1165", "E11.65"), (" E11 . 65 ", "E11.65"), ("e11.65", "E11.65"), ("i10", "I10"),
     ("s52521a", "S52.521A"), ("E11", "E11")],
)  # fmt: skip
def test_icd_normalisation(raw: str, expected: str) -> None:
    assert normalise_code(raw, "icd10cm") == expected


def test_hcpcs_normalisation_has_no_dot() -> None:
    assert normalise_code(" e0114 ", "hcpcs") == "E0114"


@given(st.text(alphabet="aeiIEs0123456789. \t", max_size=12), st.sampled_from(["icd10cm", "hcpcs"]))
def test_normalisation_is_idempotent(raw: str, system: str) -> None:
    once = normalise_code(raw, system)
    assert normalise_code(once, system) == once


def test_icd_status_and_ancestor_lengths() -> None:
    assert icd_status("E11.65") == "billable"
    assert icd_status("E11.6") == "nonbillable"
    assert icd_status("E11.655") == "invalid"
    assert icd_status("E08-E13") == "invalid"


def test_key_in_order_earns_full_points(diabetes: CodeEntryItem) -> None:
    result = score(diabetes, ("E11.65", "I10"))
    assert result.points == 2.0
    assert result.feedback["first_listed_right"] is True


def test_wrong_sequence_loses_the_sequencing_share(diabetes: CodeEntryItem) -> None:
    result = score(diabetes, ("I10", "E11.65"))
    assert result.points == pytest.approx(2.0 * 0.8)
    assert result.feedback["first_listed_right"] is False


@pytest.mark.parametrize(
    ("key", "answer", "why"),
    [
        ("E11.65", "E11.69", "a sibling code"),
        ("E11.65", "E11.9", "a cousin code"),
        ("E11.65", "E11.6", "a non-billable subcategory"),
        ("E11.65", "E11", "a non-billable category"),
        ("H25.12", "H25.11", "the wrong side"),
        ("S52.521A", "S52.521D", "the wrong 7th character"),
        ("S52.521A", "S52.521", "a missing 7th character"),
    ],
)
def test_near_misses_earn_nothing_unless_named(
    single: CodeEntryItem, key: str, answer: str, why: str
) -> None:
    item = msgspec.structs.replace(single, key=(key,))
    assert score(item, (answer,)).points == 0.0, why
    assert score(item, (key,)).points == 1.0


def _with_near_misses(item: CodeEntryItem, *misses: NearMiss) -> CodeEntryItem:
    return msgspec.structs.replace(item, rubric=CodeEntryRubric(near_misses=misses))


HYPERGLYCEMIA_NOS = NearMiss(
    code="E11.69", instead_of="E11.65", credit=0.5,
    reason="Defensible when the note says only 'diabetic complication' (illustration).",
)  # fmt: skip


def test_a_named_near_miss_earns_its_credit_and_reason(single: CodeEntryItem) -> None:
    item = _with_near_misses(single, HYPERGLYCEMIA_NOS)
    result = score(item, ("E11.69",))
    assert result.points == pytest.approx(0.5)
    assert result.feedback["near_misses"] == [
        {"code": "E11.69", "instead_of": "E11.65", "credit": 0.5,
         "reason": HYPERGLYCEMIA_NOS.reason},
    ]  # fmt: skip
    assert result.feedback["extra"] == []
    # Beside the exact key code it is a second guess: an extra code, which costs.
    hedged = score(item, ("E11.65", "E11.69"))
    assert hedged.points == pytest.approx(0.5)
    assert hedged.feedback["extra"] == ["E11.69"]


def test_one_near_miss_per_key_code(single: CodeEntryItem) -> None:
    other = NearMiss(
        code="E11.9",
        instead_of="E11.65",
        credit=0.25,
        reason="Illustration: a second named near miss for the same code.",
    )
    item = _with_near_misses(single, HYPERGLYCEMIA_NOS, other)
    result = score(item, ("E11.9", "E11.69"))
    assert result.feedback["near_misses"][0]["code"] == "E11.69"  # the better pairing
    assert result.feedback["extra"] == ["E11.9"]
    assert result.points == pytest.approx(0.5 - 0.5)


def test_non_existent_code_scores_zero_with_feedback_saying_so(single: CodeEntryItem) -> None:
    result = score(single, ("E11.655",))
    assert result.points == 0.0
    assert result.feedback["not_real_codes"] == ["E11.655"]
    assert result.feedback["codes"][0]["status"] == "invalid"


def test_every_extra_code_costs_related_or_not(single: CodeEntryItem) -> None:
    assert score(single, ("E11.65", "J45.20")).points == pytest.approx(0.5)
    assert score(single, ("E11.65", "E11.69")).points == pytest.approx(0.5)  # hedging
    assert score(single, ("E11.65", "E11.6")).points == pytest.approx(0.5)
    assert score(single, ("E11.65", "J45.20", "I10", "Z79.4")).points == 0.0
    assert score(single, ("E11.65", "E11.69")).feedback["extra"] == ["E11.69"]


def test_missing_second_code_earns_half_the_set(diabetes: CodeEntryItem) -> None:
    assert score(diabetes, ("E11.65",)).points == pytest.approx(2.0 * (0.8 * 0.5 + 0.2))


def test_unanswered_and_empty_score_zero(diabetes: CodeEntryItem) -> None:
    assert score(diabetes, None).points == 0.0
    assert score(diabetes, ()).feedback == {"answered": False}


def test_hcpcs_exact_only_and_unlisted_reported(content: ContentVersion) -> None:
    item = content.items["COD-A-02"]
    assert isinstance(item, CodeEntryItem)
    assert score(item, ("E0114",), content.hcpcs_codes).points == 1.0
    near = score(item, ("E0100",), content.hcpcs_codes)
    assert near.points == 0.0
    assert near.feedback["codes"][0]["status"] == "billable"
    assert score(item, ("E9999",), content.hcpcs_codes).feedback["codes"][0]["status"] == "unlisted"
    assert score(item, ("ZZ",), content.hcpcs_codes).feedback["not_real_codes"] == ["ZZ"]


CODES = [
    "E11.65",
    "E11.69",
    "E11.9",
    "E11.6",
    "I10",
    "J45.20",
    "E66.9",
    "Z79.4",
    "E11.655",
    "S52.521A",
]


@given(st.lists(st.sampled_from(CODES), max_size=6, unique=True))
def test_score_stays_within_zero_and_max(diabetes: CodeEntryItem, codes: list[str]) -> None:
    result = score(diabetes, tuple(codes))
    assert 0.0 <= result.points <= result.max_points


@given(
    st.lists(st.sampled_from(CODES), max_size=6, unique=True), st.sampled_from(["E11.65", "I10"])
)
def test_adding_a_key_code_never_lowers_the_score(
    diabetes: CodeEntryItem, codes: list[str], added: str
) -> None:
    if added in codes:
        codes.remove(added)
    before = score(diabetes, tuple(codes)).points
    after = score(diabetes, (*codes, added)).points
    assert after >= before
