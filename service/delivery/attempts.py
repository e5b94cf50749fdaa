"""Attempts: starting one (form assigned, deadlines set), reading its state, moving through
sections, remembering where the candidate is and which tab holds it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

import asyncpg
import msgspec

from service.assessments.bank import ContentVersion
from service.delivery.catalog import Catalog
from service.delivery.invitations import Invitation, require_live
from service.delivery.timing import section_deadlines
from service.ground.errors import Conflict, NotFound
from service.results.store import ensure_content_version


class SectionState(msgspec.Struct, frozen=True):
    """One section of an attempt: its deadline (None = untimed) and progress through it."""

    section_id: str
    ordinal: int
    deadline_at: dt.datetime | None
    entered_at: dt.datetime | None
    closed_at: dt.datetime | None

    def open_at(self, now: dt.datetime) -> bool:
        """Not closed by the candidate and its time not up."""
        return self.closed_at is None and (self.deadline_at is None or now < self.deadline_at)


class AttemptState(msgspec.Struct, frozen=True, kw_only=True):
    """An attempt as the pages need it; ``now`` is the database's clock when it was read."""

    id: uuid.UUID
    organization_id: uuid.UUID
    invitation_id: uuid.UUID
    assessment_id: str
    form_id: str
    status: str
    position: int
    started_at: dt.datetime
    deadline_at: dt.datetime | None
    finalized_reason: str | None
    active_tab: str | None
    now: dt.datetime
    sections: tuple[SectionState, ...]

    @property
    def in_progress(self) -> bool:
        """Still being taken (not submitted, expired or scored)."""
        return self.status == "in_progress"

    def current_section(self) -> SectionState | None:
        """The first section still open; None when time is up or every section is closed."""
        for section in self.sections:
            if section.open_at(self.now):
                return section
        return None

    def section(self, section_id: str) -> SectionState:
        """A section by id; KeyError when the attempt's form has no such section."""
        for section in self.sections:
            if section.section_id == section_id:
                return section
        raise KeyError(section_id)


def choose_form(
    form_ids: Sequence[str], counts: Mapping[str, int], taken_by_candidate: Mapping[str, int]
) -> str:
    """The parallel form to assign: one this candidate has not taken yet if possible, then
    the least used in the organization (ties by id), which keeps forms balanced."""
    return min(form_ids, key=lambda f: (taken_by_candidate.get(f, 0), counts.get(f, 0), f))


async def _assign_form(
    conn: asyncpg.Connection,
    invitation: Invitation,
    assessment_id: str,
    content: ContentVersion,
) -> str:
    # Serialise assignments per organization and assessment, so counts stay exact.
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        f"form:{invitation.organization_id}:{assessment_id}",
    )
    rows = await conn.fetch(
        """SELECT form_id, count(*) AS n, count(*) FILTER (WHERE candidate_id = $3) AS mine
           FROM attempts WHERE organization_id = $1 AND assessment_id = $2 GROUP BY form_id""",
        invitation.organization_id,
        assessment_id,
        invitation.candidate_id,
    )
    forms = content.assessments[assessment_id].form_ids
    return choose_form(
        forms, {r["form_id"]: r["n"] for r in rows}, {r["form_id"]: r["mine"] for r in rows}
    )


