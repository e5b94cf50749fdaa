"""Candidates: the people who take assessments, always scoped to one organization."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
import msgspec

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


_COLUMNS = "id, given_name, family_name, email, external_id, created_at"


async def create_candidate(
    conn: asyncpg.Connection, organization_id: uuid.UUID, new: NewCandidate
) -> Candidate:
    """Store a candidate; a repeated external_id in the same organization is a conflict."""
    try:
        row = await conn.fetchrow(
            f"""INSERT INTO candidates (id, organization_id, external_id, given_name,
                                        family_name, email)
                VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_COLUMNS}""",  # noqa: S608
            uuid.uuid4(), organization_id, new.external_id, new.given_name, new.family_name,
            new.email,
        )
    except asyncpg.UniqueViolationError:
        raise Conflict(
            f"A candidate with external_id {new.external_id!r} already exists",
            field="external_id",
        ) from None
    return Candidate(**dict(row))


async def get_candidate(
    conn: asyncpg.Connection, organization_id: uuid.UUID, candidate_id: uuid.UUID
) -> Candidate:
    """One candidate of this organization (404 for another tenant's id)."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM candidates WHERE organization_id = $1 AND id = $2",  # noqa: S608
        organization_id, candidate_id,
    )
    if row is None:
        raise NotFound(f"No candidate {candidate_id}", field="candidate_id")
    return Candidate(**dict(row))


async def list_candidates(
    conn: asyncpg.Connection, organization_id: uuid.UUID, *, limit: int, offset: int
) -> list[Candidate]:
    """A page of this organization's candidates, newest first."""
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM candidates WHERE organization_id = $1
            ORDER BY created_at DESC, id LIMIT $2 OFFSET $3""",  # noqa: S608
        organization_id, limit, offset,
    )
    return [Candidate(**dict(r)) for r in rows]
