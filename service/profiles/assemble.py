"""Build a :class:`ProfileData` from scored attempts, the content and the readiness estimate.

Pure functions of their inputs (no database, no rendering), so the same numbers appear in
the PDF, the HR API and the dashboard. Rules, each documented where it is applied:

* A competency's percent pools raw and max points over every attempt that assessed it.
* Its cut percent is the modified-Angoff expectation for that competency's items on the
  forms taken: sum of (mean judge rating x points) over sum of points.
* Levels (the content's four descriptors) follow the cut: below ``cut - 15`` points is
  "Not yet", below the cut "Developing", from the cut to halfway between cut and 100
  "Proficient", above that "Advanced".
* Percentile rank in the norm group is the mid-rank: share scoring lower plus half the share
  scoring the same, so a group of identical scores puts everyone at the 50th percentile. It
  is left out (None) when the group has fewer than ``min_norm_size`` people. The group
  counts each person once (see ``sources.load_norms``).
* Points of written answers still awaiting two human ratings are left out of competency
  percents (and so of levels, gaps and norms), as they are of the readiness estimate: a
  machine's first reading never decides anything.
* The readiness explanation is worded for the reader: "Your ... score" on the candidate's
  copy, "The ... score" on the employer's; the estimate always says what the model was
  trained on (simulated candidates or real hiring outcomes) and whether it is provisional.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from datetime import datetime

import msgspec

from service.assessments.bank import ContentVersion
from service.assessments.levels import LEVELS, competency_cut_percents, level_index
from service.assessments.scores import AttemptScore
from service.profiles.data import (
    AssessmentTaken,
    CompetencyResult,
    GapPlan,
    IntegritySignal,
    ProfileData,
    RaterNote,
    ReadinessSummary,
    Strength,
    Variant,
    Versions,
    form_label,
)
from service.readiness.evaluation import CalibrationBin
from service.readiness.predict import (
    PLAIN_NAMES,
    CompetencyEffect,
    ReadinessEstimate,
    candidate_sentence,
)

BAND_LABELS = {"ready": "Ready", "nearly_ready": "Nearly ready", "not_yet": "Not yet ready"}
MIN_NORM_SIZE = 10  # fewer scores than this make a percentile too unstable to print


class CompetencyPoints(msgspec.Struct, frozen=True):
    """Raw and maximum points one attempt earned in one competency (``provisional_*``: the
    part from written answers awaiting rating)."""

    competency_id: str
    raw: float
    max: float
    provisional_raw: float = 0.0
    provisional_max: float = 0.0


class ScoredAttempt(msgspec.Struct, frozen=True, kw_only=True):
    """A scored attempt as the profile needs it (from the engine or the current scoring run)."""

    assessment_id: str
    form_id: str
    completed_at: datetime | None
    scaled_score: float
    passed: bool
    provisional: bool
    competencies: tuple[CompetencyPoints, ...]
    scoring_run_id: str | None = None
    awaiting_rating: bool = False

    @classmethod
    def from_score(
        cls, score: AttemptScore, *, completed_at: datetime | None, scoring_run_id: str | None
    ) -> ScoredAttempt:
        """Adapt the engine's :class:`AttemptScore`."""
        return cls(
            assessment_id=score.assessment_id,
            form_id=score.form_id,
            completed_at=completed_at,
            scaled_score=score.scaled_score,
            passed=score.passed,
            provisional=score.provisional,
            competencies=tuple(
                CompetencyPoints(
                    competency_id=c.competency_id,
                    raw=c.raw,
                    max=c.max,
                    provisional_raw=c.provisional_raw,
                    provisional_max=c.provisional_max,
                )
                for c in score.competency_scores
            ),
            scoring_run_id=scoring_run_id,
            awaiting_rating=score.awaiting_rating,
        )


class ReadinessInput(msgspec.Struct, frozen=True):
    """The estimate plus the calibration evidence and provenance of the model that produced
    it; ``awaiting_rating`` counts the written answers it was computed without."""

    estimate: ReadinessEstimate
    calibration_bins: tuple[CalibrationBin, ...]
    ece: float | None  # None: the model's calibration evidence is unavailable
    ece_bins: int = 15
    provenance: str | None = None  # "simulated", "real", or None when unknown
    awaiting_rating: int = 0


class Norms(msgspec.Struct, frozen=True):
    """Competency percents of the comparison group (one per person), and how to name it."""

    label: str
    percents: Mapping[str, Sequence[float]]


