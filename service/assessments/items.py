"""Item Structs: one frozen msgspec Struct per task type, a tagged union on ``type``.

Field names and defaults follow docs/content-format.md. Derived lookups the scorers need on
every call (option ids, key sets, element positions) are ``cached_property`` values, computed
once per loaded item.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated, Literal

import msgspec

Share = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
NonEmptyStr = Annotated[str, msgspec.Meta(min_length=1)]

SAFE_HARBOR_LABELS: tuple[str, ...] = (
    "name", "geographic", "date", "phone", "fax", "email", "ssn", "mrn", "health_plan_id",
    "account", "license", "vehicle", "device", "url", "ip", "biometric", "photo", "other_id",
)  # fmt: skip
SpanLabel = Literal[
    "name", "geographic", "date", "phone", "fax", "email", "ssn", "mrn", "health_plan_id",
    "account", "license", "vehicle", "device", "url", "ip", "biometric", "photo", "other_id",
]  # fmt: skip


class _Part(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base for the small tables inside an item."""


class Option(_Part, frozen=True):
    """One selectable option of a choice or set-selection item."""

    id: NonEmptyStr
    text: NonEmptyStr


class GoldSpan(_Part, frozen=True):
    """A gold PHI span; ``start``/``end`` are filled in by the loader from text+occurrence."""

    text: NonEmptyStr
    label: SpanLabel
    occurrence: Annotated[int, msgspec.Meta(ge=1)] = 1
    start: int = -1
    end: int = -1


class OrderElement(_Part, frozen=True):
    """An element to order; ``must_be_within`` = latest allowed 1-based position, if any."""

    id: NonEmptyStr
    text: NonEmptyStr
    must_be_within: Annotated[int, msgspec.Meta(ge=1)] | None = None


class MatchRecord(_Part, frozen=True):
    """One patient record shown in a master-patient-index item."""

    id: NonEmptyStr
    values: tuple[str, ...]


class Criterion(_Part, frozen=True):
    """One analytic-rubric criterion of a constructed response: four level descriptors 0..3."""

    id: NonEmptyStr
    name: NonEmptyStr
    levels: tuple[str, ...]
    weight: Annotated[float, msgspec.Meta(gt=0)] = 1.0


Level = Annotated[int, msgspec.Meta(ge=0, le=3)]
Cap = Annotated[int, msgspec.Meta(ge=0, le=2)]


class Rule(_Part, frozen=True):
    """An explainable rule feeding the provisional constructed-response score.

    ``cap`` makes the rule a gate: a ``required`` rule with a cap does not count towards the
    criterion's share of required points; when it is missing, the criterion's level is at
    most ``cap``. A ``forbidden`` rule that matches caps the level at ``cap`` (default 0).
    """

    kind: Literal["required", "forbidden"]
    criterion: NonEmptyStr
    description: NonEmptyStr
    patterns: tuple[str, ...]
    cap: Cap | None = None

    @property
    def is_gate(self) -> bool:
        """True for a required rule that caps the level when missing instead of counting."""
        return self.kind == "required" and self.cap is not None

    @property
    def failure_cap(self) -> int:
        """The highest level the criterion may keep when this rule fails."""
        return 0 if self.cap is None else self.cap


class Exemplar(_Part, frozen=True):
    """An anchor answer to a constructed response with the levels a trained rater gives it.

    ``kind``: "model" (a strong answer, every criterion at the top level), "near_miss" (a
    plausible answer that falls short somewhere) or "off_topic" (a reply written for another
    patient or request). check-content scores every exemplar and fails when the provisional
    levels differ from ``levels``.
    """

    id: NonEmptyStr
    kind: Literal["model", "near_miss", "off_topic"]
    text: NonEmptyStr
    levels: dict[str, Level]
    note: str = ""


class NearMiss(_Part, frozen=True):
    """A wrong code an item's rubric names as worth partial credit, with the reason why."""

    code: NonEmptyStr
    instead_of: NonEmptyStr
    credit: Annotated[float, msgspec.Meta(gt=0.0, lt=1.0)]
    reason: Annotated[str, msgspec.Meta(min_length=20)]


# ---- per-type rubric parameters (``[items.rubric]`` overrides these defaults) ----


SelectionRule = Literal["hits_minus_false_alarms", "all_or_nothing"]
Penalty = Annotated[float, msgspec.Meta(gt=0.0, le=1.0)]


