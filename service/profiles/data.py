"""What a competency profile says, as msgspec Structs.

One :class:`ProfileData` is the single source for the PDF, the embedded ``profile.json``, the
signature and the public verification page. The canonical JSON of this Struct is what gets
signed, so any field added here is covered by the signature automatically.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

SCHEMA = "chartready.profile/1"

Variant = Literal["candidate", "employer"]
Severity = Literal["info", "low", "medium", "high"]
Percent = Annotated[float, Meta(ge=0.0, le=100.0)]
Probability = Annotated[float, Meta(ge=0.0, le=1.0)]


class AssessmentTaken(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One assessment the candidate completed, as it counts towards the profile.

    ``provisional``: some written answers still await two human ratings. ``awaiting_rating``:
    and the result depends on them, so it is neither passed nor failed yet. ``form_label``
    is what readers see ("Form A"); ``form_id`` stays for machines.
    """

    assessment_id: str
    title: str
    form_id: str
    completed_at: datetime | None
    scaled_score: float
    cut_score: float
    passed: bool
    provisional: bool = False
    cut_provisional: bool = False  # the pass mark rests on authors' Angoff ratings, no panel yet
    awaiting_rating: bool = False
    form_label: str = ""

    @property
    def result(self) -> str:
        """The result in words."""
        if self.awaiting_rating:
            return "Awaiting rating"
        return "Passed" if self.passed else "Not yet passed"


class ReadinessSummary(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The readiness estimate with its interval and the sentences that explain it.

    ``provenance`` is what the model was trained on ("simulated" or "real"; None when
    unknown) and ``basis`` says so in words; ``provisional`` marks an estimate computed
    without written answers that still await rating.
    """

    probability: Probability
    band: str
    lower: Probability
    upper: Probability
    explanation: tuple[str, ...]
    calibration: str
    provenance: str | None = None
    basis: str = ""
    provisional: bool = False


class CompetencyResult(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One competency's score, level and position against the cut and the norm group."""

    id: str
    name: str
    percent: Percent
    level: str
    level_descriptor: str
    cut_percent: Percent
    percentile: Percent | None
    norm_group: str
    norm_size: int = 0
    awaiting_rating: bool = False  # points from written answers awaiting rating left out


class Strength(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A competency the candidate did well in, with a sentence saying so."""

    competency_id: str
    competency_name: str
    sentence: str


class GapPlan(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A competency below the cut and what to learn next for it."""

    competency_id: str
    competency_name: str
    sentence: str
    training: tuple[str, ...]
    credentials: tuple[str, ...]


class IntegritySignal(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An integrity event summarised for employers (e.g. focus lost, paste)."""

    kind: str
    severity: Severity
    count: int
    description: str = ""


class RaterNote(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A human rater's note on a constructed response (employer variant only)."""

    item_id: str
    rater: str
    note: str


class Versions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Every version a number on the profile depends on, for reproduction."""

    content_version: str
    model_version: str | None
    scoring_run_ids: tuple[str, ...] = ()
    renderer: str = "profiles/1"


class ProfileData(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Everything one profile shows; its canonical JSON is what gets signed and embedded.

    Employer-only fields (``integrity``, ``rater_notes``) must be empty in the candidate
    variant; :func:`candidate_view` derives that variant from an employer one.
    """

    profile_id: str
    variant: Variant
    issued_at: datetime
    candidate_name: str
    organization_name: str
    assessments: tuple[AssessmentTaken, ...]
    competencies: tuple[CompetencyResult, ...]
    versions: Versions
    readiness: ReadinessSummary | None = None
    strengths: tuple[Strength, ...] = ()
    gaps: tuple[GapPlan, ...] = ()
    integrity: tuple[IntegritySignal, ...] = ()
    rater_notes: tuple[RaterNote, ...] = ()
    schema: str = SCHEMA

    def __post_init__(self) -> None:
        """Keep employer-only material out of the candidate's copy."""
        if self.variant == "candidate" and (self.integrity or self.rater_notes):
            raise ValueError("candidate profiles carry no integrity signals or rater notes")
        if self.issued_at.tzinfo is None:
            raise ValueError("issued_at must be timezone-aware")


def candidate_view(data: ProfileData, *, profile_id: str) -> ProfileData:
    """The candidate's variant of ``data``: same results, without employer-only material."""
    return msgspec.structs.replace(
        data, profile_id=profile_id, variant="candidate", integrity=(), rater_notes=()
    )


def form_label(form_id: str) -> str:
    """What readers see for a parallel form: "Form A" for coding-a."""
    letter = form_id.rsplit("-", 1)[-1]
    return f"Form {letter.upper()}" if len(letter) == 1 and letter.isalpha() else "—"


def initials(full_name: str) -> str:
    """Initials of a name for public pages ("Ana María Ruiz" -> "A. M. R.")."""
    parts = [p for p in full_name.replace("-", " ").split() if p[:1].isalpha()]
    return " ".join(f"{p[0].upper()}." for p in parts) or "?"
