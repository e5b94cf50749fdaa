"""Code normalisation and cached ICD-10-CM look-ups (simple_icd_10_cm, April 2026 release)."""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

with warnings.catch_warnings():
    # simple_icd_10_cm 1.5 loads its data with importlib.resources.read_text, deprecated in
    # 3.11; the warning is the library's, and tests run with warnings as errors.
    warnings.simplefilter("ignore", DeprecationWarning)
    import simple_icd_10_cm as icd

_SEPARATORS = re.compile(r"[\s.]+")
# CPT codes are five digits, or four digits plus F/T/U; they must never appear in content.
CPT_LIKE = re.compile(r"\b\d{4}[0-9FTU]\b")


def normalise_code(raw: str, system: str) -> str:
    """Canonical spelling of a typed code: upper case, no spaces; ICD-10-CM dotted after 3 chars.

    Idempotent: ``normalise_code(normalise_code(x, s), s) == normalise_code(x, s)``.
    """
    compact = _SEPARATORS.sub("", raw).upper()
    if system == "icd10cm" and len(compact) > 3:
        return f"{compact[:3]}.{compact[3:]}"
    return compact


@lru_cache(maxsize=65536)
def icd_status(code: str) -> str:
    """ "billable" (a leaf), "nonbillable" (a category/subcategory with children) or "invalid".

    ``code`` must already be normalised; blocks and chapters count as invalid answers.
    """
    try:
        if not icd.is_valid_item(code) or not (icd.is_category(code) or icd.is_subcategory(code)):
            return "invalid"
        return "billable" if icd.is_leaf(code) else "nonbillable"
    except ValueError:
        return "invalid"
