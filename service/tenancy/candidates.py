"""Candidates: the people who take assessments, always scoped to one organization."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
import msgspec

from service.ground.cursor import decode_cursor, encode_cursor
from service.ground.errors import Conflict, NotFound
from service.ground.types import Email, ExternalId, Name


class NewCandidate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A candidate to register."""

    given_name: Name
    family_name: Name
    email: Email
    external_id: ExternalId | None = None


class Candidate(msgspec.Struct, frozen=True):
    """A stored candidate."""

    id: uuid.UUID
    given_name: str
    family_name: str
    email: str
    external_id: str | None
    created_at: datetime
    updated_at: datetime


class CandidatePage(msgspec.Struct, frozen=True):
    """A page of candidates, newest first; pass ``next_cursor`` back for the next one."""

    items: list[Candidate]
    next_cursor: str | None


_COLUMNS = "id, given_name, family_name, email, external_id, created_at, updated_at"


async def create_candidate(
    conn: asyncpg.Connection, organization_id: uuid.UUID, new: NewCandidate
) -> Candidate:
    """Store a candidate; a repeated external_id in the same organization is a conflict
    naming the existing candidate (the insert never aborts the caller's transaction)."""
    row = await conn.fetchrow(
        f"""INSERT INTO candidates (id, organization_id, external_id, given_name,
                                    family_name, email)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (organization_id, external_id) DO NOTHING
            RETURNING {_COLUMNS}""",  # noqa: S608
        uuid.uuid4(),
        organization_id,
        new.external_id,
        new.given_name,
        new.family_name,
        new.email,
    )
    if row is None:
        existing = await conn.fetchval(
            "SELECT id FROM candidates WHERE organization_id = $1 AND external_id = $2",
            organization_id,
            new.external_id,
        )
        raise Conflict(
            f"A candidate with external_id {new.external_id!r} already exists: {existing}",
            field="external_id",
            existing_id=str(existing),
        )
    return Candidate(**dict(row))


async def get_candidate(
    conn: asyncpg.Connection, organization_id: uuid.UUID, candidate_id: uuid.UUID
) -> Candidate:
    """One candidate of this organization (404 for another tenant's id)."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM candidates WHERE organization_id = $1 AND id = $2",  # noqa: S608
        organization_id,
        candidate_id,
    )
    if row is None:
        raise NotFound(f"No candidate {candidate_id}", field="candidate_id")
    return Candidate(**dict(row))


class _Position(msgspec.Struct, frozen=True):
    at: datetime
    id: uuid.UUID
    since: datetime | None
    external_id: str | None


async def list_candidates(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    *,
    limit: int,
    cursor: str | None = None,
    updated_since: datetime | None = None,
    external_id: str | None = None,
) -> CandidatePage:
    """A page of this organization's candidates, newest first (keyset: candidates created
    during the walk never shift it), optionally only those changed after ``updated_since``
    or the one with ``external_id``. A cursor continues its walk with its filters."""
    after = decode_cursor(cursor, _Position) if cursor else None
    if after is not None:
        updated_since, external_id = after.since, after.external_id
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM candidates WHERE organization_id = $1
              AND ($2::timestamptz IS NULL OR updated_at > $2)
              AND ($3::text IS NULL OR external_id = $3)
              AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5))
            ORDER BY created_at DESC, id DESC LIMIT $6""",  # noqa: S608
        organization_id,
        updated_since,
        external_id,
        after.at if after else None,
        after.id if after else None,
        limit + 1,
    )
    items = [Candidate(**dict(r)) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor(
            _Position(items[-1].created_at, items[-1].id, updated_since, external_id)
        )
    return CandidatePage(items, next_cursor)


async def find_or_create_candidate(
    conn: asyncpg.Connection, organization_id: uuid.UUID, new: NewCandidate
) -> tuple[uuid.UUID, bool]:
    """The organization's candidate with ``new.external_id`` (or, without one, the earliest
    with ``new.email``), created when there is none; returns (id, created).

    The one rule for "is this person already registered?" shared by ``chartready invite``
    and the dashboard's cohort forms and CSV imports: an existing candidate is reused, never
    duplicated or overwritten."""
    found: uuid.UUID | None = await conn.fetchval(
        """SELECT id FROM candidates WHERE organization_id = $1
             AND (($2::text IS NOT NULL AND external_id = $2)
                  OR ($2::text IS NULL AND lower(email) = lower($3)))
           ORDER BY created_at LIMIT 1""",
        organization_id,
        new.external_id,
        new.email,
    )
    if found is not None:
        return found, False
    return (await create_candidate(conn, organization_id, new)).id, True