class MultipleChoiceRubric(_Part, frozen=True):
    partial_credit: SelectionRule = "hits_minus_false_alarms"


class CodeEntryRubric(_Part, frozen=True):
    near_misses: tuple[NearMiss, ...] = ()
    sequencing_weight: Share = 0.2
    extra_code_penalty: Penalty = 0.5


class SpanMarkingRubric(_Part, frozen=True):
    min_overlap: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.5
    extra_mark_penalty: Penalty = 0.5


class OrderingRubric(_Part, frozen=True):
    deadline_penalty: Share = 0.5


class RecordMatchingRubric(_Part, frozen=True):
    false_merge_weight: Annotated[float, msgspec.Meta(gt=0)] = 2.0


class SetSelectionRubric(_Part, frozen=True):
    partial_credit: SelectionRule = "hits_minus_false_alarms"


class ClassificationRubric(_Part, frozen=True):
    partial_credit: SelectionRule = "hits_minus_false_alarms"


class NumericRubric(_Part, frozen=True):
    tolerance: Annotated[float, msgspec.Meta(ge=0)] = 0.0


class DateRubric(_Part, frozen=True):
    tolerance_days: Annotated[int, msgspec.Meta(ge=0)] = 0


class ConstructedResponseRubric(_Part, frozen=True):
    grade_tolerance: Annotated[float, msgspec.Meta(ge=0)] = 2.0


# ---- items ----


class ItemBase(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, dict=True,
    tag_field="type",
):  # fmt: skip
    """Fields every item carries."""

    id: NonEmptyStr
    section: NonEmptyStr
    competency: NonEmptyStr
    stem: NonEmptyStr
    points: Annotated[float, msgspec.Meta(gt=0)] = 1.0
    time_estimate_seconds: Annotated[int, msgspec.Meta(gt=0)]
    angoff: tuple[float, ...]
    rationale: NonEmptyStr
    level: Literal["clerk", "coder"] | None = None


class _OptionsMixin(ItemBase, frozen=True, kw_only=True):
    options: tuple[Option, ...]
    stimulus: str = ""

    @cached_property
    def option_ids(self) -> frozenset[str]:
        """Ids of the options offered."""
        return frozenset(o.id for o in self.options)


class SingleChoiceItem(_OptionsMixin, tag="single_choice", frozen=True, kw_only=True):
    key: NonEmptyStr


class MultipleChoiceItem(_OptionsMixin, tag="multiple_choice", frozen=True, kw_only=True):
    key: tuple[str, ...]
    rubric: MultipleChoiceRubric = msgspec.field(default_factory=MultipleChoiceRubric)

    @cached_property
    def key_set(self) -> frozenset[str]:
        """The key as a set."""
        return frozenset(self.key)


class SetSelectionItem(_OptionsMixin, tag="set_selection", frozen=True, kw_only=True):
    key: tuple[str, ...]
    rubric: SetSelectionRubric = msgspec.field(default_factory=SetSelectionRubric)

    @cached_property
    def key_set(self) -> frozenset[str]:
        """The key as a set."""
        return frozenset(self.key)


class CodeEntryItem(ItemBase, tag="code_entry", frozen=True, kw_only=True):
    system: Literal["icd10cm", "hcpcs"]
    stimulus: str = ""
    sequenced: bool = False
    key: tuple[str, ...]
    rubric: CodeEntryRubric = msgspec.field(default_factory=CodeEntryRubric)

    @cached_property
    def near_miss_credit(self) -> dict[tuple[str, str], float]:
        """(answer code, key code) -> credit, for the near misses the rubric names."""
        return {(n.code, n.instead_of): n.credit for n in self.rubric.near_misses}


class SpanMarkingItem(ItemBase, tag="span_marking", frozen=True, kw_only=True):
    document: NonEmptyStr
    spans: tuple[GoldSpan, ...]
    rubric: SpanMarkingRubric = msgspec.field(default_factory=SpanMarkingRubric)


