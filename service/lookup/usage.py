"""Recording the code look-up tool's use with the attempt, and summarizing it for staff."""

from __future__ import annotations

import uuid
from typing import Literal

import asyncpg
import msgspec

MAX_LOOKUPS_PER_ATTEMPT = 2000  # a misbehaving page cannot flood the table


class LookupUsage(msgspec.Struct, frozen=True):
    """How much an attempt used the look-up tool."""

    searches: int
    codes_viewed: int


async def record_lookup(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    attempt_id: uuid.UUID,
    *,
    action: Literal["search", "view"],
    query: str,
    results: int,
    item_id: str | None,
) -> None:
    """Append one use (skipped once the attempt has ``MAX_LOOKUPS_PER_ATTEMPT``)."""
    await conn.execute(
        """INSERT INTO code_lookups (organization_id, attempt_id, item_id, action, query,
                                     results)
           SELECT $1, $2, $3, $4, $5, $6
           WHERE (SELECT count(*) FROM code_lookups WHERE attempt_id = $2) < $7""",
        organization_id,
        attempt_id,
        item_id,
        action,
        query[:100],
        results,
        MAX_LOOKUPS_PER_ATTEMPT,
    )


async def lookup_usage(
    conn: asyncpg.Connection, organization_id: uuid.UUID, attempt_ids: list[uuid.UUID]
) -> LookupUsage:
    """Searches made and codes opened over some attempts."""
    row = await conn.fetchrow(
        """SELECT count(*) FILTER (WHERE action = 'search') AS searches,
                  count(*) FILTER (WHERE action = 'view') AS views
           FROM code_lookups WHERE organization_id = $1 AND attempt_id = ANY($2::uuid[])""",
        organization_id,
        attempt_ids,
    )
    return LookupUsage(searches=row["searches"], codes_viewed=row["views"])
