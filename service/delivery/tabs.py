"""Which browser tab holds an attempt, and when a new tab means simultaneous use.

The notice tells candidates they may open their link again, on any device, to continue: so
a new tab is a "second tab" integrity signal only while the previous tab is still open. A
tab shows it is open by its status polls (every 30 s; browsers slow hidden tabs to about
once a minute) and its saves, and says it is closing when the page goes away.
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

OPEN_WINDOW = dt.timedelta(seconds=120)
"""A tab heard from within this long (and not closed) counts as still open."""


class Claim(msgspec.Struct, frozen=True):
    """The result of a tab claiming the attempt."""

    previous: str | None
    simultaneous: bool  # the previous, different tab was still open


async def claim_tab(conn: asyncpg.Connection, attempt_id: uuid.UUID, tab_id: str) -> Claim:
    """Make ``tab_id`` the attempt's active tab; say whether another tab was still open."""
    row = await conn.fetchrow(
        """UPDATE attempts a SET active_tab = $2, active_tab_seen_at = now()
           FROM (SELECT id, active_tab, active_tab_seen_at FROM attempts
                 WHERE id = $1 FOR UPDATE) old
           WHERE a.id = old.id
           RETURNING old.active_tab AS previous,
                     old.active_tab IS NOT NULL AND old.active_tab <> $2
                     AND old.active_tab_seen_at IS NOT NULL
                     AND greatest(old.active_tab_seen_at,
                                  (SELECT max(r.saved_at) FROM responses r
                                   WHERE r.attempt_id = $1 AND r.tab_id = old.active_tab))
                         > now() - $3::interval AS simultaneous""",
        attempt_id,
        tab_id,
        OPEN_WINDOW,
    )
    if row is None:
        return Claim(None, False)
    return Claim(row["previous"], bool(row["simultaneous"]))


async def tab_seen(conn: asyncpg.Connection, attempt_id: uuid.UUID, tab_id: str) -> None:
    """The active tab is still open (called on its status polls)."""
    await conn.execute(
        """UPDATE attempts SET active_tab_seen_at = now()
           WHERE id = $1 AND active_tab = $2""",
        attempt_id,
        tab_id,
    )


async def release_tab(conn: asyncpg.Connection, attempt_id: uuid.UUID, tab_id: str) -> None:
    """The active tab is closing: a tab opened later is not simultaneous use."""
    await conn.execute(
        """UPDATE attempts SET active_tab_seen_at = NULL
           WHERE id = $1 AND active_tab = $2""",
        attempt_id,
        tab_id,
    )
