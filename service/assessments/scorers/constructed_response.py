"""Constructed response: an automatic, explainable, *provisional* analytic-rubric score.

Per criterion (levels 0..3, points = weight x level):
- required rules without a ``cap`` count: level = floor(3 x share of them matched), so only
  a response meeting every counted rule reaches the top level;
- a required rule with a ``cap`` is a gate: when it is missing the level is at most the cap
  (e.g. the facts of this particular request: a reply written for another patient misses
  them and cannot score well, whatever general points it makes);
- a ``forbidden`` rule that matches (e.g. another patient's PHI) caps the level at its
  ``cap``, 0 unless stated;
- a criterion whose required rules are all gates starts at 3;
- a criterion without required rules takes its level from the response's form: 1 + (word
  count within min..max) + (reading grade <= target + tolerance), capped by any forbidden
  rule it has (e.g. text-speak caps mechanics).
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
    counted = [r for r in required if not r.is_gate]
    present = [r.description for r in counted if rule_matches(r, text)]
    if counted:
        level = TOP_LEVEL * len(present) // len(counted)
    elif required:
        level = TOP_LEVEL
    else:
        level = 1 + form_ok
    failed_gates = [r for r in required if r.is_gate and not rule_matches(r, text)]
    forbidden = [r for r in rules if r.kind == "forbidden" and rule_matches(r, text)]
    for rule in (*failed_gates, *forbidden):
        level = min(level, rule.failure_cap)
    detail = {
        "criterion": criterion.id,
        "present": present
        + [r.description for r in required if r.is_gate and r not in failed_gates],
        "missing": [r.description for r in counted if r.description not in present]
        + [r.description for r in failed_gates],
        "forbidden": [r.description for r in forbidden],
        "capped_by": [
            {"rule": r.description, "cap": r.failure_cap} for r in (*failed_gates, *forbidden)
        ],
    }
    return level, detail


def criterion_levels(item: ConstructedResponseItem, answer: str) -> dict[str, int]:
    """The provisional level of every criterion for a non-empty response."""
    return {c["criterion"]: c["level"] for c in _assess(item, answer)[1]["criteria"]}


def _assess(item: ConstructedResponseItem, answer: str) -> tuple[float, dict[str, Any]]:
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
    return points, feedback


def score(item: ConstructedResponseItem, answer: str | None) -> ItemScore:
    """Provisional score of a validated free-text answer; feedback explains every level."""
    if answer is None or not answer.strip():
        return unanswered(item, provisional=True)
    points, feedback = _assess(item, answer)
    return scored(item, points / item.points, feedback, provisional=True)
