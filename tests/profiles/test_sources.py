"""Building a profile from the database: scored attempts, norms, integrity, rater notes."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from service.assessments.bank import ContentVersion
from service.assessments.content import load_content
from service.assessments.scoring import score_attempt
from service.profiles.sources import load_profile_data
from tests.profiles.helpers import seed_candidate

NOW = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def content() -> ContentVersion:
    return load_content()


async def _scored_attempt(
    conn: asyncpg.Connection,
    org_id: uuid.UUID,
    candidate_id: uuid.UUID,
    content: ContentVersion,
    form_id: str,
) -> uuid.UUID:
    """An invitation, a submitted attempt of ``form_id`` and its current scoring run."""
    invitation_id, attempt_id, run_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assessment = form_id.rsplit("-", 1)[0]
    await conn.execute(
        """INSERT INTO invitations (id, organization_id, candidate_id, token_sha256, assessments,
                                    expires_at, created_by)
           VALUES ($1, $2, $3, $4, $5, now() + interval '7 days', 'test')""",
        invitation_id,
        org_id,
        candidate_id,
        hashlib.sha256(invitation_id.bytes).digest(),
        [assessment],
    )
    await conn.execute(
        """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id, assessment_id,
                                 form_id, content_version, status, started_at, submitted_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'scored', $8, $9)""",
        attempt_id,
        org_id,
        candidate_id,
        invitation_id,
        assessment,
        form_id,
        content.version_id,
        NOW - timedelta(hours=1),
        NOW,
    )
    score = score_attempt(content, form_id, {})
    await conn.execute(
        """INSERT INTO scoring_runs (id, organization_id, attempt_id, content_version, raw_total,
                                     max_total, scaled_score, passed, provisional, reason,
                                     created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted', 'test')""",
        run_id,
        org_id,
        attempt_id,
        content.version_id,
        score.raw_total,
        score.max_total,
        score.scaled_score,
        score.passed,
        score.provisional,
    )
    await conn.executemany(
        """INSERT INTO competency_scores (organization_id, scoring_run_id, competency_id, raw,
                                          max, percent) VALUES ($1, $2, $3, $4, $5, $6)""",
        [
            (org_id, run_id, c.competency_id, c.raw, c.max, c.percent)
            for c in score.competency_scores
        ],
    )
    return attempt_id


async def _content_row(conn: asyncpg.Connection, content: ContentVersion) -> None:
    await conn.execute(
        "INSERT INTO content_versions (id, content_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        content.version_id,
        content.content_hash,
    )


async def test_nothing_scored_means_no_profile(
    pool: asyncpg.Pool, org_id: uuid.UUID, content: ContentVersion
) -> None:
    async with pool.acquire() as conn:
        candidate_id = await seed_candidate(conn, org_id)
        assert (
            await load_profile_data(
                conn,
                organization_id=org_id,
                candidate_id=candidate_id,
                variant="candidate",
                content=content,
            )
            is None
        )


async def test_employer_profile_reads_scores_integrity_and_notes(
    pool: asyncpg.Pool, org_id: uuid.UUID, content: ContentVersion
) -> None:
    async with pool.acquire() as conn:
        await _content_row(conn, content)
        candidate_id = await seed_candidate(conn, org_id)
        coding = await _scored_attempt(conn, org_id, candidate_id, content, "coding-a")
        await _scored_attempt(conn, org_id, candidate_id, content, "privacy-b")
        await conn.executemany(
            "INSERT INTO integrity_events (organization_id, attempt_id, kind, severity) "
            "VALUES ($1, $2, $3, $4)",
            [
                (org_id, coding, "paste", "low"),
                (org_id, coding, "paste", "medium"),
                (org_id, coding, "focus_lost", "info"),
            ],
        )
        rater_id = uuid.uuid4()
        await conn.execute(
            "INSERT INTO users (id, organization_id, email, display_name, role, password_hash) "
            "VALUES ($1, $2, 'r@x.org', 'Rhea Rater', 'rater', 'x')",
            rater_id,
            org_id,
        )
        await conn.execute(
            "INSERT INTO ratings (id, organization_id, attempt_id, item_id, rater_id, role, "
            "levels, notes) VALUES ($1, $2, $3, 'COD-A-01', $4, 'independent', $5, $6)",
            uuid.uuid4(),
            org_id,
            coding,
            rater_id,
            {"content": 2},
            "Left out <the> fee notice",
        )
        built = await load_profile_data(
            conn,
            organization_id=org_id,
            candidate_id=candidate_id,
            variant="employer",
            content=content,
        )
        candidate_copy = await load_profile_data(
            conn,
            organization_id=org_id,
            candidate_id=candidate_id,
            variant="candidate",
            content=content,
        )
    assert built is not None and candidate_copy is not None
    data = built.data
    assert data.candidate_name == "Ana María Ruiz" and data.organization_name == "Test Health"
    assert [a.form_id for a in data.assessments] == ["coding-a", "privacy-b"]
    assert all(not a.passed and a.scaled_score == 100 for a in data.assessments)
    assert {c.id for c in data.competencies} >= {"coding", "privacy"}
    assert data.gaps  # zero scores: every competency is a gap
    signals = {s.kind: s for s in data.integrity}
    assert (signals["Pasted text"].count, signals["Pasted text"].severity) == (2, "medium")
    assert signals["Window focus lost"].severity == "info"
    assert [(n.rater, n.note) for n in data.rater_notes] == [
        ("Rater 1", "Left out <the> fee notice")
    ]
    assert "Rhea" not in str(data.rater_notes)
    assert data.readiness is None  # no model, no estimate
    assert candidate_copy.data.integrity == () and candidate_copy.data.rater_notes == ()
