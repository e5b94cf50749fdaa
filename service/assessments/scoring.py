"""Score a whole attempt: item, competency and section scores, scaled score and pass/fail."""

from __future__ import annotations

from collections.abc import Mapping

from service.assessments.answers import InvalidAnswer, validate_answer
from service.assessments.bank import ContentVersion
from service.assessments.items import Item
from service.assessments.scaling import IDENTITY, Equating, passes, scaled_score
from service.assessments.scorers import score_item
from service.assessments.scores import (
    AttemptScore,
    CompetencyScore,
    ItemScore,
    SectionScore,
    percent,
)


def score_answer(item: Item, raw: object, hcpcs_codes: frozenset[str] = frozenset()) -> ItemScore:
    """Validate and score one raw answer; an invalid answer scores 0 with feedback saying why.

    ``hcpcs_codes`` is the content version's HCPCS list (ContentVersion.hcpcs_codes).
    """
    try:
        answer = validate_answer(item, raw)
    except InvalidAnswer as error:
        return ItemScore(
            item_id=item.id,
            points=0.0,
            max_points=item.points,
            feedback={
                "answered": True,
                "invalid": {"field": error.field, "message": error.message},
            },
            provisional=False,
        )
    return score_item(item, answer, hcpcs_codes)


def score_attempt(
    content: ContentVersion,
    form_id: str,
    answers: Mapping[str, object],
    *,
    overrides: Mapping[str, ItemScore] | None = None,
    equating: Equating = IDENTITY,
    reference_form_id: str | None = None,
) -> AttemptScore:
    """Score ``answers`` (item id -> raw or validated answer) on one form of ``content``.

    Missing answers score 0; answers to items not on the form are ignored. ``overrides``
    replaces item scores (final human-rated constructed responses). With ``equating`` (fitted
    by scaling.fit_equating) the raw total is mapped onto ``reference_form_id``'s raw scale
    and scaled with that form's cut; otherwise the form's own Angoff cut is used.
    """
    form = content.forms[form_id]
    assessment = content.assessments[form.assessment]
    overrides = overrides or {}
    item_scores = tuple(
        overrides[item.id]
        if item.id in overrides
        else score_answer(item, answers.get(item.id), content.hcpcs_codes)
        for item in form.items
    )
    competency_raw: dict[str, list[float]] = {}
    section_raw: dict[str, list[float]] = {}
    for item, result in zip(form.items, item_scores, strict=True):
        for bucket, key in ((competency_raw, item.competency), (section_raw, item.section)):
            totals = bucket.setdefault(key, [0.0, 0.0, 0.0, 0.0])
            totals[0] += result.points
            totals[1] += result.max_points
            if result.provisional:
                totals[2] += result.points
                totals[3] += result.max_points
    raw_total = round(sum(result.points for result in item_scores), 4)
    reference = content.forms[reference_form_id] if reference_form_id else form

    def equate(raw: float) -> float:
        return min(max(equating.apply(raw), 0.0), reference.max_points)

    equated = equate(raw_total)
    # A provisional (machine-read) score never decides pass/fail: the result stands only if
    # it is the same whether the provisional items earn nothing or full marks.
    pending = [result for result in item_scores if result.provisional]
    settled = raw_total - sum(result.points for result in pending)
    lowest, highest = settled, settled + sum(result.max_points for result in pending)
    awaiting = passes(equate(lowest), reference.raw_cut) != passes(
        equate(highest), reference.raw_cut
    )
    return AttemptScore(
        content_version=content.version_id,
        assessment_id=assessment.id,
        form_id=form.id,
        item_scores=item_scores,
        competency_scores=tuple(
            CompetencyScore(
                competency_id=key,
                raw=round(raw, 4),
                max=top,
                percent=percent(raw, top),
                provisional_raw=round(pending_raw, 4),
                provisional_max=pending_max,
            )
            for key, (raw, top, pending_raw, pending_max) in competency_raw.items()
        ),
        section_scores=tuple(
            SectionScore(section_id=key, raw=round(raw, 4), max=top, percent=percent(raw, top))
            for key, (raw, top, _, _) in section_raw.items()
        ),
        raw_total=raw_total,
        max_total=form.max_points,
        equated_raw=round(equated, 4),
        raw_cut=round(reference.raw_cut, 4),
        scaled_score=scaled_score(
            equated, reference.raw_cut, reference.max_points, assessment.scale
        ),
        passed=passes(equated, reference.raw_cut) and not awaiting,
        provisional=bool(pending),
        awaiting_rating=awaiting,
    )
