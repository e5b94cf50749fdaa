"""Code entry (ICD-10-CM, HCPCS Level II): set scoring with hierarchy partial credit.

Each key code earns the credit of one distinct answer code: 1 for an exact match, else the
rubric's ``partial_by_shared_chars`` entry for the length of the codes' nearest common ancestor
(E11.65 vs E11.69 share E11.6: 4 characters), capped at ``nonbillable_cap`` for a valid code
that is not billable. Answer codes that earn nothing against any key code (including codes that
do not exist) cost ``extra_code_penalty`` of one key code's share each. With ``sequenced`` and
several key codes, ``sequencing_weight`` of the points go to listing the first code first.
"""

from __future__ import annotations

import re
from itertools import permutations
from typing import Any

from service.assessments.codes import icd_status, shared_chars
from service.assessments.items import CodeEntryItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scores import ItemScore

_HCPCS_SHAPE = re.compile(r"^[A-V]\d{4}$")


def code_status(item: CodeEntryItem, code: str, hcpcs_codes: frozenset[str]) -> str:
    """ "billable", "nonbillable" or "invalid" for a normalised answer code.

    HCPCS: "billable" when in the shipped list, "unlisted" when shaped like a HCPCS Level II
    code (a letter and four digits) but not in the list we ship, else "invalid".
    """
    if item.system == "icd10cm":
        return icd_status(code)
    if code in hcpcs_codes or code in item.key:
        return "billable"
    return "unlisted" if _HCPCS_SHAPE.match(code) else "invalid"


def code_credit(item: CodeEntryItem, answer_code: str, status: str, key_code: str) -> float:
    """Credit one answer code earns against one key code."""
    if answer_code == key_code:
        return 1.0
    if item.system != "icd10cm" or status not in ("billable", "nonbillable"):
        return 0.0
    length = shared_chars(answer_code, key_code)
    credit = 0.0
    for threshold, value in item.shared_chars_table:
        if length >= threshold:
            credit = value
            break
    if status == "nonbillable":
        credit = min(credit, item.rubric.nonbillable_cap)
    return credit


def _best_assignment(credits: list[list[float]]) -> float:
    """Max total credit pairing each key code (row) with a distinct answer code (column)."""
    rows = [row for row in credits if any(row)]
    if not rows:
        return 0.0
    columns = range(len(rows[0]))
    if len(rows) == 1:
        return max(rows[0])
    if len(rows) > len(rows[0]):
        # More key rows than answer columns: pick which rows the answer columns serve.
        transposed = [list(col) for col in zip(*rows, strict=True)]
        return _best_assignment(transposed)
    return max(sum(row[c] for row, c in zip(rows, chosen, strict=True))
               for chosen in permutations(columns, len(rows)))  # fmt: skip


def score(
    item: CodeEntryItem, answer: tuple[str, ...] | None, hcpcs_codes: frozenset[str] = frozenset()
) -> ItemScore:
    """Score a validated (normalised) list of codes; see the module docstring for the rules."""
    if not answer:
        return unanswered(item)
    statuses = {code: code_status(item, code, hcpcs_codes) for code in answer}
    exact = [code for code in item.key if code in statuses]
    # Exact matches are always part of an optimal pairing (credit is ultrametric), so pair
    # them first and search only the rest.
    rest_keys = [code for code in item.key if code not in statuses]
    rest_answers = [code for code in answer if code not in item.key]
    credits = [[code_credit(item, a, statuses[a], k) for a in rest_answers] for k in rest_keys]
    total = len(exact) + (_best_assignment(credits) if rest_answers and rest_keys else 0.0)
    unrelated = [
        a for a in rest_answers
        if not any(code_credit(item, a, statuses[a], k) for k in item.key)
    ]  # fmt: skip
    set_share = (total - item.rubric.extra_code_penalty * len(unrelated)) / len(item.key)
    set_share = max(0.0, set_share)
    first_right = answer[0] == item.key[0]
    if item.sequenced and len(item.key) > 1:
        weight = item.rubric.sequencing_weight
        share = (1 - weight) * set_share + weight * (1.0 if first_right else 0.0)
    else:
        share = set_share
    feedback: dict[str, Any] = {
        "answered": True,
        "codes": [
            {"code": code, "status": statuses[code], "keyed": code in item.key} for code in answer
        ],
        "not_real_codes": [code for code in answer if statuses[code] in ("invalid", "unlisted")],
        "matched": exact,
        "unrelated": unrelated,
        "first_listed_right": first_right,
    }
    return scored(item, share, feedback)
