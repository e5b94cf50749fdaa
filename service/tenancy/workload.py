"""What waits in an organization: cohorts, candidates by stage, responses to rate."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec


class Workload(msgspec.Struct, frozen=True):
    """Counts for the dashboard's home page."""

    cohorts: int
    candidates: int
    invited: int
    started: int
    completed: int
    awaiting_rating: int
    failed_jobs: int


async def workload(
    conn: asyncpg.Connection, organization_id: uuid.UUID, user_id: uuid.UUID
) -> Workload:
    """One round trip: active cohorts, candidates, invitations by stage, written responses
    still waiting for a rating this user has not given, and failed background jobs."""
    row = await conn.fetchrow(
        """SELECT
             (SELECT count(*) FROM cohorts WHERE organization_id = $1 AND archived_at IS NULL)
                 AS cohorts,
             (SELECT count(*) FROM candidates WHERE organization_id = $1) AS candidates,
             (SELECT count(*) FROM invitations i WHERE i.organization_id = $1
                AND i.revoked_at IS NULL
                AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.invitation_id = i.id))
                 AS invited,
             (SELECT count(DISTINCT a.invitation_id) FROM attempts a
              WHERE a.organization_id = $1 AND a.status = 'in_progress') AS started,
             (SELECT count(*) FROM attempts a WHERE a.organization_id = $1
                AND a.status IN ('submitted', 'scored', 'expired')) AS completed,
             (SELECT count(*) FROM attempts a
              JOIN scoring_runs r ON r.attempt_id = a.id AND r.current
              JOIN item_scores s ON s.scoring_run_id = r.id AND s.provisional
              WHERE a.organization_id = $1
                AND NOT EXISTS (SELECT 1 FROM ratings x WHERE x.attempt_id = a.id
                                AND x.item_id = s.item_id AND x.rater_id = $2)
                AND (SELECT count(*) FROM ratings x WHERE x.attempt_id = a.id
                     AND x.item_id = s.item_id) < 2) AS awaiting_rating,
             (SELECT count(*) FROM procrastinate_jobs j
              WHERE j.status = 'failed' AND j.args ->> 'organization' = $1::text)
                 AS failed_jobs""",
        organization_id,
        user_id,
    )
    assert row is not None
    return Workload(**dict(row))