def percentile_rank(value: float, group: Sequence[float]) -> float | None:
    """Mid-rank percentile of ``value`` in ``group`` (None for an empty group)."""
    if not group:
        return None
    ordered = sorted(group)
    below = bisect.bisect_left(ordered, value)
    equal = bisect.bisect_right(ordered, value) - below
    return 100.0 * (below + 0.5 * equal) / len(ordered)


def calibration_sentence(
    probability: float,
    bins: Sequence[CalibrationBin],
    ece: float | None,
    ece_bins: int,
    provenance: str | None = None,
) -> str:
    """One plain sentence on how well estimates near ``probability`` matched outcomes, saying
    whether those outcomes were simulated."""
    if ece is None:
        return "Calibration evidence for this model is not available."
    near = next((b for b in bins if b.lower <= probability <= b.upper and b.count > 0), None)
    tail = f"(expected calibration error {ece:.3f} over {ece_bins} bins)"
    simulated = provenance == "simulated"
    who = "simulated candidates (not real people)" if simulated else "past candidates"
    met = "met the standard in the simulation" if simulated else "met the standard"
    if near is None:
        return f"Few {who} received estimates near {probability:.0%}; overall {tail}."
    return (
        f"Among {near.count} {who} given estimates near {near.mean_predicted:.0%}, "
        f"{near.observed_rate:.0%} {met} {tail}."
    )


def basis_sentence(provenance: str | None, organization_name: str) -> str:
    """Where the estimate comes from, in one plain sentence."""
    if provenance == "simulated":
        return (
            "Simulated, not observed: this estimate comes from a model trained on simulated "
            f"candidates, because {organization_name} has not yet reported enough real hiring "
            "outcomes. It shows what the assessments' design implies, not what happened to "
            "real hires."
        )
    if provenance == "real":
        return (
            f"This estimate comes from a model trained on real hiring outcomes reported "
            f"by {organization_name}."
        )
    return "The data this estimate's model was trained on is not recorded."


def provisional_sentence(waiting: int, variant: Variant) -> str:
    """Why an estimate is provisional (computed without written answers awaiting rating)."""
    answers = "written answer" if waiting == 1 else "written answers"
    whose = "your" if variant == "candidate" else "the candidate's"
    return (
        f"Provisional: computed without {whose} {waiting} {answers} still being rated by two "
        "trained raters; it will be updated when their ratings are final."
    )


def effect_sentence(effect: CompetencyEffect, variant: Variant) -> str:
    """How one competency moved the estimate, worded for the copy's reader."""
    name = PLAIN_NAMES.get(effect.competency_id, effect.competency_id.replace("_", " "))
    points = abs(effect.change) * 100
    typical = effect.typical_percent
    if variant == "candidate":
        return candidate_sentence(name, effect.percent, typical, effect.change)
    if effect.percent is None:
        return (
            f"The candidate has not been assessed on {name} yet, so a typical score of "
            f"{typical:.0f}% was assumed."
        )
    direction = "above" if effect.change > 0 else "below"
    moved = "raised" if effect.change > 0 else "lowered"
    return (
        f"The {name} score ({effect.percent:.0f}%) is {direction} the typical "
        f"{typical:.0f}%, which {moved} the estimate by about {points:.0f} percentage "
        "points."
    )


def _split_level(descriptor: str) -> str:
    """Content writes levels as "Name: what the person does"; keep the description."""
    name, sep, rest = descriptor.partition(":")
    return rest.strip() if sep and name.strip() in LEVELS else descriptor


def _competency_percents(
    attempts: Sequence[ScoredAttempt],
) -> tuple[dict[str, float], set[str]]:
    """Settled percent per competency (points awaiting rating left out) and the
    competencies that had such points."""
    raw: dict[str, float] = {}
    maximum: dict[str, float] = {}
    waiting: set[str] = set()
    for attempt in attempts:
        for c in attempt.competencies:
            raw[c.competency_id] = raw.get(c.competency_id, 0.0) + c.raw - c.provisional_raw
            maximum[c.competency_id] = maximum.get(c.competency_id, 0.0) + c.max - c.provisional_max
            if c.provisional_max > 0:
                waiting.add(c.competency_id)
    percents = {
        cid: 100.0 * max(raw[cid], 0.0) / maximum[cid] for cid in maximum if maximum[cid] > 1e-9
    }
    return percents, waiting


