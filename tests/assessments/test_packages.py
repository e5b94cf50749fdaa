"""A package meets each idea once: no scenario the bank review found repeated is tested in
two assessments of the same package (the text a candidate reads: stem, stimulus, options,
elements, entries, documents)."""

from __future__ import annotations

import re

import pytest

from service.assessments.content import load_content
from service.assessments.items import Item

BANK = load_content()

# Each idea the review found in several assessments, as a pattern over what candidates read.
IDEAS = {
    "cholecystectomy": r"cholecystectomy",
    "hepatomegaly": r"hepatomegaly",
    "misfiled document in a chart": r"belongs to (Janet Morrell|a different patient)|"
    r"shows another patient's name",
    "line-through correction": r"line through",
    "right-of-access deadline": r"act on a request for access|latest date by which the "
    r"hospital must (provide|give)",
    "breach notification deadline": r"latest date by which [^?]*notif",
    "relative without authority": r"daughter of [A-Z][a-z]+ [A-Z][a-z]+, an adult patient|"
    r"who is not the executor",
    "police request without a court order": r"police (officer|detective)",
}


def _reads(item: Item) -> str:
    """Everything a candidate reads while answering ``item``."""
    parts = [item.stem, getattr(item, "stimulus", ""), getattr(item, "document", "")]
    for field in ("options", "elements", "entries", "categories", "records"):
        for part in getattr(item, field, ()):
            parts.append(getattr(part, "text", "") or " ".join(getattr(part, "values", ())))
    return "\n".join(parts)


@pytest.mark.parametrize("package_id", sorted(BANK.packages))
@pytest.mark.parametrize("idea", sorted(IDEAS))
def test_a_package_meets_each_idea_in_one_assessment_at_most(package_id: str, idea: str) -> None:
    pattern = re.compile(IDEAS[idea], re.IGNORECASE)
    package = BANK.packages[package_id]
    where = sorted({
        form.assessment
        for form in BANK.forms.values() if form.assessment in package.assessments
        for item in form.items if pattern.search(_reads(item))
    })  # fmt: skip
    assert len(where) <= 1, f"{idea!r} appears in {where}"


def test_the_ideas_are_still_tested_somewhere() -> None:
    """Each pattern still finds its idea in the bank, so the test above is not vacuous."""
    text = "\n".join(_reads(item) for item in BANK.items.values())
    missing = [
        idea for idea, pattern in IDEAS.items() if not re.search(pattern, text, re.IGNORECASE)
    ]
    assert missing == []
