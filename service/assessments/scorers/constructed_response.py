"""Constructed response: an automatic, explainable, *provisional* analytic-rubric score.

Per criterion (levels 0..3, points = weight x level):
- with ``required`` rules: level = round(3 x share of required rules matched);
- any ``forbidden`` rule matched (e.g. another patient's PHI) sets the criterion to 0;
- without rules: 1 + (word count within min..max) + (reading grade <= target + tolerance).
A response outside min_words..max_words has every criterion capped at 2; an empty one scores 0.
The score stays provisional until two human ratings resolve it (see ratings.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from service.assessments.items import ConstructedResponseItem, Criterion, Rule
from service.assessments.readability import flesch_kincaid_grade, words
from service.assessments.scorers.common import scored, unanswered
from service.assessments.scores import ItemScore

TOP_LEVEL = 3


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def rule_matches(rule: Rule, text: str) -> bool:
    """True when any of the rule's case-insensitive patterns occurs in ``text``."""
    return any(_compiled(pattern).search(text) for pattern in rule.patterns)


def _criterion_level(
    criterion: Criterion, rules: tuple[Rule, ...], text: str, form_ok: int
) -> tuple[int, dict[str, Any]]:
    required = [r for r in rules if r.kind == "required"]
    present = [r.description for r in required if rule_matches(r, text)]
    forbidden = [r.description for r in rules if r.kind == "forbidden" and rule_matches(r, text)]
    if forbidden:
        level = 0
    elif required:
        level = int(TOP_LEVEL * len(present) / len(required) + 0.5)
    elif rules:
        level = TOP_LEVEL
    else:
        level = 1 + form_ok
    detail = {
        "criterion": criterion.id,
        "present": present,
        "missing": [r.description for r in required if r.description not in present],
        "forbidden": forbidden,
    }
    return level, detail


def score(item: ConstructedResponseItem, answer: str | None) -> ItemScore:
    """Provisional score of a validated free-text answer; feedback explains every level."""
    if answer is None or not answer.strip():
        return unanswered(item, provisional=True)
    word_count = len(words(answer))
    grade = flesch_kincaid_grade(answer)
    length_ok = item.min_words <= word_count <= item.max_words
    readable = grade <= item.target_grade + item.rubric.grade_tolerance
    criteria: list[dict[str, Any]] = []
    points = 0.0
    for criterion in item.criteria:
        rules = item.rules_by_criterion[criterion.id]
        level, detail = _criterion_level(criterion, rules, answer, int(length_ok) + int(readable))
        if not length_ok:
            level = min(level, TOP_LEVEL - 1)
        points += criterion.weight * level
        criteria.append({**detail, "level": level})
    feedback = {
        "answered": True,
        "words": word_count,
        "length_ok": length_ok,
        "reading_grade": round(grade, 1),
        "readable": readable,
        "criteria": criteria,
    }
    return scored(item, points / item.points, feedback, provisional=True)
