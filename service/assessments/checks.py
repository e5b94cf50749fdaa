"""Semantic content checks run after decoding: keys, references, blueprints, parallel forms."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from service.assessments.bank import Assessment, ContentVersion, Problem
from service.assessments.codes import CPT_LIKE, icd_status, normalise_code
from service.assessments.content import DecodedTree
from service.assessments.exemplars import exemplar_problems, rule_problems
from service.assessments.items import (
    ClassificationItem,
    CodeEntryItem,
    ConstructedResponseItem,
    Item,
    MultipleChoiceItem,
    OrderingItem,
    RecordMatchingItem,
    SetSelectionItem,
    SingleChoiceItem,
    SpanMarkingItem,
)
from service.assessments.scorers.ordering import kendall_tau

_Flag = Callable[[str, str], None]  # the per-item ``flag(field, message)`` callback
BLUEPRINT_TOLERANCE_PP = 5.0
MAX_CODES_PER_ANSWER = 10
_ITEM_ID = re.compile(r"^[A-Z]{3}-(?P<form>[A-Z])-\d{2,}$")
_FORM_ID = re.compile(r"^(?P<assessment>[a-z_]+)-(?P<letter>[a-z])$")


def semantic_problems(decoded: DecodedTree) -> list[Problem]:
    """Every problem in a decoded tree that decoding alone cannot see."""
    content = decoded.version
    problems: list[Problem] = []
    for competency in content.competencies.values():
        if len(competency.levels) != 4:
            problems.append(
                Problem(
                    "competencies.toml",
                    competency.id,
                    "levels",
                    f"needs exactly 4 level descriptors, has {len(competency.levels)}",
                )
            )
    for assessment in content.assessments.values():
        problems += _assessment_problems(
            assessment, content, decoded.assessment_files[assessment.id]
        )
    for form in content.forms.values():
        rel = decoded.form_files[form.id]
        assessment = content.assessments[form.assessment]
        match = _FORM_ID.match(form.id)
        letter = rel.rsplit("form-", 1)[-1].removesuffix(".toml")
        if match is None or match["assessment"] != form.assessment or match["letter"] != letter:
            problems.append(Problem(rel, "", "id", f"form id must be {form.assessment}-{letter}"))
        judges = {len(item.angoff) for item in form.items}
        if len(judges) > 1:
            problems.append(
                Problem(
                    rel,
                    "",
                    "angoff",
                    f"items have different numbers of Angoff judges: {sorted(judges)}",
                )
            )
        for item in form.items:
            item_match = _ITEM_ID.match(item.id)
            if item_match is None or item_match["form"] != letter.upper():
                problems.append(
                    Problem(rel, item.id, "id", f"must look like XXX-{letter.upper()}-nn")
                )
            problems += _item_problems(item, assessment, content, rel)
    problems += _blueprint_problems(content, decoded)
    problems += _package_problems(content)
    return problems


def _package_problems(content: ContentVersion) -> list[Problem]:
    problems: list[Problem] = []
    for package in content.packages.values():
        if not package.assessments:
            problems.append(
                Problem(
                    "packages.toml",
                    package.id,
                    "assessments",
                    "a package needs at least one assessment",
                )
            )
        if len(set(package.assessments)) != len(package.assessments):
            problems.append(
                Problem("packages.toml", package.id, "assessments", "lists an assessment twice")
            )
        for index, assessment_id in enumerate(package.assessments):
            if assessment_id not in content.assessments:
                problems.append(
                    Problem(
                        "packages.toml",
                        package.id,
                        f"assessments[{index}]",
                        f"unknown assessment {assessment_id!r}",
                    )
                )
    return problems


def _assessment_problems(
    assessment: Assessment, content: ContentVersion, rel: str
) -> list[Problem]:
    problems: list[Problem] = []
    total = sum(assessment.blueprint.values())
    if abs(total - 100.0) > 1e-6:
        problems.append(Problem(rel, "", "blueprint", f"weights sum to {total:g}, not 100"))
    for competency_id in assessment.blueprint:
        if competency_id not in content.competencies:
            problems.append(Problem(rel, "", f"blueprint.{competency_id}", "unknown competency"))
    sections = Counter(s.id for s in assessment.sections)
    for section_id, count in sections.items():
        if count > 1:
            problems.append(Problem(rel, "", "sections", f"duplicate section id {section_id!r}"))
    scale = assessment.scale
    if not scale.min < scale.cut < scale.max:
        problems.append(Problem(rel, "", "scale", "needs min < cut < max"))
    if len(assessment.form_ids) < 2:
        problems.append(
            Problem(
                rel, "", "", f"needs at least two parallel forms, has {len(assessment.form_ids)}"
            )
        )
    return problems


def _item_problems(
    item: Item, assessment: Assessment, content: ContentVersion, rel: str
) -> list[Problem]:
    problems: list[Problem] = []

    def flag(field: str, message: str) -> None:
        problems.append(Problem(rel, item.id, field, message))

    if item.competency not in content.competencies:
        flag("competency", f"unknown competency {item.competency!r}")
    elif item.competency not in assessment.blueprint:
        flag("competency", f"{item.competency!r} has no weight in the {assessment.id} blueprint")
    if item.section not in {s.id for s in assessment.sections}:
        flag("section", f"unknown section {item.section!r} in assessment {assessment.id!r}")
    if assessment.level is not None and item.level != assessment.level:
        flag("level", f"every item of {assessment.id!r} carries level {assessment.level!r}")
    if isinstance(item, CodeEntryItem) and item.level is None:
        flag("level", 'a coding item carries a level: "clerk" or "coder"')
    if not item.angoff:
        flag("angoff", "needs at least one judge's rating")
    for index, rating in enumerate(item.angoff):
        if not 0.0 <= rating <= 1.0:
            flag(f"angoff[{index}]", f"{rating} is outside [0, 1]")
    if isinstance(item, CodeEntryItem):
        _code_problems(item, content.hcpcs_codes, flag)
        _near_miss_problems(item, content.hcpcs_codes, flag)
    else:
        for checker in _TYPE_CHECKS.get(type(item), ()):
            checker(item, flag)
    return problems


def _option_problems(
    item: SingleChoiceItem | MultipleChoiceItem | SetSelectionItem, flag: _Flag
) -> None:
    ids = [o.id for o in item.options]
    for option_id, count in Counter(ids).items():
        if count > 1:
            flag("options", f"duplicate option id {option_id!r}")
    if isinstance(item, SingleChoiceItem):
        if not 3 <= len(ids) <= 5:
            flag("options", f"needs 3-5 options, has {len(ids)}")
        keys: tuple[str, ...] = (item.key,)
    else:
        keys = item.key
        if len(ids) < 2:
            flag("options", "needs at least 2 options")
        if not keys:
            flag("key", "needs at least one keyed option")
        if len(set(keys)) != len(keys):
            flag("key", "lists an option twice")
    for key in keys:
        if key not in item.option_ids:
            flag("key", f"{key!r} is not an option id")
    if not isinstance(item, SingleChoiceItem) and set(keys) >= item.option_ids:
        flag("key", "keys every option: choosing everything would earn full marks")


def _code_problems(item: CodeEntryItem, hcpcs: frozenset[str], flag: _Flag) -> None:
    if not item.key:
        flag("key", "needs at least one code")
    if len(item.key) > MAX_CODES_PER_ANSWER:
        flag("key", f"more than {MAX_CODES_PER_ANSWER} codes")
    if len(set(item.key)) != len(item.key):
        flag("key", "lists a code twice")
    for index, code in enumerate(item.key):
        field = f"key[{index}]"
        if CPT_LIKE.search(code):
            flag(field, f"{code!r} looks like a CPT code; CPT must not ship (AMA copyright)")
            continue
        canonical = normalise_code(code, item.system)
        if canonical != code:
            flag(field, f"write {code!r} as {canonical!r}")
        if item.system == "icd10cm":
            status = icd_status(canonical)
            if status == "invalid":
                flag(field, f"{code!r} is not an ICD-10-CM code")
            elif status == "nonbillable":
                flag(field, f"{code!r} is not billable (it has subcodes); keys must be leaf codes")
        elif canonical not in hcpcs:
            flag(field, f"{code!r} is not listed in code_sets/hcpcs.toml")


def _near_miss_problems(item: CodeEntryItem, hcpcs: frozenset[str], flag: _Flag) -> None:
    seen: set[tuple[str, str]] = set()
    for index, near in enumerate(item.rubric.near_misses):
        field = f"rubric.near_misses[{index}]"
        if near.instead_of not in item.key:
            flag(f"{field}.instead_of", f"{near.instead_of!r} is not a key code")
        if near.code in item.key:
            flag(f"{field}.code", f"{near.code!r} is a key code, not a near miss")
        if normalise_code(near.code, item.system) != near.code:
            flag(
                f"{field}.code",
                f"write {near.code!r} as {normalise_code(near.code, item.system)!r}",
            )
        valid = (
            icd_status(near.code) != "invalid" if item.system == "icd10cm" else near.code in hcpcs
        )
        if not valid:
            flag(f"{field}.code", f"{near.code!r} is not a real {item.system} code")
        if (near.code, near.instead_of) in seen:
            flag(field, "names the same near miss twice")
        seen.add((near.code, near.instead_of))


def _span_problems(item: SpanMarkingItem, flag: _Flag) -> None:
    if not item.spans:
        flag("spans", "needs at least one gold span")
    ordered = sorted(item.spans, key=lambda s: s.start)
    for first, second in itertools.pairwise(ordered):
        if second.start < first.end:
            flag("spans", f"gold spans {first.text!r} and {second.text!r} overlap")
    for index, span in enumerate(item.spans):
        if not 0 <= span.start < span.end <= len(item.document):
            flag(f"spans[{index}]", "lies outside the document")


def _ordering_problems(item: OrderingItem, flag: _Flag) -> None:
    ids = [e.id for e in item.elements]
    if len(ids) < 2:
        flag("elements", "needs at least 2 elements")
    if len(set(ids)) != len(ids):
        flag("elements", "duplicate element id")
    if sorted(item.key) != sorted(ids):
        flag("key", "must list every element id exactly once")
        return
    for element_id, latest in item.deadlines:
        position = item.key_rank[element_id] + 1
        if position > latest:
            flag("key", f"places {element_id!r} at {position}, after its must_be_within {latest}")
    # An untouched ordering item submits the elements as listed: that must earn nothing.
    shown = [e.id for e in item.elements]
    late = sum(1 for element_id, latest in item.deadlines if shown.index(element_id) >= latest)
    tau = kendall_tau([item.key_rank[element_id] for element_id in shown])
    if max(0.0, tau) - item.rubric.deadline_penalty * late > 0:
        flag(
            "elements",
            f"listed in an order that already earns credit (Kendall tau "
            f"{tau:.2f}); list them so that submitting them untouched earns nothing",
        )


def _record_problems(item: RecordMatchingItem, flag: _Flag) -> None:
    ids = [r.id for r in item.records]
    if len(set(ids)) != len(ids):
        flag("records", "duplicate record id")
    for index, record in enumerate(item.records):
        if len(record.values) != len(item.fields):
            flag(
                f"records[{index}].values",
                f"has {len(record.values)} values for {len(item.fields)} fields",
            )
    listed = [record_id for cluster in item.key for record_id in cluster]
    if sorted(listed) != sorted(ids):
        flag("key", "every record must appear in exactly one cluster")
    if any(not cluster for cluster in item.key):
        flag("key", "empty cluster")
    if not item.key_pairs:
        flag("key", "groups no records: leaving every record separate would earn full marks")


def _classification_problems(item: ClassificationItem, flag: _Flag) -> None:
    for label, parts in (("categories", item.categories), ("entries", item.entries)):
        ids = [p.id for p in parts]
        if len(set(ids)) != len(ids):
            flag(label, f"duplicate {label[:-1].replace('ie', 'y')} id")
    if len(item.categories) < 2:
        flag("categories", "needs at least 2 categories")
    if len(item.entries) < 2:
        flag("entries", "needs at least 2 entries")
    if set(item.key) != item.entry_ids:
        flag("key", "must place every entry exactly once")
    for entry_id, category_id in sorted(item.key.items()):
        if category_id not in item.category_ids:
            flag(f"key.{entry_id}", f"{category_id!r} is not a category id")
    if len(set(item.key.values())) < 2:
        flag("key", "uses one category only: placing everything there would earn full marks")


def _constructed_problems(item: ConstructedResponseItem, flag: _Flag) -> None:
    criteria = [c.id for c in item.criteria]
    if not criteria:
        flag("criteria", "needs at least one criterion")
    if len(set(criteria)) != len(criteria):
        flag("criteria", "duplicate criterion id")
    for index, criterion in enumerate(item.criteria):
        if len(criterion.levels) != 4:
            flag(f"criteria[{index}].levels", "needs exactly 4 level descriptors (0..3)")
    if item.min_words >= item.max_words:
        flag("max_words", "must exceed min_words")
    for index, rule in enumerate(item.rules):
        if rule.criterion not in criteria:
            flag(f"rules[{index}].criterion", f"unknown criterion {rule.criterion!r}")
        if not rule.patterns:
            flag(f"rules[{index}].patterns", "needs at least one pattern")
        for number, pattern in enumerate(rule.patterns):
            try:
                re.compile(pattern)
            except re.error as error:
                flag(f"rules[{index}].patterns[{number}]", f"invalid regex: {error}")


_TYPE_CHECKS: dict[type, tuple[Callable[[Any, _Flag], None], ...]] = {
    SingleChoiceItem: (_option_problems,),
    MultipleChoiceItem: (_option_problems,),
    SetSelectionItem: (_option_problems,),
    SpanMarkingItem: (_span_problems,),
    OrderingItem: (_ordering_problems,),
    RecordMatchingItem: (_record_problems,),
    ClassificationItem: (_classification_problems,),
    ConstructedResponseItem: (_constructed_problems, rule_problems, exemplar_problems),
}


def _blueprint_problems(content: ContentVersion, decoded: DecodedTree) -> list[Problem]:
    problems: list[Problem] = []
    for assessment in content.assessments.values():
        forms = [content.forms[form_id] for form_id in assessment.form_ids]
        shapes: dict[str, tuple[dict[str, int], float]] = {}
        for form in forms:
            rel = decoded.form_files[form.id]
            by_competency: dict[str, float] = defaultdict(float)
            counts: Counter[str] = Counter()
            for item in form.items:
                by_competency[item.competency] += item.points
                counts[item.competency] += 1
            for competency_id, weight in assessment.blueprint.items():
                share = (
                    100.0 * by_competency[competency_id] / form.max_points
                    if form.max_points
                    else 0.0
                )
                if abs(share - weight) > BLUEPRINT_TOLERANCE_PP:
                    problems.append(
                        Problem(
                            rel,
                            "",
                            f"blueprint.{competency_id}",
                            f"{share:.1f}% of max points, blueprint weight {weight:g}% "
                            f"(tolerance {BLUEPRINT_TOLERANCE_PP:g} points)",
                        )
                    )
            shapes[form.id] = (dict(sorted(counts.items())), form.max_points)
        if len({repr(shape) for shape in shapes.values()}) > 1:
            described = "; ".join(
                f"{form_id}: {counts} max {total:g}" for form_id, (counts, total) in shapes.items()
            )
            problems.append(
                Problem(
                    decoded.assessment_files[assessment.id],
                    "",
                    "forms",
                    f"parallel forms differ in items per competency or max points: {described}",
                )
            )
    return problems
