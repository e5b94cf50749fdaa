"""What an HR system can invite candidates to: the assessments of the loaded content."""

from __future__ import annotations

import msgspec

from service.assessments.bank import ContentVersion


class CompetencyRef(msgspec.Struct, frozen=True):
    """A competency an assessment measures."""

    id: str
    name: str


class AssessmentInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One assessment: what it measures, how long it takes, how many items a form has."""

    id: str
    title: str
    description: str
    competencies: list[CompetencyRef]
    time_limit_minutes: int
    item_count: int
    """Items on each parallel form (forms share one blueprint)."""
    forms: int
    content_version: str


def assessment_catalog(content: ContentVersion) -> list[AssessmentInfo]:
    """Every assessment of ``content``, by id."""
    out = []
    for assessment in sorted(content.assessments.values(), key=lambda a: a.id):
        forms = [content.forms[f] for f in assessment.form_ids]
        measured = sorted({item.competency for form in forms for item in form.items})
        out.append(
            AssessmentInfo(
                id=assessment.id,
                title=assessment.title,
                description=assessment.description,
                competencies=[
                    CompetencyRef(c, content.competencies[c].name)
                    for c in measured
                    if c in content.competencies
                ],
                time_limit_minutes=assessment.time_limit_minutes,
                item_count=max((len(f.items) for f in forms), default=0),
                forms=len(forms),
                content_version=content.version_id,
            )
        )
    return out
