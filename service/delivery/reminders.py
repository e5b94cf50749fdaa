"""One reminder before an invitation expires, to candidates who have not finished; and
forgetting the stored link once an invitation has ended."""

from __future__ import annotations

import asyncpg

from service.delivery.emails import queue_email


async def queue_reminders(
    conn: asyncpg.Connection, *, hours_before: int, smtp: bool, batch: int = 100
) -> int:
    """Queue a reminder for each live, unfinished invitation that expires within
    ``hours_before`` hours, was sent at least that long ago, has not been reminded and
    still has its link; returns how many."""
    rows = await conn.fetch(
        """SELECT i.organization_id, i.id,
                  (SELECT m.link FROM outbound_emails m WHERE m.invitation_id = i.id
                     AND m.link IS NOT NULL ORDER BY m.created_at DESC LIMIT 1) AS link
           FROM invitations i
           WHERE i.revoked_at IS NULL AND i.completed_at IS NULL AND i.reminded_at IS NULL
             AND i.expires_at > now()
             AND i.expires_at <= now() + make_interval(hours => $1)
             AND coalesce(i.reissued_at, i.created_at) <= now() - make_interval(hours => $1)
           ORDER BY i.expires_at LIMIT $2
           FOR UPDATE OF i SKIP LOCKED""",
        hours_before,
        batch,
    )
    queued = 0
    for row in rows:
        await conn.execute("UPDATE invitations SET reminded_at = now() WHERE id = $1", row["id"])
        if row["link"] is not None:
            await queue_email(
                conn, row["organization_id"], row["id"], "reminder", link=row["link"], smtp=smtp
            )
            queued += 1
    return queued


async def forget_ended_links(conn: asyncpg.Connection) -> int:
    """Drop stored links of invitations that expired, completed or were cancelled."""
    status = await conn.execute(
        """UPDATE outbound_emails m SET link = NULL FROM invitations i
           WHERE i.organization_id = m.organization_id AND i.id = m.invitation_id
             AND m.link IS NOT NULL
             AND (i.expires_at <= now() OR i.completed_at IS NOT NULL
                  OR i.revoked_at IS NOT NULL)"""
    )
    return int(status.split()[-1])