class OrderingItem(ItemBase, tag="ordering", frozen=True, kw_only=True):
    elements: tuple[OrderElement, ...]
    stimulus: str = ""
    key: tuple[str, ...]
    rubric: OrderingRubric = msgspec.field(default_factory=OrderingRubric)

    @cached_property
    def element_ids(self) -> frozenset[str]:
        """Ids of the elements to order."""
        return frozenset(e.id for e in self.elements)

    @cached_property
    def key_rank(self) -> dict[str, int]:
        """0-based position of each element in the key."""
        return {element_id: i for i, element_id in enumerate(self.key)}

    @cached_property
    def deadlines(self) -> tuple[tuple[str, int], ...]:
        """(element id, latest allowed 1-based position) for time-bound elements."""
        return tuple((e.id, e.must_be_within) for e in self.elements if e.must_be_within)


class RecordMatchingItem(ItemBase, tag="record_matching", frozen=True, kw_only=True):
    fields: tuple[str, ...]
    records: tuple[MatchRecord, ...]
    stimulus: str = ""
    key: tuple[tuple[str, ...], ...]
    rubric: RecordMatchingRubric = msgspec.field(default_factory=RecordMatchingRubric)

    @cached_property
    def record_ids(self) -> frozenset[str]:
        """Ids of the records shown."""
        return frozenset(r.id for r in self.records)

    @cached_property
    def key_pairs(self) -> frozenset[tuple[str, str]]:
        """Unordered same-patient pairs implied by the key, each as (smaller, larger)."""
        return cluster_pairs(self.key)


class NumericItem(ItemBase, tag="numeric", frozen=True, kw_only=True):
    stimulus: str = ""
    unit: str = ""
    key: float
    rubric: NumericRubric = msgspec.field(default_factory=NumericRubric)


class DateItem(ItemBase, tag="date", frozen=True, kw_only=True):
    stimulus: str = ""
    key: dt.date
    rubric: DateRubric = msgspec.field(default_factory=DateRubric)


class ClassificationItem(ItemBase, tag="classification", frozen=True, kw_only=True):
    stimulus: str = ""
    categories: tuple[Option, ...]
    entries: tuple[Option, ...]
    key: dict[str, str]
    rubric: ClassificationRubric = msgspec.field(default_factory=ClassificationRubric)

    @cached_property
    def entry_ids(self) -> frozenset[str]:
        """Ids of the entries to classify."""
        return frozenset(e.id for e in self.entries)

    @cached_property
    def category_ids(self) -> frozenset[str]:
        """Ids of the categories offered."""
        return frozenset(c.id for c in self.categories)


class ConstructedResponseItem(ItemBase, tag="constructed_response", frozen=True, kw_only=True):
    stimulus: str = ""
    min_words: Annotated[int, msgspec.Meta(ge=0)]
    max_words: Annotated[int, msgspec.Meta(gt=0)]
    criteria: tuple[Criterion, ...]
    rules: tuple[Rule, ...] = ()
    exemplars: tuple[Exemplar, ...] = ()
    target_grade: float = 8.0
    rubric: ConstructedResponseRubric = msgspec.field(default_factory=ConstructedResponseRubric)

    @cached_property
    def rules_by_criterion(self) -> dict[str, tuple[Rule, ...]]:
        """The rules informing each criterion, by criterion id."""
        return {c.id: tuple(r for r in self.rules if r.criterion == c.id) for c in self.criteria}

    @cached_property
    def criteria_max_points(self) -> float:
        """Max points implied by the criteria: sum of weights x 3."""
        return sum(c.weight for c in self.criteria) * 3


Item = (
    SingleChoiceItem | MultipleChoiceItem | SetSelectionItem | CodeEntryItem | SpanMarkingItem
    | OrderingItem | RecordMatchingItem | NumericItem | DateItem | ClassificationItem
    | ConstructedResponseItem
)  # fmt: skip

ITEM_TYPES: tuple[str, ...] = (
    "single_choice", "multiple_choice", "code_entry", "span_marking", "ordering",
    "record_matching", "set_selection", "numeric", "date", "classification",
    "constructed_response",
)  # fmt: skip


def cluster_pairs(clusters: tuple[tuple[str, ...], ...]) -> frozenset[tuple[str, str]]:
    """All unordered pairs of ids that share a cluster, each as (smaller, larger)."""
    pairs: set[tuple[str, str]] = set()
    for cluster in clusters:
        members = sorted(cluster)
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                pairs.add((first, second))
    return frozenset(pairs)


def item_type(item: ItemBase) -> str:
    """The item's ``type`` tag, e.g. "code_entry"."""
    return str(type(item).__struct_config__.tag)