async def start_attempt(
    conn: asyncpg.Connection, invitation: Invitation, assessment_id: str, catalog: Catalog
) -> AttemptState:
    """Start (or return the existing) attempt of one assessment of the invitation."""
    if assessment_id not in invitation.assessments:
        raise NotFound("This assessment is not part of your invitation.", field="assessment")
    existing = await load_attempt(conn, invitation, assessment_id)
    if existing is not None:
        return existing
    require_live(invitation)
    if invitation.consented_at is None:
        raise Conflict("Please read the notice and give your consent first.", field="consent")
    content = catalog.content
    async with conn.transaction():
        await ensure_content_version(conn, content)
        form_id = await _assign_form(conn, invitation, assessment_id, content)
        now: dt.datetime = await conn.fetchval("SELECT now()")
        plans = catalog.section_plans[form_id]
        deadlines = section_deadlines(
            now,
            catalog.assessment(assessment_id).time_limit_minutes,
            [p.estimate_seconds for p in plans],
            invitation.accommodation,
        )
        attempt_id = uuid.uuid4()
        inserted = await conn.fetchval(
            """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id,
                                     assessment_id, form_id, content_version, started_at,
                                     deadline_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (invitation_id, assessment_id) DO NOTHING RETURNING id""",
            attempt_id,
            invitation.organization_id,
            invitation.candidate_id,
            invitation.id,
            assessment_id,
            form_id,
            content.version_id,
            now,
            deadlines[-1] if deadlines else None,
        )
        if inserted is not None:  # else another tab started it first: use theirs
            await conn.executemany(
                """INSERT INTO attempt_sections (organization_id, attempt_id, section_id,
                                                 ordinal, deadline_at)
                   VALUES ($1, $2, $3, $4, $5)""",
                [
                    (
                        invitation.organization_id,
                        attempt_id,
                        plan.section.id,
                        plan.ordinal,
                        deadline,
                    )
                    for plan, deadline in zip(plans, deadlines, strict=True)
                ],
            )
    started = await load_attempt(conn, invitation, assessment_id)
    assert started is not None
    return started


_ATTEMPT = """
SELECT a.id, a.organization_id, a.invitation_id, a.assessment_id, a.form_id, a.status,
       a.position, a.started_at, a.deadline_at, a.finalized_reason, a.active_tab, now() AS now,
       coalesce((SELECT json_agg(json_build_object(
                             'section_id', s.section_id, 'ordinal', s.ordinal,
                             'deadline_at', s.deadline_at, 'entered_at', s.entered_at,
                             'closed_at', s.closed_at) ORDER BY s.ordinal)
                 FROM attempt_sections s WHERE s.attempt_id = a.id), '[]') AS sections
FROM attempts a
"""


def _state(row: asyncpg.Record) -> AttemptState:
    sections = msgspec.convert(row["sections"], list[SectionState], strict=False)
    fields = {k: row[k] for k in row.keys() if k != "sections"}  # noqa: SIM118 - Record
    return AttemptState(**fields, sections=tuple(sections))


async def load_attempt(
    conn: asyncpg.Connection, invitation: Invitation, assessment_id: str
) -> AttemptState | None:
    """The invitation's attempt of ``assessment_id``, or None before it is started."""
    row = await conn.fetchrow(
        _ATTEMPT + "WHERE a.invitation_id = $1 AND a.assessment_id = $2",
        invitation.id,
        assessment_id,
    )
    return None if row is None else _state(row)


async def attempt_statuses(conn: asyncpg.Connection, invitation_id: uuid.UUID) -> dict[str, str]:
    """Status of each started attempt of the invitation, by assessment id (one query)."""
    rows = await conn.fetch(
        "SELECT assessment_id, status FROM attempts WHERE invitation_id = $1", invitation_id
    )
    return {r["assessment_id"]: r["status"] for r in rows}


async def enter_section(conn: asyncpg.Connection, state: AttemptState, section_id: str) -> None:
    """Mark the section as begun (answers are accepted from now until it closes)."""
    await conn.execute(
        """UPDATE attempt_sections SET entered_at = coalesce(entered_at, now())
           WHERE attempt_id = $1 AND section_id = $2 AND closed_at IS NULL""",
        state.id,
        section_id,
    )


async def close_section(conn: asyncpg.Connection, state: AttemptState, section_id: str) -> None:
    """The candidate moves on: the section accepts no more answers."""
    await conn.execute(
        """UPDATE attempt_sections SET closed_at = coalesce(closed_at, now()),
                                       entered_at = coalesce(entered_at, now())
           WHERE attempt_id = $1 AND section_id = $2""",
        state.id,
        section_id,
    )


async def visit_item(
    conn: asyncpg.Connection, state: AttemptState, item_id: str, position: int
) -> None:
    """Remember the candidate's place (resume) and when the item was first seen."""
    await conn.execute(
        """WITH moved AS (UPDATE attempts SET position = $3 WHERE id = $1 AND position <> $3)
           INSERT INTO item_views (organization_id, attempt_id, item_id)
           VALUES ($4, $1, $2) ON CONFLICT DO NOTHING""",
        state.id,
        item_id,
        position,
        state.organization_id,
    )
