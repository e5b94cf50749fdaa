"""Staff sign-in, the blind rating queue, two ratings, adjudication, agreement, rescoring."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from service.assessments.content import load_content
from service.readiness.predict import BandThresholds
from service.results.rescoring import rescore_attempt
from tests.results.factories import (
    finished_attempt,
    make_user,
    org_slug,
    sign_in,
)
from tests.web.test_error_shape import assert_problem

REPLY = (
    "Dear Ms. Rivera, we received your request for a copy of your records. We will send "
    "them within 30 days. Please bring photo ID so we can verify your identity. The fee "
    "is based on our cost of copying and postage. Sincerely, Health Information."
)


async def scored_attempt(pool: asyncpg.Pool, org_id: uuid.UUID) -> uuid.UUID:
    content = load_content()
    attempt = await finished_attempt(
        pool, org_id, "communication-a", {"COM-A-14": REPLY, "COM-A-01": "a"}, content
    )
    async with pool.acquire() as conn:
        await rescore_attempt(
            conn,
            org_id,
            attempt,
            content,
            reason="submitted",
            actor="system",
            thresholds=BandThresholds(),
        )
    return attempt


async def test_sign_in_out_and_throttle(
    client: AsyncTestClient, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:  # type: ignore[type-arg]
    await make_user(pool, org_id, "rater", "r1@example.org")
    slug = await org_slug(pool, org_id)
    assert_problem(await client.get("/staff/session"), 401)
    csrf = await sign_in(client, slug, "r1@example.org")
    assert (await client.get("/staff/session")).json()["role"] == "rater"
    # writes without the CSRF header are refused even with a valid session cookie
    assert_problem(await client.delete("/staff/session"), 403)
    assert (await client.delete("/staff/session", headers=csrf)).status_code == 200
    client.cookies.clear()
    assert_problem(await client.get("/staff/session"), 401)
    bad = {"organization": slug, "email": "r1@example.org", "password": "wrong"}
    for _ in range(5):
        assert_problem(await client.post("/staff/session", json=bad), 401)
    assert_problem(await client.post("/staff/session", json=bad), 429)
    stored = await pool.fetchval("SELECT password_hash FROM users WHERE email = 'r1@example.org'")
    assert stored.startswith("$argon2id$")


async def rate(
    client: AsyncTestClient,
    slug: str,
    email: str,
    attempt: uuid.UUID,  # type: ignore[type-arg]
    level: int,
) -> Any:
    client.cookies.clear()
    csrf = await sign_in(client, slug, email)
    levels = dict.fromkeys(("content", "organization", "tone", "mechanics"), level)
    return await client.post(
        "/staff/ratings",
        headers=csrf,
        json={"attempt_id": str(attempt), "item_id": "COM-A-14", "levels": levels},
    )


async def test_two_agreeing_ratings_finalise_and_rescore(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    for n in (1, 2):
        await make_user(pool, org_id, "rater", f"r{n}@example.org")
    slug = await org_slug(pool, org_id)
    attempt = await scored_attempt(pool, org_id)
    await sign_in(client, slug, "r1@example.org")
    queue = (await client.get("/staff/ratings/queue")).json()
    # COM-A-15 was left unanswered: nothing to rate
    assert [(t["item_id"], t["role"]) for t in queue] == [("COM-A-14", "independent")]
    assert "Candidate" not in str(queue)  # blind: no candidate identity
    assert queue[0]["response"] == REPLY
    first = await rate(client, slug, "r1@example.org", attempt, 3)
    assert first.json()["state"] == "awaiting_second"
    again = await client.post(
        "/staff/ratings",
        headers={"X-CSRF-Token": (await client.get("/staff/session")).json()["csrf_token"]},
        json={
            "attempt_id": str(attempt),
            "item_id": "COM-A-14",
            "levels": {"content": 3, "organization": 3, "tone": 3, "mechanics": 3},
        },
    )
    assert_problem(again, 409)
    second = await rate(client, slug, "r2@example.org", attempt, 2)
    assert second.json()["state"] == "final"
    row = await pool.fetchrow(
        """SELECT s.points, s.provisional, r.reason FROM item_scores s
           JOIN scoring_runs r ON r.id = s.scoring_run_id AND r.current
           WHERE r.attempt_id = $1 AND s.item_id = 'COM-A-14'""",
        attempt,
    )
    item = load_content().items["COM-A-14"]
    weights = sum(c.weight for c in item.criteria)  # type: ignore[union-attr]
    assert row["points"] == weights * 2.5  # mean of levels 3 and 2
    assert not row["provisional"]
    assert row["reason"] == "human ratings final for COM-A-14"
    assert (
        await pool.fetchval("SELECT count(*) FROM scoring_runs WHERE attempt_id = $1", attempt) == 2
    )


async def test_disagreement_needs_adjudication_and_agreement_stats(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    for n in (1, 2, 3):
        await make_user(pool, org_id, "rater", f"r{n}@example.org")
    await make_user(pool, org_id, "coordinator", "coord@example.org")
    slug = await org_slug(pool, org_id)
    attempt = await scored_attempt(pool, org_id)
    assert (await rate(client, slug, "r1@example.org", attempt, 3)).status_code == 201
    second = await rate(client, slug, "r2@example.org", attempt, 0)
    assert second.json()["state"] == "needs_adjudication"
    client.cookies.clear()
    await sign_in(client, slug, "r3@example.org")
    # adjudication is a coordinator's call: a third rater neither sees nor gives it
    queue = (await client.get("/staff/ratings/queue")).json()
    assert ("COM-A-14", "adjudication") not in [(t["item_id"], t["role"]) for t in queue]
    assert_problem(await rate(client, slug, "r3@example.org", attempt, 1), 403)
    client.cookies.clear()
    await sign_in(client, slug, "coord@example.org")
    queue = (await client.get("/staff/ratings/queue")).json()
    assert ("COM-A-14", "adjudication") in [(t["item_id"], t["role"]) for t in queue]
    third = await rate(client, slug, "coord@example.org", attempt, 1)
    assert third.json()["state"] == "final"
    points = await pool.fetchval(
        """SELECT s.points FROM item_scores s JOIN scoring_runs r ON r.id = s.scoring_run_id
           WHERE r.attempt_id = $1 AND r.current AND s.item_id = 'COM-A-14'""",
        attempt,
    )
    item = load_content().items["COM-A-14"]
    assert points == sum(c.weight for c in item.criteria)  # type: ignore[union-attr]
    # raters may not see agreement statistics; coordinators may
    client.cookies.clear()
    await sign_in(client, slug, "r3@example.org")
    assert_problem(await client.get("/staff/ratings/agreement"), 403)
    client.cookies.clear()
    await sign_in(client, slug, "coord@example.org")
    stats = (await client.get("/staff/ratings/agreement")).json()
    assert len(stats) == 2  # the two independent raters, not the adjudicator
    assert all(s["agreement"]["exact"] == 0 for s in stats)
    assert all(s["agreement"]["adjacent"] == 0 for s in stats)


async def test_bad_ratings_are_refused_and_nothing_stored(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "rater", "r1@example.org")
    slug = await org_slug(pool, org_id)
    attempt = await scored_attempt(pool, org_id)
    csrf = await sign_in(client, slug, "r1@example.org")
    base = {"attempt_id": str(attempt), "item_id": "COM-A-14"}
    r = await client.post("/staff/ratings", headers=csrf, json={**base, "levels": {"content": 9}})
    assert_problem(r, 400, "levels")
    r = await client.post("/staff/ratings", headers=csrf, json={**base, "levels": {"content": 2}})
    assert_problem(r, 422, "levels")
    r = await client.post(
        "/staff/ratings",
        headers=csrf,
        json={**base, "item_id": "COM-A-01", "levels": {"content": 2}},
    )
    assert_problem(r, 422, "item_id")
    r = await client.post(
        "/staff/ratings", headers=csrf, json={**base, "attempt_id": str(uuid.uuid4()), "levels": {}}
    )
    assert_problem(r, 404, "attempt_id")
    assert await pool.fetchval("SELECT count(*) FROM ratings") == 0


async def test_rescore_endpoint_needs_coordinator_and_reason(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "coordinator", "coord@example.org")
    slug = await org_slug(pool, org_id)
    attempt = await scored_attempt(pool, org_id)
    csrf = await sign_in(client, slug, "coord@example.org")
    url = f"/staff/attempts/{attempt}/rescore"
    assert_problem(await client.post(url, headers=csrf, json={}), 400, "reason")
    r = await client.post(url, headers=csrf, json={"reason": "key for COM-A-03 corrected"})
    assert r.status_code == 201
    assert r.json()["content_version"] == load_content().version_id
    reasons = await pool.fetch("SELECT reason FROM audit_log WHERE action = 'attempt.rescore'")
    assert "key for COM-A-03 corrected" in [x["reason"] for x in reasons]
