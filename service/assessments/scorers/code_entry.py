"""Code entry (ICD-10-CM, HCPCS Level II): exact codes, named near misses, extras cost.

The answer's codes pair one to one with the key's codes, in the pairing that earns the
most. A key code earns 1 when the answer holds it exactly. Otherwise it earns a near miss's
``credit`` only when the item's rubric names that answer code as a near miss for it, with
the reason written beside it. There is no other partial credit: a wrong side, a wrong or
missing 7th character, a non-billable category or a sibling code earns nothing, because
each is a claim error ("code to the last character").

Every answer code outside the pairing (an unrelated code, a code that does not exist, or a
second guess at a key code already paired) costs ``extra_code_penalty`` of one key code's
share, so listing extra codes never pays: adding any code to a full-credit answer lowers
its score, and no answer longer than the key earns full marks. With ``sequenced`` and
several key codes, ``sequencing_weight`` of the points go to listing the key's first code
first.
"""

from __future__ import annotations

import re
from typing import Any

from service.assessments.codes import icd_status
from service.assessments.items import CodeEntryItem
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scores import ItemScore

_HCPCS_SHAPE = re.compile(r"^[A-V]\d{4}$")


def code_status(item: CodeEntryItem, code: str, hcpcs_codes: frozenset[str]) -> str:
    """ "billable", "nonbillable" or "invalid" for a normalized answer code.

    HCPCS: "billable" when in the shipped list, "unlisted" when shaped like a HCPCS Level II
    code (a letter and four digits) but not in the list we ship, else "invalid".
    """
    if item.system == "icd10cm":
        return icd_status(code)
    if code in hcpcs_codes or code in item.key:
        return "billable"
    return "unlisted" if _HCPCS_SHAPE.match(code) else "invalid"


def near_miss_pairs(
    item: CodeEntryItem, answers: list[str], keys: list[str]
) -> list[tuple[str, str, float]]:
    """The one-to-one pairing of answer codes with key codes through named near misses that
    earns the most credit, as (answer code, key code, credit).

    Every pair also spares its answer code the extra-code penalty, so the best pairing
    maximizes the sum of (credit + penalty) over its pairs. Named near misses are few, so
    the search only visits answer codes that are near misses of some remaining key code.
    """
    credit = item.near_miss_credit
    penalty = item.rubric.extra_code_penalty
    best: tuple[float, list[tuple[str, str, float]]] = (0.0, [])

    def search(
        index: int, used: frozenset[str], value: float, chosen: list[tuple[str, str, float]]
    ) -> None:
        nonlocal best
        if index == len(keys):
            if value > best[0]:
                best = (value, list(chosen))
            return
        key = keys[index]
        search(index + 1, used, value, chosen)
        for answer in answers:
            earned = credit.get((answer, key), 0.0)
            if earned > 0 and answer not in used:
                chosen.append((answer, key, earned))
                search(index + 1, used | {answer}, value + earned + penalty, chosen)
                chosen.pop()

    if any(pair in credit for pair in ((a, k) for a in answers for k in keys)):
        search(0, frozenset(), 0.0, [])
    return best[1]


def score(
    item: CodeEntryItem, answer: tuple[str, ...] | None, hcpcs_codes: frozenset[str] = frozenset()
) -> ItemScore:
    """Score a validated (normalized) list of codes; see the module docstring for the rules."""
    if not answer:
        return unanswered(item)
    statuses = {code: code_status(item, code, hcpcs_codes) for code in answer}
    # An exact match is always in a best pairing: a key code is never another key code's
    # near miss (check-content), so pairing it exactly costs no other pair anything.
    exact = [code for code in item.key if code in statuses]
    rest_keys = [code for code in item.key if code not in statuses]
    rest_answers = [code for code in answer if code not in item.key]
    near = near_miss_pairs(item, rest_answers, rest_keys)
    paired = {*exact, *(a for a, _, _ in near)}
    extra = [code for code in answer if code not in paired]
    total = len(exact) + sum(earned for _, _, earned in near)
    set_share = (total - item.rubric.extra_code_penalty * len(extra)) / len(item.key)
    set_share = max(0.0, set_share)
    first_right = answer[0] == item.key[0]
    if item.sequenced and len(item.key) > 1:
        weight = item.rubric.sequencing_weight
        share = (1 - weight) * set_share + weight * (1.0 if first_right else 0.0)
    else:
        share = set_share
    reasons = {(n.code, n.instead_of): n.reason for n in item.rubric.near_misses}
    feedback: dict[str, Any] = {
        "answered": True,
        "codes": [
            {"code": code, "status": statuses[code], "keyed": code in item.key} for code in answer
        ],
        "not_real_codes": [code for code in answer if statuses[code] in ("invalid", "unlisted")],
        "matched": exact,
        "near_misses": [
            {"code": a, "instead_of": k, "credit": earned, "reason": reasons[(a, k)]}
            for a, k, earned in near
        ],
        "extra": extra,
        "first_listed_right": first_right,
    }
    return scored(item, share, feedback)