def _readiness(
    readiness: ReadinessInput | None, variant: Variant, organization_name: str
) -> ReadinessSummary | None:
    if readiness is None:
        return None
    est = readiness.estimate
    return ReadinessSummary(
        probability=est.probability,
        band=BAND_LABELS.get(est.band, est.band),
        lower=est.lower,
        upper=est.upper,
        explanation=tuple(effect_sentence(e, variant) for e in est.effects),
        calibration=calibration_sentence(
            est.probability,
            readiness.calibration_bins,
            readiness.ece,
            readiness.ece_bins,
            readiness.provenance,
        ),
        provenance=readiness.provenance,
        basis=" ".join(
            filter(
                None,
                (
                    basis_sentence(readiness.provenance, organization_name),
                    provisional_sentence(readiness.awaiting_rating, variant)
                    if readiness.awaiting_rating
                    else "",
                ),
            )
        ),
        provisional=readiness.awaiting_rating > 0,
    )


def build_profile_data(
    *,
    profile_id: str,
    variant: Variant,
    issued_at: datetime,
    candidate_name: str,
    organization_name: str,
    content: ContentVersion,
    attempts: Sequence[ScoredAttempt],
    readiness: ReadinessInput | None = None,
    norms: Norms | None = None,
    integrity: Sequence[IntegritySignal] = (),
    rater_notes: Sequence[RaterNote] = (),
    min_norm_size: int = MIN_NORM_SIZE,
) -> ProfileData:
    """Assemble the profile; employer-only inputs are dropped for the candidate variant."""
    percents, waiting = _competency_percents(attempts)
    cuts = competency_cut_percents(content, [a.form_id for a in attempts])
    results: list[CompetencyResult] = []
    for cid, competency in content.competencies.items():
        if cid not in percents:
            continue
        percent, cut = percents[cid], cuts.get(cid, 0.0)
        level = level_index(percent, cut)
        group = norms.percents.get(cid, ()) if norms else ()
        results.append(
            CompetencyResult(
                id=cid,
                name=competency.name,
                percent=round(percent, 1),
                level=LEVELS[level],
                level_descriptor=_split_level(competency.levels[level]),
                cut_percent=round(cut, 1),
                percentile=percentile_rank(percent, group) if len(group) >= min_norm_size else None,
                norm_group=norms.label if norms else "",
                norm_size=len(group),
                awaiting_rating=cid in waiting,
            )
        )
    strengths = tuple(
        Strength(competency_id=r.id, competency_name=r.name, sentence=r.level_descriptor)
        for r in results
        if r.level == "Advanced"
    )
    gaps = tuple(
        GapPlan(
            competency_id=r.id,
            competency_name=r.name,
            sentence="Aim for the proficient level: "
            + _split_level(content.competencies[r.id].levels[2]),
            training=content.competencies[r.id].training,
            credentials=content.competencies[r.id].credentials,
        )
        for r in sorted(results, key=lambda r: r.percent - r.cut_percent)
        if r.percent < r.cut_percent
    )
    employer = variant == "employer"
    model_version = readiness.estimate.model_version if readiness else None
    return ProfileData(
        profile_id=profile_id,
        variant=variant,
        issued_at=issued_at,
        candidate_name=candidate_name,
        organization_name=organization_name,
        assessments=tuple(
            AssessmentTaken(
                assessment_id=a.assessment_id,
                title=content.assessments[a.assessment_id].title,
                form_id=a.form_id,
                completed_at=a.completed_at,
                scaled_score=a.scaled_score,
                cut_score=content.assessments[a.assessment_id].scale.cut,
                passed=a.passed,
                provisional=a.provisional,
                cut_provisional=(
                    content.assessments[a.assessment_id].cut_score.status == "provisional"
                ),
                awaiting_rating=a.awaiting_rating,
                form_label=form_label(a.form_id),
            )
            for a in attempts
        ),
        competencies=tuple(results),
        versions=Versions(
            content_version=content.version_id,
            model_version=model_version,
            scoring_run_ids=tuple(a.scoring_run_id for a in attempts if a.scoring_run_id),
        ),
        readiness=_readiness(readiness, variant, organization_name),
        strengths=strengths,
        gaps=gaps,
        integrity=tuple(integrity) if employer else (),
        rater_notes=tuple(rater_notes) if employer else (),
    )
