"""Which stored data a statistic covers: an organization, optionally one cohort and a date
range of submission; and where those data come from (simulated or real people)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import asyncpg
import msgspec

from service.ground.errors import InvalidInput, NotFound

SourceKind = Literal["simulated", "real", "mixed"]


class Selection(msgspec.Struct, frozen=True, kw_only=True):
    """Filters on stored attempts: a cohort (its members), a range of submission dates
    (inclusive, UTC days)."""

    cohort_id: uuid.UUID | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class CohortRef(msgspec.Struct, frozen=True):
    """The cohort a statistic was restricted to."""

    id: uuid.UUID
    name: str


class DataSource(msgspec.Struct, frozen=True):
    """Where the numbers come from: how many simulated and real people, said in words."""

    kind: SourceKind
    simulated_people: int
    real_people: int
    statement: str


class Coverage(msgspec.Struct, frozen=True, kw_only=True):
    """What a report covers: the selection, the data's source and actual date range."""

    generated_at: dt.datetime
    cohort: CohortRef | None
    date_from: dt.date | None
    date_to: dt.date | None
    first_submitted: dt.datetime | None
    last_submitted: dt.datetime | None
    data_source: DataSource


# Parameters $2-$4 of every analytics query: cohort, first and last day (inclusive, UTC).
SCOPE_FILTER = """
    AND ($2::uuid IS NULL OR EXISTS (
        SELECT 1 FROM cohort_members m
        WHERE m.organization_id = l.organization_id AND m.cohort_id = $2
          AND m.candidate_id = l.candidate_id))
    AND ($3::date IS NULL OR l.submitted_at >= ($3::date)::timestamp AT TIME ZONE 'UTC')
    AND ($4::date IS NULL OR l.submitted_at < ($4::date + 1)::timestamp AT TIME ZONE 'UTC')
"""


async def resolve(
    conn: asyncpg.Connection, organization_id: uuid.UUID, selection: Selection
) -> CohortRef | None:
    """Check the selection: the cohort must be the organization's, the dates in order."""
    if selection.date_from and selection.date_to and selection.date_from > selection.date_to:
        raise InvalidInput("date_from is after date_to", field="date_from")
    if selection.cohort_id is None:
        return None
    name = await conn.fetchval(
        "SELECT name FROM cohorts WHERE organization_id = $1 AND id = $2",
        organization_id,
        selection.cohort_id,
    )
    if name is None:
        raise NotFound(f"No cohort {selection.cohort_id}", field="cohort_id")
    return CohortRef(selection.cohort_id, name)


def data_source(simulated: int, real: int) -> DataSource:
    """Name the source of numbers computed from ``simulated`` and ``real`` people."""
    if simulated and not real:
        return DataSource(
            "simulated",
            simulated,
            real,
            f"Simulated demo data: all {simulated} people are simulated "
            f"candidates, not real applicants.",
        )
    if simulated:
        return DataSource(
            "mixed",
            simulated,
            real,
            f"Mixed data: {real} real candidates and {simulated} simulated demo candidates.",
        )
    return DataSource(
        "real", simulated, real, f"Real data: {real} candidates assessed by this organization."
    )


def coverage(
    selection: Selection,
    cohort: CohortRef | None,
    *,
    simulated: int,
    real: int,
    first: dt.datetime | None,
    last: dt.datetime | None,
) -> Coverage:
    """The coverage block every report carries."""
    return Coverage(
        generated_at=dt.datetime.now(dt.UTC),
        cohort=cohort,
        date_from=selection.date_from,
        date_to=selection.date_to,
        first_submitted=first,
        last_submitted=last,
        data_source=data_source(simulated, real),
    )


async def cohort_choices(conn: asyncpg.Connection, organization_id: uuid.UUID) -> list[CohortRef]:
    """The organization's cohorts a statistic may be restricted to (archived ones too: their
    data stay), by name."""
    rows = await conn.fetch(
        "SELECT id, name FROM cohorts WHERE organization_id = $1 ORDER BY lower(name), id",
        organization_id,
    )
    return [CohortRef(r["id"], r["name"]) for r in rows]
