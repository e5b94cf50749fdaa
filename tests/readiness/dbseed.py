"""Rows a readiness database test needs: candidates with scored attempts and outcomes."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Mapping

import asyncpg

CONTENT_VERSION = "c-0123456789ab"


async def ensure_content_version(conn: asyncpg.Connection) -> None:
    await conn.execute(
        """INSERT INTO content_versions (id, content_hash) VALUES ($1, $2)
           ON CONFLICT DO NOTHING""",
        CONTENT_VERSION,
        "ab" * 32,
    )


async def scored_candidate(
    conn: asyncpg.Connection,
    org_id: uuid.UUID,
    percents: Mapping[str, float],
    *,
    assessment_id: str = "scenarios",
) -> tuple[uuid.UUID, uuid.UUID]:
    """A candidate with one scored attempt whose competency scores are ``percents``.

    Returns (candidate id, attempt id).
    """
    await ensure_content_version(conn)
    candidate_id, invitation_id, attempt_id, run_id = (uuid.uuid4() for _ in range(4))
    await conn.execute(
        """INSERT INTO candidates (id, organization_id, given_name, family_name, email)
           VALUES ($1, $2, 'Sam', 'Rivera', 'sam@example.org')""",
        candidate_id,
        org_id,
    )
    await conn.execute(
        """INSERT INTO invitations (id, organization_id, candidate_id, token_sha256, assessments,
               expires_at, created_by)
           VALUES ($1, $2, $3, $4, $5, now() + interval '7 days', 'test')""",
        invitation_id,
        org_id,
        candidate_id,
        os.urandom(32),
        [assessment_id],
    )
    await add_attempt(conn, org_id, candidate_id, invitation_id, attempt_id, run_id, percents,
                      assessment_id=assessment_id)  # fmt: skip
    return candidate_id, attempt_id


async def add_attempt(
    conn: asyncpg.Connection,
    org_id: uuid.UUID,
    candidate_id: uuid.UUID,
    invitation_id: uuid.UUID,
    attempt_id: uuid.UUID,
    run_id: uuid.UUID,
    percents: Mapping[str, float],
    *,
    assessment_id: str,
) -> None:
    await conn.execute(
        """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id, assessment_id,
               form_id, content_version, status, submitted_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'scored', now())""",
        attempt_id,
        org_id,
        candidate_id,
        invitation_id,
        assessment_id,
        f"{assessment_id}-a",
        CONTENT_VERSION,
    )
    await add_scoring_run(conn, org_id, attempt_id, run_id, percents)


async def add_scoring_run(
    conn: asyncpg.Connection,
    org_id: uuid.UUID,
    attempt_id: uuid.UUID,
    run_id: uuid.UUID,
    percents: Mapping[str, float],
) -> None:
    """A new current scoring run (the previous one stops being current)."""
    await conn.execute(
        "UPDATE scoring_runs SET current = false WHERE attempt_id = $1 AND current", attempt_id
    )
    total = sum(percents.values())
    await conn.execute(
        """INSERT INTO scoring_runs (id, organization_id, attempt_id, content_version, raw_total,
               max_total, scaled_score, passed, provisional, reason, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, 300, true, false, 'test', 'test')""",
        run_id,
        org_id,
        attempt_id,
        CONTENT_VERSION,
        total,
        100.0 * len(percents),
    )
    await conn.executemany(
        """INSERT INTO competency_scores (organization_id, scoring_run_id, competency_id, raw,
               max, percent) VALUES ($1, $2, $3, $4, 100, $4)""",
        [(org_id, run_id, cid, value) for cid, value in percents.items()],
    )


async def outcome(
    conn: asyncpg.Connection,
    org_id: uuid.UUID,
    candidate_id: uuid.UUID,
    met: bool,
    observed_on: dt.date,
) -> None:
    await conn.execute(
        """INSERT INTO hiring_outcomes (organization_id, candidate_id, met_standard, observed_on,
               source) VALUES ($1, $2, $3, $4, 'ats')""",
        org_id,
        candidate_id,
        met,
        observed_on,
    )


async def new_organization(conn: asyncpg.Connection) -> uuid.UUID:
    oid = uuid.uuid4()
    await conn.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, 'Other Clinic')",
        oid,
        f"org-{oid.hex[:8]}",
    )
    return oid
