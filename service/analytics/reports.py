"""The three statistics over stored data, each as one report Struct a page, the JSON API
or a CSV export can use: item analysis per form, DIF per item, a bias audit of an outcome.

Each report carries its ``coverage``: the selection, the data's actual date range and
whether the people behind the numbers are simulated or real.
"""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import msgspec
import numpy as np

from service.analytics.marks import FormMarks, load_form_marks
from service.analytics.population import NEEDS_ASSESSMENT, Outcome, load_population
from service.analytics.selection import CohortRef, Coverage, Selection, coverage, resolve
from service.assessments.bank import ContentVersion, Form
from service.demographics.categories import (
    CATEGORIES,
    RACE_ETHNICITY_CATEGORIES,
    SEX_CATEGORIES,
    Attribute,
)
from service.demographics.store import demographic_groups
from service.ground.errors import InvalidInput, NotFound
from service.statistics import (
    BiasAudit,
    DifAnalysis,
    ItemAnalysis,
    bias_audit,
    item_analysis,
    mantel_haenszel_dif,
)
from service.statistics.dif import score_groups, whole_marks


class ItemAnalysisReport(msgspec.Struct, frozen=True, kw_only=True):
    """Moodle's item analysis of one form over the selection's latest scored attempts."""

    form_id: str
    assessment_id: str
    coverage: Coverage
    attempts: int
    provisional_attempts: int
    excluded_incomplete: int
    analysis: ItemAnalysis


class DifReport(msgspec.Struct, frozen=True, kw_only=True):
    """Mantel-Haenszel DIF of one form's items between two self-reported groups.

    Items are scored right only with full marks; ``partial_credit_items`` lists those where
    partial marks occurred (and were counted as wrong). ``matching`` says how candidates
    were matched on their total mark."""

    form_id: str
    assessment_id: str
    attribute: Attribute
    matching: str
    coverage: Coverage
    attempts: int
    partial_credit_items: list[str]
    dif: DifAnalysis


class BiasAuditReport(msgspec.Struct, frozen=True, kw_only=True):
    """An LL144 bias audit of one outcome over the selection's candidates."""

    outcome: Outcome
    outcome_description: str
    assessment_id: str | None
    coverage: Coverage
    without_outcome: int
    audit: BiasAudit


def _form(content: ContentVersion, form_id: str) -> Form:
    form = content.forms.get(form_id)
    if form is None:
        raise NotFound(f"No form {form_id!r} in content {content.version_id}", field="form_id")
    return form


def _coverage(selection: Selection, cohort: CohortRef | None, marks: FormMarks) -> Coverage:
    simulated = int(marks.simulated.sum())
    return coverage(
        selection,
        cohort,
        simulated=simulated,
        real=len(marks.candidate_ids) - simulated,
        first=marks.first_submitted,
        last=marks.last_submitted,
    )


async def item_analysis_report(
    conn: asyncpg.Connection,
    content: ContentVersion,
    organization_id: uuid.UUID,
    form_id: str,
    selection: Selection,
) -> ItemAnalysisReport:
    """Item analysis of ``form_id`` (needs at least 2 scored attempts in the selection)."""
    form = _form(content, form_id)
    cohort = await resolve(conn, organization_id, selection)
    marks = await load_form_marks(conn, organization_id, form, selection)
    if marks.marks.shape[0] < 2:
        raise InvalidInput(
            f"Item analysis of form {form_id} needs at least 2 scored "
            f"attempts in this selection; found {marks.marks.shape[0]}",
            field="form_id",
        )
    analysis = await asyncio.to_thread(item_analysis, marks.marks, marks.max_marks, marks.item_ids)
    return ItemAnalysisReport(
        form_id=form.id,
        assessment_id=form.assessment,
        coverage=_coverage(selection, cohort, marks),
        attempts=marks.marks.shape[0],
        provisional_attempts=marks.provisional,
        excluded_incomplete=marks.incomplete,
        analysis=analysis,
    )


def _check_groups(attribute: str, reference: str, focal: str) -> None:
    allowed = CATEGORIES.get(attribute)
    if allowed is None:
        raise InvalidInput("attribute must be sex or race_ethnicity", field="attribute")
    for name, value in (("reference", reference), ("focal", focal)):
        if value not in allowed:
            raise InvalidInput(f"{name} must be one of {', '.join(allowed)}", field=name)
    if reference == focal:
        raise InvalidInput("reference and focal must be different groups", field="focal")


