"""Reading published results: the organization's feed (newest change first, keyset pages),
one result at its current or any earlier version, and a candidate's results.

A walk through the feed is a snapshot: the first page fixes the newest sequence number
visible then (``s``), and every page lists, for each result, its latest version no newer
than that, ordered by sequence number. A result rescored while the walk goes on keeps its
place (its new version lies above the snapshot), and a result created meanwhile lies above
it too, so a walk never skips or repeats a result; both show up in the next walk, which
``next_updated_since`` (the snapshot's time) starts from.

Documents are stored as JSON text when published, so a page is one indexed query and a
concatenation: no per-result work at read time.
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

from service.ground.cursor import decode_cursor, encode_cursor
from service.ground.errors import InvalidInput, NotFound


class FeedPosition(msgspec.Struct, frozen=True):
    """Where a walk stands: snapshot sequence number and time, lower bound (from
    updated_since), and the last sequence number returned."""

    s: int
    t: dt.datetime | None
    lo: int
    before: int
    u: dt.datetime | None = None


class Page(msgspec.Struct, frozen=True):
    """A page of documents (JSON text) and what the caller passes to continue."""

    documents: list[str]
    next_cursor: str | None
    next_updated_since: dt.datetime | None

    def to_json(self) -> bytes:
        """The response body: {"items": [...], "next_cursor": ..., "next_updated_since": ...}."""
        tail = msgspec.json.encode(
            {"next_cursor": self.next_cursor, "next_updated_since": self.next_updated_since}
        )
        return b'{"items":[' + ",".join(self.documents).encode() + b"]," + tail[1:]


async def _start(
    conn: asyncpg.Connection, organization_id: uuid.UUID, updated_since: dt.datetime | None
) -> FeedPosition:
    row = await conn.fetchrow(
        """SELECT coalesce(c.last_seq, 0) AS s,
                  CASE WHEN c.last_seq > 0 THEN c.last_at END AS t,
                  CASE WHEN $2::timestamptz IS NULL THEN 0 ELSE coalesce(
                      (SELECT max(v.seq) FROM result_versions v
                       WHERE v.organization_id = $1 AND v.created_at <= $2), 0) END AS lo
           FROM (SELECT $1::uuid AS organization_id) o
           LEFT JOIN result_feed_counters c ON c.organization_id = o.organization_id""",
        organization_id,
        updated_since,
    )
    return FeedPosition(s=row["s"], t=row["t"], lo=row["lo"], before=row["s"] + 1, u=updated_since)


_PAGE = """
SELECT v.seq, v.document FROM result_versions v
WHERE v.organization_id = $1 AND v.seq < $2 AND v.seq > $3
  AND NOT EXISTS (SELECT 1 FROM result_versions w
                  WHERE w.attempt_id = v.attempt_id AND w.seq > v.seq AND w.seq <= $4)
ORDER BY v.seq DESC
LIMIT $5
"""


async def results_page(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    *,
    limit: int,
    cursor: str | None = None,
    updated_since: dt.datetime | None = None,
) -> Page:
    """One page of the organization's results, newest change first; with ``updated_since``
    only results changed after it. A cursor continues its walk (its filter included)."""
    if cursor is not None:
        position = decode_cursor(cursor, FeedPosition)
        if updated_since is not None and updated_since != position.u:
            raise InvalidInput(
                "updated_since differs from the walk the cursor belongs to; pass only the cursor",
                field="updated_since",
            )
    else:
        position = await _start(conn, organization_id, updated_since)
    rows = await conn.fetch(
        _PAGE, organization_id, position.before, position.lo, position.s, limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        next_cursor = encode_cursor(msgspec.structs.replace(position, before=rows[-1]["seq"]))
    return Page([r["document"] for r in rows], next_cursor, position.t or position.u)


async def result_document(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    result_id: uuid.UUID,
    version: int | None = None,
) -> str:
    """A result's current version (or the given one) as JSON text; NotFound otherwise."""
    document: str | None = await conn.fetchval(
        """SELECT document FROM result_versions
           WHERE organization_id = $1 AND attempt_id = $2 AND ($3::int IS NULL OR version = $3)
           ORDER BY version DESC LIMIT 1""",
        organization_id,
        result_id,
        version,
    )
    if document is None:
        what = f"version {version} of result" if version is not None else "result"
        raise NotFound(f"No {what} {result_id}", field="result_id")
    return document


async def result_versions(
    conn: asyncpg.Connection, organization_id: uuid.UUID, result_id: uuid.UUID
) -> list[str]:
    """Every version of a result, oldest first; NotFound when there is none."""
    rows = await conn.fetch(
        """SELECT document FROM result_versions WHERE organization_id = $1 AND attempt_id = $2
           ORDER BY version""",
        organization_id,
        result_id,
    )
    if not rows:
        raise NotFound(f"No result {result_id}", field="result_id")
    return [r["document"] for r in rows]


async def candidate_results(
    conn: asyncpg.Connection, organization_id: uuid.UUID, candidate_id: uuid.UUID
) -> list[str]:
    """The current version of each of a candidate's results, oldest result first; NotFound
    for a candidate the organization does not have."""
    known = await conn.fetchval(
        "SELECT true FROM candidates WHERE organization_id = $1 AND id = $2",
        organization_id,
        candidate_id,
    )
    if not known:
        raise NotFound(f"No candidate {candidate_id}", field="candidate_id")
    rows = await conn.fetch(
        """SELECT DISTINCT ON (attempt_id) attempt_id, document, min(seq) OVER w AS first_seq
           FROM result_versions WHERE organization_id = $1 AND candidate_id = $2
           WINDOW w AS (PARTITION BY attempt_id)
           ORDER BY attempt_id, version DESC""",
        organization_id,
        candidate_id,
    )
    return [r["document"] for r in sorted(rows, key=lambda r: r["first_seq"])]


def json_array(documents: list[str]) -> bytes:
    """Documents (JSON text) as one JSON array."""
    return ("[" + ",".join(documents) + "]").encode()
