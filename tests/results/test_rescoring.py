"""Scoring runs are stored with their content version; rescoring keeps the old runs."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from service.assessments.content import load_content
from service.ground.errors import InvalidInput, NotFound
from service.readiness.predict import BandThresholds
from service.results.rescoring import rescore_attempt
from service.results.store import current_run, scoring_runs
from tests.assessments.helpers import key_answer
from tests.results.factories import finished_attempt


async def test_rescore_adds_run_keeps_old_and_audits(pool: asyncpg.Pool, org_id: uuid.UUID) -> None:
    content = load_content()
    form = content.forms["privacy-a"]
    keyed = {i.id: key_answer(i) for i in form.items}
    attempt = await finished_attempt(pool, org_id, "privacy-a", keyed, content)
    async with pool.acquire() as conn:
        first = await rescore_attempt(
            conn,
            org_id,
            attempt,
            content,
            reason="submitted",
            actor="system",
            thresholds=BandThresholds(),
        )
        second = await rescore_attempt(
            conn,
            org_id,
            attempt,
            content,
            reason="audit check",
            actor="user:x",
            thresholds=BandThresholds(),
        )
        runs = await scoring_runs(conn, org_id, attempt)
        now = await current_run(conn, org_id, attempt)
        audit = await conn.fetch(
            "SELECT actor, reason FROM audit_log WHERE subject_id = $1", str(attempt)
        )
    assert [r.id for r in runs] == [first, second]
    assert [r.current for r in runs] == [False, True]
    assert now is not None
    assert now.id == second
    assert now.content_version == content.version_id
    assert now.raw_total == now.max_total == form.max_points  # the key earns full marks
    assert now.passed
    assert now.scaled_score == 400
    assert {c.competency_id for c in now.competencies} == {i.competency for i in form.items}
    assert all(c.percent == 100 for c in now.competencies)
    assert {s.section_id for s in now.sections} == {i.section for i in form.items}
    assert [(a["actor"], a["reason"]) for a in audit] == [
        ("system", "submitted"),
        ("user:x", "audit check"),
    ]


async def test_empty_attempt_scores_zero_and_fails(pool: asyncpg.Pool, org_id: uuid.UUID) -> None:
    content = load_content()
    attempt = await finished_attempt(pool, org_id, "coding-b", {}, content)
    async with pool.acquire() as conn:
        await rescore_attempt(
            conn, org_id, attempt, content, reason="r", actor="a", thresholds=BandThresholds()
        )
        run = await current_run(conn, org_id, attempt)
    assert run is not None
    assert run.raw_total == 0
    assert not run.passed
    assert run.scaled_score == 100


async def test_rescore_is_tenant_scoped(pool: asyncpg.Pool, org_id: uuid.UUID) -> None:
    content = load_content()
    attempt = await finished_attempt(pool, org_id, "coding-a", {}, content)
    async with pool.acquire() as conn:
        with pytest.raises(NotFound):
            await rescore_attempt(
                conn,
                uuid.uuid4(),
                attempt,
                content,
                reason="r",
                actor="a",
                thresholds=BandThresholds(),
            )
        await conn.execute("UPDATE attempts SET status = 'in_progress' WHERE id = $1", attempt)
        with pytest.raises(InvalidInput):
            await rescore_attempt(
                conn, org_id, attempt, content, reason="r", actor="a", thresholds=BandThresholds()
            )