async def dif_report(
    conn: asyncpg.Connection,
    content: ContentVersion,
    organization_id: uuid.UUID,
    form_id: str,
    selection: Selection,
    *,
    attribute: Attribute,
    reference: str,
    focal: str,
    alpha: float = 0.05,
    groups: int | None = None,
) -> DifReport:
    """Mantel-Haenszel DIF of every item of ``form_id`` between two groups of ``attribute``,
    matched on the total mark in whole marks, or (``groups``) in that many equal-frequency
    score groups for small samples."""
    form = _form(content, form_id)
    _check_groups(attribute, reference, focal)
    cohort = await resolve(conn, organization_id, selection)
    marks = await load_form_marks(conn, organization_id, form, selection)
    labels = (
        await demographic_groups(
            conn, organization_id=organization_id, candidate_ids=marks.candidate_ids
        )
    )[attribute]
    totals = marks.marks.sum(axis=1)
    if groups is None:
        matching, criterion = "total mark in whole marks", whole_marks(totals)
    else:
        matching, criterion = (
            f"total mark in {groups} equal-frequency groups",
            score_groups(totals, groups),
        )
    right = (marks.marks >= marks.max_marks).astype(np.float64)
    partial = np.flatnonzero(((marks.marks > 0) & (marks.marks < marks.max_marks)).any(axis=0))
    dif = await asyncio.to_thread(
        mantel_haenszel_dif,
        right,
        labels,
        reference=reference,
        focal=focal,
        item_ids=marks.item_ids,
        matching=criterion,
        alpha=alpha,
    )
    return DifReport(
        form_id=form.id,
        assessment_id=form.assessment,
        attribute=attribute,
        matching=matching,
        coverage=_coverage(selection, cohort, marks),
        attempts=marks.marks.shape[0],
        partial_credit_items=[marks.item_ids[j] for j in partial],
        dif=dif,
    )


def describe_outcome(content: ContentVersion, outcome: Outcome, assessment_id: str | None) -> str:
    """The outcome in words, as the published summary states it."""
    title = content.assessments[assessment_id].title if assessment_id else None
    scope = f" of {title}" if title else ""
    return {
        "passed": f"Selection rate: passing the cut score{scope} on the candidate's latest "
        f"scored attempt.",
        "scaled_score": f"Scoring rate: a scaled score{scope} above the median of everyone "
        f"in the audit.",
        "ready": 'Selection rate: the readiness estimate\'s band is "ready" in the '
        f"candidate's latest estimate (candidates assessed{scope or ''}).",
        "hired": "Selection rate: a hiring decision recorded by the organization for the "
        f"candidate (candidates assessed{scope or ''}).",
    }[outcome]


async def bias_audit_report(
    conn: asyncpg.Connection,
    content: ContentVersion,
    organization_id: uuid.UUID,
    selection: Selection,
    *,
    outcome: Outcome,
    assessment_id: str | None = None,
) -> BiasAuditReport:
    """The bias audit of ``outcome`` over the selection's candidates."""
    if assessment_id is not None and assessment_id not in content.assessments:
        raise InvalidInput(f"No assessment {assessment_id!r}", field="assessment_id")
    cohort = await resolve(conn, organization_id, selection)
    people = await load_population(conn, organization_id, selection, outcome, assessment_id)
    if not people.outcome:
        raise InvalidInput(
            "No candidate in this selection has the outcome yet: nothing to audit", field="outcome"
        )
    scored = outcome == "scaled_score"
    audit = bias_audit(
        people.sex,
        people.race_ethnicity,
        selected=None if scored else people.outcome,
        scores=people.outcome if scored else None,
        sex_categories=SEX_CATEGORIES,
        race_ethnicity_categories=RACE_ETHNICITY_CATEGORIES,
    )
    return BiasAuditReport(
        outcome=outcome,
        outcome_description=describe_outcome(content, outcome, assessment_id),
        assessment_id=assessment_id,
        coverage=coverage(
            selection,
            cohort,
            simulated=people.simulated,
            real=people.real,
            first=people.first_submitted,
            last=people.last_submitted,
        ),
        without_outcome=people.without_outcome,
        audit=audit,
    )


__all__ = [
    "NEEDS_ASSESSMENT",
    "BiasAuditReport",
    "DifReport",
    "ItemAnalysisReport",
    "bias_audit_report",
    "describe_outcome",
    "dif_report",
    "item_analysis_report",
]
