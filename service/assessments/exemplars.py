"""Exemplar answers (anchor papers) of constructed responses, and the checks they drive.

Every constructed-response item carries at least ``MIN_EXEMPLARS`` exemplar answers, each
with the level per criterion a trained rater gives it: one or more model answers (every
criterion at the top level), near misses, and at least one off-topic reply written for
another patient or request. check-content scores each exemplar with the provisional scorer
and fails when a level differs from the one stated, when the off-topic reply would earn full
marks, or when some rule is never exercised both ways (matched by one exemplar and not by
another): a rule no exemplar tests is a rule nobody has checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import msgspec

from service.assessments.items import ConstructedResponseItem, Exemplar
from service.assessments.scorers.constructed_response import (
    TOP_LEVEL,
    criterion_levels,
    rule_matches,
)

MIN_EXEMPLARS = 6
_Flag = Callable[[str, str], None]


class ExemplarResult(msgspec.Struct, frozen=True):
    """How the provisional scorer levels one exemplar, next to the levels stated for it."""

    exemplar_id: str
    stated: dict[str, int]
    scored: dict[str, int]

    @property
    def agrees(self) -> bool:
        """True when every criterion scores exactly the stated level."""
        return self.stated == self.scored


def score_exemplars(item: ConstructedResponseItem) -> list[ExemplarResult]:
    """Score every exemplar of ``item`` with the provisional scorer."""
    return [
        ExemplarResult(e.id, dict(e.levels), criterion_levels(item, e.text)) for e in item.exemplars
    ]


def rule_problems(item: ConstructedResponseItem, flag: _Flag) -> None:
    """A cap at or above the top level would cap nothing."""
    for index, rule in enumerate(item.rules):
        if rule.cap is not None and rule.cap >= TOP_LEVEL:
            flag(f"rules[{index}].cap", "must be below the top level (0-2)")


def _patterns_compile(item: ConstructedResponseItem) -> bool:
    try:
        for rule in item.rules:
            for pattern in rule.patterns:
                re.compile(pattern)
    except re.error:
        return False
    return True


def exemplar_problems(item: ConstructedResponseItem, flag: _Flag) -> None:
    """Every problem with ``item``'s exemplars (see the module docstring).

    Exemplars are only scored when every rule's patterns compile (a broken pattern is
    reported by the rule checks).
    """
    _set_problems(item, flag)
    if not _patterns_compile(item):
        return
    complete = _level_problems(item, flag)
    if len(complete) >= 2:
        _coverage_problems(item, complete, flag)


def _set_problems(item: ConstructedResponseItem, flag: _Flag) -> None:
    exemplars = item.exemplars
    if len(exemplars) < MIN_EXEMPLARS:
        flag("exemplars", f"needs at least {MIN_EXEMPLARS} exemplar answers, has {len(exemplars)}")
    ids = [e.id for e in exemplars]
    if len(set(ids)) != len(ids):
        flag("exemplars", "duplicate exemplar id")
    kinds = {e.kind for e in exemplars}
    for kind in ("model", "near_miss", "off_topic"):
        if exemplars and kind not in kinds:
            flag("exemplars", f"needs at least one {kind!r} exemplar")


def _level_problems(item: ConstructedResponseItem, flag: _Flag) -> list[Exemplar]:
    """Check stated levels against the scorer; return the exemplars that state every level."""
    criteria = {c.id for c in item.criteria}
    complete: list[Exemplar] = []
    for index, exemplar in enumerate(item.exemplars):
        field = f"exemplars[{index}]"
        if set(exemplar.levels) != criteria:
            flag(f"{field}.levels", f"must give a level for exactly {sorted(criteria)}")
            continue
        complete.append(exemplar)
        top = all(level == TOP_LEVEL for level in exemplar.levels.values())
        if exemplar.kind == "model" and not top:
            flag(f"{field}.levels", "a model answer is at the top level on every criterion")
        if exemplar.kind == "off_topic" and top:
            flag(f"{field}.levels", "an off-topic reply must not earn full marks")
        scored = criterion_levels(item, exemplar.text)
        for criterion_id in sorted(criteria):
            if scored[criterion_id] != exemplar.levels[criterion_id]:
                flag(
                    f"{field}.levels.{criterion_id}",
                    f"exemplar {exemplar.id!r} scores {scored[criterion_id]}, stated "
                    f"{exemplar.levels[criterion_id]}",
                )
    return complete


def _coverage_problems(
    item: ConstructedResponseItem, exemplars: list[Exemplar], flag: _Flag
) -> None:
    for index, rule in enumerate(item.rules):
        hits = [rule_matches(rule, e.text) for e in exemplars]
        if all(hits):
            flag(
                f"rules[{index}]",
                f"{rule.description!r}: every exemplar matches it; add one that does not",
            )
        elif not any(hits):
            flag(
                f"rules[{index}]",
                f"{rule.description!r}: no exemplar matches it; add one that does",
            )
