"""What waits in an organization for the dashboard's home: cohorts, invitations by status
(the one status rule, ``STATUS_SQL``), responses this person may rate now (the rating
queue's own rule) and failed background jobs."""

from __future__ import annotations

import asyncpg
import msgspec

from service.assessments.bank import ContentVersion
from service.auth.staff import StaffUser
from service.delivery.invitation_views import STATUS_SQL
from service.results.rating_queue import awaiting_rating


class Workload(msgspec.Struct, frozen=True):
    """Counts for the dashboard's home page."""

    cohorts: int
    candidates: int
    sent: int
    started: int
    completed: int
    expired: int
    awaiting_rating: int
    failed_jobs: int


async def workload(conn: asyncpg.Connection, staff: StaffUser, content: ContentVersion) -> Workload:
    """Active cohorts, candidates, live invitations by status and failed jobs in one round
    trip; then the responses waiting for ``staff``'s rating."""
    row = await conn.fetchrow(
        f"""SELECT
             (SELECT count(*) FROM cohorts WHERE organization_id = $1 AND archived_at IS NULL)
                 AS cohorts,
             (SELECT count(*) FROM candidates WHERE organization_id = $1) AS candidates,
             s.sent, s.started, s.completed, s.expired,
             (SELECT count(*) FROM procrastinate_jobs j
              WHERE j.status = 'failed' AND j.args ->> 'organization' = $1::text)
                 AS failed_jobs
           FROM (SELECT count(*) FILTER (WHERE status = 'sent') AS sent,
                        count(*) FILTER (WHERE status = 'started') AS started,
                        count(*) FILTER (WHERE status = 'completed') AS completed,
                        count(*) FILTER (WHERE status = 'expired') AS expired
                 FROM (SELECT {STATUS_SQL} AS status FROM invitations i
                       WHERE i.organization_id = $1) AS statuses) AS s""",  # noqa: S608 - constant SQL
        staff.organization_id,
    )
    assert row is not None
    waiting = await awaiting_rating(conn, staff, content)
    return Workload(**dict(row), awaiting_rating=waiting)
