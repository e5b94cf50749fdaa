"""Content-level Structs: competencies, assessments, forms and a loaded content version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

import msgspec

from service.assessments.items import Item

NonEmptyStr = Annotated[str, msgspec.Meta(min_length=1)]


class Problem(msgspec.Struct, frozen=True):
    """One content problem, precise enough for an author to fix: file, item, field, message."""

    file: str
    item_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item_id or '-'}: {self.field or '-'}: {self.message}"


class ContentError(Exception):
    """Raised by load_content when the tree has problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} content problem(s):\n{shown}{more}")


class _Strict(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base for Structs decoded straight from TOML."""


class Competency(_Strict, frozen=True):
    """A competency of the framework, with four level descriptors and training pointers."""

    id: NonEmptyStr
    name: NonEmptyStr
    description: NonEmptyStr
    levels: tuple[str, ...]
    training: tuple[str, ...]
    credentials: tuple[Literal["CCA", "RHIT", "CHDA"], ...] = ()


class Section(_Strict, frozen=True):
    """A section of an assessment; items name it by id."""

    id: NonEmptyStr
    title: NonEmptyStr
    intro: str = ""


class Scale(_Strict, frozen=True):
    """Scaled-score range; the raw cut maps exactly onto ``cut``."""

    min: int = 100
    cut: int = 300
    max: int = 400


class CutScore(_Strict, frozen=True, kw_only=True):
    """How the pass mark was set, and whether it is still provisional.

    Ratings written by the item authors are ``provisional`` until a panel of trained judges
    rates the items; every cut shown to a user says which it is.
    """

    method: Literal["modified Angoff"] = "modified Angoff"
    status: Literal["provisional", "final"]
    note: NonEmptyStr


class Assessment(_Strict, frozen=True, kw_only=True):
    """An assessment definition (assessment.toml); ``form_ids`` is filled in by the loader.

    ``level`` ("clerk" or "coder"), when set, is the level every item must carry.
    """

    id: NonEmptyStr
    title: NonEmptyStr
    description: str = ""
    time_limit_minutes: Annotated[int, msgspec.Meta(gt=0)]
    sections: tuple[Section, ...]
    blueprint: dict[str, float]
    cut_score: CutScore
    level: Literal["clerk", "coder"] | None = None
    scale: Scale = msgspec.field(default_factory=Scale)
    form_ids: tuple[str, ...] = ()


class Package(_Strict, frozen=True):
    """A named set of assessments an invitation can offer at once (rubrics/packages.toml)."""

    id: Annotated[str, msgspec.Meta(pattern=r"^[a-z_]{2,40}$")]
    title: NonEmptyStr
    description: NonEmptyStr
    assessments: tuple[str, ...]


class Form(msgspec.Struct, frozen=True, kw_only=True):
    """A parallel form: its items in delivery order plus derived totals.

    ``raw_cut`` is the modified-Angoff raw cut (see scaling.angoff_raw_cut).
    """

    id: str
    assessment: str
    items: tuple[Item, ...]
    max_points: float
    raw_cut: float


class HcpcsCode(_Strict, frozen=True):
    """One HCPCS Level II code our keys may use."""

    code: NonEmptyStr
    description: str = ""


class HcpcsCodeSet(_Strict, frozen=True):
    """rubrics/code_sets/hcpcs.toml: the HCPCS Level II codes keys may use, with provenance."""

    source: NonEmptyStr
    release: NonEmptyStr
    codes: tuple[HcpcsCode, ...] = ()


class ContentVersion(msgspec.Struct, frozen=True, kw_only=True):
    """An immutable loaded item bank. ``version_id`` = "c-" + first 12 hex of ``content_hash``."""

    version_id: str
    content_hash: str
    root: str
    competencies: Mapping[str, Competency]
    assessments: Mapping[str, Assessment]
    forms: Mapping[str, Form]
    items: Mapping[str, Item]
    hcpcs_codes: frozenset[str]
    packages: Mapping[str, Package] = msgspec.field(default_factory=dict)
