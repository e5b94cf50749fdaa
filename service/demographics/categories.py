"""The categories candidates may report: NYC LL144's (from the EEO-1 form), as stored.

"Prefer not to say" is stored as ``unknown`` and counts as an unknown category in audits.
"""

from __future__ import annotations

from typing import Literal

PREFER_NOT_TO_SAY = "unknown"
SEX_CATEGORIES: tuple[str, ...] = ("female", "male")
RACE_ETHNICITY_CATEGORIES: tuple[str, ...] = (
    "hispanic_latino", "white", "black", "nhpi", "asian", "native_american", "two_or_more",
)  # fmt: skip
Attribute = Literal["sex", "race_ethnicity"]
CATEGORIES: dict[str, tuple[str, ...]] = {
    "sex": SEX_CATEGORIES,
    "race_ethnicity": RACE_ETHNICITY_CATEGORIES,
}
LABELS: dict[str, str] = {
    "female": "Female",
    "male": "Male",
    "hispanic_latino": "Hispanic or Latino",
    "white": "White (not Hispanic or Latino)",
    "black": "Black or African American (not Hispanic or Latino)",
    "nhpi": "Native Hawaiian or Pacific Islander (not Hispanic or Latino)",
    "asian": "Asian (not Hispanic or Latino)",
    "native_american": "Native American or Alaska Native (not Hispanic or Latino)",
    "two_or_more": "Two or more races (not Hispanic or Latino)",
    PREFER_NOT_TO_SAY: "Prefer not to say",
}
"""How each stored value reads on pages and in the published audit summary."""


def label(value: str) -> str:
    """The reader-facing name of a stored category (or of an intersection "a × b")."""
    return " × ".join(LABELS.get(part, part) for part in value.split(" × "))
