"""Stored scored attempts with chosen marks, demographics and outcomes (for the analytics)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec

from service.assessments.bank import ContentVersion
from service.assessments.content import load_content
from service.assessments.scores import AttemptScore, ItemScore
from service.demographics.store import SelfReport, record_many
from service.results.bulk import save_first_runs
from service.results.store import ensure_content_version


class Person(msgspec.Struct, frozen=True, kw_only=True):
    """One candidate with one scored attempt: marks per item (the rest of the form 0)."""

    marks: dict[str, float] = msgspec.field(default_factory=dict)
    sex: str | None = None
    race: str | None = None
    simulated: bool = False
    passed: bool = False
    scaled: float = 250.0
    days_ago: float = 1.0
    form_id: str = "privacy-a"


async def store_people(
    pool: asyncpg.Pool,
    org: uuid.UUID,
    people: Sequence[Person],
    content: ContentVersion | None = None,
) -> list[uuid.UUID]:
    """Candidates with one scored attempt each (bulk, through the production bulk store);
    a self-report when sex or race is given. Returns the candidate ids."""
    content = content or load_content()
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in people]
    invitations = [uuid.uuid4() for _ in people]
    attempts = [uuid.uuid4() for _ in people]
    scored = []
    for attempt, person in zip(attempts, people, strict=True):
        form = content.forms[person.form_id]
        items = tuple(
            ItemScore(
                item_id=i.id, points=person.marks.get(i.id, 0.0), max_points=i.points, feedback={}
            )
            for i in form.items
        )
        raw = sum(s.points for s in items)
        scored.append(
            (
                attempt,
                AttemptScore(
                    content_version=content.version_id,
                    assessment_id=form.assessment,
                    form_id=form.id,
                    item_scores=items,
                    competency_scores=(),
                    section_scores=(),
                    raw_total=raw,
                    max_total=sum(s.max_points for s in items),
                    equated_raw=raw,
                    raw_cut=form.raw_cut,
                    scaled_score=int(person.scaled),
                    passed=person.passed,
                    provisional=False,
                ),
            )
        )
    async with pool.acquire() as conn, conn.transaction():
        await ensure_content_version(conn, content)
        await conn.executemany(
            """INSERT INTO candidates (id, organization_id, given_name, family_name, email,
                   simulated) VALUES ($1, $2, 'Test', 'Person', 'tp@example.org', $3)""",
            [(c, org, p.simulated) for c, p in zip(ids, people, strict=True)],
        )
        await conn.executemany(
            """INSERT INTO invitations (id, organization_id, candidate_id, token_sha256,
                   assessments, expires_at, created_by, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, 'test', $7)""",
            [
                (
                    i,
                    org,
                    c,
                    secrets.token_bytes(32),
                    [content.forms[p.form_id].assessment],
                    now + timedelta(days=7),
                    now - timedelta(days=p.days_ago + 1),
                )
                for i, c, p in zip(invitations, ids, people, strict=True)
            ],
        )
        await conn.executemany(
            """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id,
                   assessment_id, form_id, content_version, status, started_at, submitted_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'submitted', $8, $8)""",
            [
                (
                    a,
                    org,
                    c,
                    i,
                    content.forms[p.form_id].assessment,
                    p.form_id,
                    content.version_id,
                    now - timedelta(days=p.days_ago),
                )
                for a, c, i, p in zip(attempts, ids, invitations, people, strict=True)
            ],
        )
        await save_first_runs(conn, org, scored, reason="test", created_by="test")
        await record_many(
            conn,
            org,
            [
                (c, SelfReport(p.sex or "unknown", p.race or "unknown"))
                for c, p in zip(ids, people, strict=True)
                if p.sex or p.race
            ],
        )
    return ids


async def cohort_of(
    pool: asyncpg.Pool, org: uuid.UUID, members: Sequence[uuid.UUID], name: str = "Cohort"
) -> uuid.UUID:
    """A cohort with ``members``."""
    cohort = uuid.uuid4()
    await pool.execute(
        "INSERT INTO cohorts (id, organization_id, name) VALUES ($1, $2, $3)", cohort, org, name
    )
    await pool.executemany(
        "INSERT INTO cohort_members (organization_id, cohort_id, candidate_id) VALUES ($1, $2, $3)",
        [(org, cohort, m) for m in members],
    )
    return cohort
