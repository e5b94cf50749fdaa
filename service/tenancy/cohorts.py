"""Cohorts: groups of candidates a coordinator runs together (a training class, a hiring
round). Create, rename, archive, list with member counts, and add candidates one by one or
from a checked roster. Every query is scoped to the organization; every change is audited."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

from service.ground.errors import Conflict, InvalidInput, NotFound
from service.tenancy import audit
from service.tenancy.candidates import NewCandidate, find_or_create_candidate

MAX_NAME = 200


class Cohort(msgspec.Struct, frozen=True, kw_only=True):
    """A cohort with its number of members."""

    id: uuid.UUID
    name: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    created_at: dt.datetime
    archived_at: dt.datetime | None
    members: int


class Added(msgspec.Struct, frozen=True, kw_only=True):
    """What adding candidates did: new registrations, people already registered (reused, not
    duplicated) and people who were already members."""

    created: int
    reused: int
    already_members: int

    @property
    def added(self) -> int:
        """Members the cohort gained."""
        return self.created + self.reused - self.already_members


_SELECT = """SELECT c.id, c.name, c.starts_on, c.ends_on, c.created_at, c.archived_at,
                    (SELECT count(*) FROM cohort_members m
                     WHERE m.organization_id = c.organization_id AND m.cohort_id = c.id)
                        AS members
             FROM cohorts c"""


def check_name(name: str) -> str:
    """A cohort name trimmed; InvalidInput (field ``name``) when empty, too long or NUL."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("Give the cohort a name", field="name")
    if len(cleaned) > MAX_NAME:
        raise InvalidInput(f"The name is longer than {MAX_NAME} characters", field="name")
    if "\x00" in cleaned:
        raise InvalidInput("The name contains a NUL character", field="name")
    return cleaned


async def list_cohorts(
    conn: asyncpg.Connection, organization_id: uuid.UUID, *, archived: bool = False
) -> list[Cohort]:
    """The organization's cohorts, newest first, with member counts; archived ones only
    with ``archived`` (then all of them)."""
    rows = await conn.fetch(
        _SELECT
        + """ WHERE c.organization_id = $1 AND ($2 OR c.archived_at IS NULL)
              ORDER BY c.archived_at IS NOT NULL, c.created_at DESC, c.id""",
        organization_id,
        archived,
    )
    return [Cohort(**dict(r)) for r in rows]


async def get_cohort(
    conn: asyncpg.Connection, organization_id: uuid.UUID, cohort_id: uuid.UUID
) -> Cohort:
    """One cohort of this organization; NotFound for an unknown id or another tenant's."""
    row = await conn.fetchrow(
        _SELECT + " WHERE c.organization_id = $1 AND c.id = $2", organization_id, cohort_id
    )
    if row is None:
        raise NotFound(f"No cohort {cohort_id}", field="cohort_id")
    return Cohort(**dict(row))


def _taken(name: str) -> Conflict:
    return Conflict(f"A cohort named {name!r} already exists", field="name")


async def create_cohort(
    conn: asyncpg.Connection, organization_id: uuid.UUID, name: str, *, actor: str
) -> Cohort:
    """A new, empty cohort; Conflict when the organization already has one of that name."""
    name = check_name(name)
    async with conn.transaction():
        cohort_id = await conn.fetchval(
            """INSERT INTO cohorts (id, organization_id, name) VALUES ($1, $2, $3)
               ON CONFLICT (organization_id, name) DO NOTHING RETURNING id""",
            uuid.uuid4(),
            organization_id,
            name,
        )
        if cohort_id is None:
            raise _taken(name)
        await audit.record(
            conn,
            organization_id,
            actor=actor,
            action="cohort.create",
            subject_kind="cohort",
            subject_id=cohort_id,
        )
    return await get_cohort(conn, organization_id, cohort_id)


async def rename_cohort(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    cohort_id: uuid.UUID,
    name: str,
    *,
    actor: str,
) -> Cohort:
    """Give the cohort a new name (unique in the organization)."""
    name = check_name(name)
    async with conn.transaction():
        await get_cohort(conn, organization_id, cohort_id)
        clash = await conn.fetchval(
            "SELECT true FROM cohorts WHERE organization_id = $1 AND name = $2 AND id <> $3",
            organization_id,
            name,
            cohort_id,
        )
        if clash:
            raise _taken(name)
        await conn.execute(
            "UPDATE cohorts SET name = $3 WHERE organization_id = $1 AND id = $2",
            organization_id,
            cohort_id,
            name,
        )
        await audit.record(
            conn,
            organization_id,
            actor=actor,
            action="cohort.rename",
            subject_kind="cohort",
            subject_id=cohort_id,
        )
    return await get_cohort(conn, organization_id, cohort_id)


async def archive_cohort(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    cohort_id: uuid.UUID,
    *,
    archived: bool,
    actor: str,
) -> Cohort:
    """Archive (out of the working lists, nothing deleted) or bring back a cohort;
    archiving twice keeps the first time."""
    async with conn.transaction():
        changed = await conn.fetchval(
            """UPDATE cohorts
               SET archived_at = CASE WHEN $3 THEN coalesce(archived_at, now()) END
               WHERE organization_id = $1 AND id = $2 RETURNING id""",
            organization_id,
            cohort_id,
            archived,
        )
        if changed is None:
            raise NotFound(f"No cohort {cohort_id}", field="cohort_id")
        await audit.record(
            conn,
            organization_id,
            actor=actor,
            action="cohort.archive" if archived else "cohort.unarchive",
            subject_kind="cohort",
            subject_id=cohort_id,
        )
    return await get_cohort(conn, organization_id, cohort_id)


async def add_candidates(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    cohort_id: uuid.UUID,
    candidates: list[NewCandidate],
    *,
    actor: str,
    source: str,
) -> Added:
    """Register the candidates (reusing anyone already registered: same external id, or
    same e-mail without one) and make them members, all or nothing. ``source`` (``form``,
    ``csv``) goes into the audit entries."""
    created = reused = already = 0
    async with conn.transaction():
        await get_cohort(conn, organization_id, cohort_id)
        for new in candidates:
            candidate_id, fresh = await find_or_create_candidate(conn, organization_id, new)
            inserted = await conn.fetchval(
                """INSERT INTO cohort_members (organization_id, cohort_id, candidate_id)
                   VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING true""",
                organization_id,
                cohort_id,
                candidate_id,
            )
            created += fresh
            reused += not fresh
            already += not inserted
            if fresh:
                await audit.record(
                    conn,
                    organization_id,
                    actor=actor,
                    action="candidate.create",
                    subject_kind="candidate",
                    subject_id=candidate_id,
                    reason=f"cohort {source}",
                )
            if inserted:
                await audit.record(
                    conn,
                    organization_id,
                    actor=actor,
                    action="cohort.add_member",
                    subject_kind="candidate",
                    subject_id=candidate_id,
                    reason=f"cohort {cohort_id} ({source})",
                )
    return Added(created=created, reused=reused, already_members=already)
