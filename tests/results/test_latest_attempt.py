"""One rule for "a candidate's latest attempt of an assessment": the readiness estimate and
the profile read the same attempt, even when an older attempt is rescored later."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from service.assessments.content import load_content
from service.profiles.sources import load_scored_attempts
from service.readiness.outcomes import candidate_percents
from service.readiness.predict import BandThresholds
from service.results.rescoring import rescore_attempt
from service.results.store import ensure_content_version
from tests.assessments.helpers import key_answer


async def _attempt(
    conn: asyncpg.Connection,
    org_id: uuid.UUID,
    candidate: uuid.UUID,
    submitted: datetime,
    answers: dict[str, object],
) -> uuid.UUID:
    invitation, attempt = uuid.uuid4(), uuid.uuid4()
    await conn.execute(
        """INSERT INTO invitations (id, organization_id, candidate_id, token_sha256, assessments,
               expires_at, created_by, created_at)
           VALUES ($1, $2, $3, $4, '{coding}', $5, 'test', $6)""",
        invitation,
        org_id,
        candidate,
        uuid.uuid4().bytes * 2,
        submitted + timedelta(days=7),
        submitted - timedelta(hours=1),
    )
    await conn.execute(
        """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id, assessment_id,
               form_id, content_version, status, started_at, submitted_at)
           VALUES ($1, $2, $3, $4, 'coding', 'coding-a', $5, 'submitted', $6, $7)""",
        attempt,
        org_id,
        candidate,
        invitation,
        load_content().version_id,
        submitted - timedelta(minutes=40),
        submitted,
    )
    await conn.executemany(
        """INSERT INTO responses (organization_id, attempt_id, item_id, answer, client_seq)
           VALUES ($1, $2, $3, $4, 1)""",
        [(org_id, attempt, item_id, answer) for item_id, answer in answers.items()],
    )
    return attempt


async def test_estimate_and_profile_read_the_same_latest_attempt(
    pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    content = load_content()
    form = content.forms["coding-a"]
    candidate = uuid.uuid4()
    now = datetime.now(UTC)
    async with pool.acquire() as conn:
        await ensure_content_version(conn, content)
        await conn.execute(
            """INSERT INTO candidates (id, organization_id, given_name, family_name, email)
               VALUES ($1, $2, 'Lee', 'Latest', 'lee@example.org')""",
            candidate,
            org_id,
        )
        older = await _attempt(conn, org_id, candidate, now - timedelta(days=3), {})
        newer = await _attempt(
            conn,
            org_id,
            candidate,
            now - timedelta(days=1),
            {item.id: key_answer(item) for item in form.items},
        )
        rescore = {"reason": "t", "actor": "t", "thresholds": BandThresholds()}
        await rescore_attempt(conn, org_id, newer, content, **rescore)
        # The older attempt is rescored last: its run is the newest, but it is not the latest
        # attempt, so neither the estimate nor the profile may use it.
        await rescore_attempt(conn, org_id, older, content, **rescore)
        percents = await candidate_percents(conn, organization_id=org_id, candidate_id=candidate)
        profile = await load_scored_attempts(conn, org_id, candidate)
    assert [attempt_id for attempt_id, _ in profile] == [newer]
    assert percents and all(p == 100.0 for p in percents.values()), percents
