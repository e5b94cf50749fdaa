"""The item bank as delivery sees it: the app's loaded content plus lookups the hot path needs.

The app loads the content once at start (``service.web.content``); the placements and
section plans derived from it are built once per content version and kept for the process.
"""

from __future__ import annotations

from functools import cached_property

import msgspec

from service.assessments.bank import Assessment, ContentVersion, Form, Section
from service.assessments.items import Item


class Placement(msgspec.Struct, frozen=True):
    """Where an item sits: its form, its section and its 1-based position on the form."""

    form_id: str
    section_id: str
    position: int


class SectionPlan(msgspec.Struct, frozen=True):
    """One section of a form as delivered: its items' positions and estimated seconds."""

    section: Section
    ordinal: int
    first_position: int
    last_position: int
    estimate_seconds: int


class Catalog:
    """A loaded content version plus the lookups delivery needs, built once."""

    def __init__(self, content: ContentVersion) -> None:
        self.content = content
        self.placements: dict[str, Placement] = {}
        for form in content.forms.values():
            for position, item in enumerate(form.items, start=1):
                self.placements[item.id] = Placement(form.id, item.section, position)

    @property
    def version_id(self) -> str:
        """The content version id stored on attempts."""
        return self.content.version_id

    def assessment(self, assessment_id: str) -> Assessment:
        """The assessment definition; KeyError for an unknown id."""
        return self.content.assessments[assessment_id]

    def form(self, form_id: str) -> Form:
        """A form by id; KeyError for an unknown id."""
        return self.content.forms[form_id]

    def item_at(self, form_id: str, position: int) -> Item:
        """The item at a 1-based position of a form; IndexError when out of range."""
        if position < 1:
            raise IndexError(position)
        return self.content.forms[form_id].items[position - 1]

    @cached_property
    def section_plans(self) -> dict[str, tuple[SectionPlan, ...]]:
        """Per form: its sections in assessment order, skipping sections with no items."""
        plans: dict[str, tuple[SectionPlan, ...]] = {}
        for form in self.content.forms.values():
            assessment = self.content.assessments[form.assessment]
            out: list[SectionPlan] = []
            for section in assessment.sections:
                positions = [
                    i for i, item in enumerate(form.items, 1) if item.section == section.id
                ]
                if not positions:
                    continue
                seconds = sum(form.items[p - 1].time_estimate_seconds for p in positions)
                out.append(
                    SectionPlan(section, len(out) + 1, min(positions), max(positions), seconds)
                )
            plans[form.id] = tuple(out)
        return plans

    def plan_for(self, form_id: str, section_id: str) -> SectionPlan:
        """The plan of one section of a form; KeyError when the form has no such section."""
        for plan in self.section_plans[form_id]:
            if plan.section.id == section_id:
                return plan
        raise KeyError(section_id)


_catalogs: dict[str, Catalog] = {}


def catalog_of(content: ContentVersion) -> Catalog:
    """The catalog of a loaded content version, built on first use and kept per process."""
    found = _catalogs.get(content.version_id)
    if found is None:
        found = Catalog(content)
        _catalogs[content.version_id] = found
    return found
