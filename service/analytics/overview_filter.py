"""The overview's filters: GET parameters validated into an ``OverviewFilter`` (every bad
one named, so the page shows each beside its field), the cohorts a coordinator may choose,
and the filter's dates as instants."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

import asyncpg
import msgspec

from service.assessments.bank import ContentVersion

MAX_PAGE = 100_000


class OverviewFilter(msgspec.Struct, frozen=True, kw_only=True):
    """The overview's filters, all optional; ``date_to`` is inclusive."""

    cohort_id: uuid.UUID | None = None
    assessment_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1

    def query(self, **changes: object) -> dict[str, str]:
        """The filter as GET parameters (empty ones left out), with ``changes`` applied."""
        values: dict[str, object] = {
            "cohort": self.cohort_id,
            "assessment": self.assessment_id,
            "from": self.date_from,
            "to": self.date_to,
            "page": self.page if self.page != 1 else None,
            **changes,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


class FilterErrors(Exception):
    """Some filter values are not valid; ``errors`` maps each parameter to what is wrong."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def parse_filter(
    params: Mapping[str, str], content: ContentVersion, cohorts: Sequence[uuid.UUID]
) -> OverviewFilter:
    """Validate the GET parameters ``cohort``, ``assessment``, ``from``, ``to`` and ``page``;
    FilterErrors names every bad one (a cohort must be one of ``cohorts``)."""
    errors: dict[str, str] = {}
    cohort_id: uuid.UUID | None = None
    if raw := params.get("cohort", "").strip():
        try:
            cohort_id = uuid.UUID(raw)
        except ValueError:
            errors["cohort"] = "Not a cohort id."
        else:
            if cohort_id not in cohorts:
                errors["cohort"] = "No such cohort in this organization."
    assessment = params.get("assessment", "").strip() or None
    if assessment is not None and assessment not in content.assessments:
        errors["assessment"] = "No such assessment."
    first, last = _date(params, "from", errors), _date(params, "to", errors)
    if first and last and first > last:
        errors["to"] = "The end date is before the start date."
    page = _page(params.get("page", "").strip(), errors)
    if errors:
        raise FilterErrors(errors)
    return OverviewFilter(
        cohort_id=cohort_id, assessment_id=assessment, date_from=first, date_to=last, page=page
    )


def _date(params: Mapping[str, str], name: str, errors: dict[str, str]) -> dt.date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = "Not a date: write it as YYYY-MM-DD."
        return None


def _page(raw: str, errors: dict[str, str]) -> int:
    if not raw:
        return 1
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        errors["page"] = f"Not a page number (1 to {MAX_PAGE})."
        return 1
    return int(raw)


class CohortChoice(msgspec.Struct, frozen=True):
    """A cohort offered by the filter."""

    id: uuid.UUID
    name: str
    archived: bool


async def cohort_choices(
    conn: asyncpg.Connection, organization_id: uuid.UUID
) -> list[CohortChoice]:
    """The organization's cohorts, active ones first."""
    rows = await conn.fetch(
        """SELECT id, name, archived_at IS NOT NULL AS archived FROM cohorts
           WHERE organization_id = $1 ORDER BY archived_at IS NOT NULL, name""",
        organization_id,
    )
    return [CohortChoice(**dict(r)) for r in rows]


def time_range(f: OverviewFilter) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The filter's dates as UTC instants: from the first day's start (inclusive) to the day
    after the last one (exclusive); None where open."""
    start = dt.datetime.combine(f.date_from, dt.time(), dt.UTC) if f.date_from else None
    end = (
        dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        if f.date_to and f.date_to < dt.date.max
        else None
    )
    return start, end
