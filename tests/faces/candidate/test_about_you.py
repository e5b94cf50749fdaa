"""The optional "about you" page after the assessment: notice, prefer-not-to-say, storage
apart from results, never shown back."""

from __future__ import annotations

import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from tests.delivery.conftest import begin


async def _finish(client: AsyncTestClient, token: str) -> None:  # type: ignore[type-arg]
    await begin(client, token)
    r = await client.post(f"/take/{token}/coding/submit", follow_redirects=False)
    assert r.status_code == 303


async def _stored(pool: asyncpg.Pool, candidate: uuid.UUID) -> tuple[str, str] | None:  # type: ignore[type-arg]
    row = await pool.fetchrow(
        "SELECT sex, race_ethnicity FROM candidate_demographics WHERE candidate_id = $1", candidate
    )
    return None if row is None else (row["sex"], row["race_ethnicity"])


async def test_the_page_follows_the_assessment_and_stores_answers_apart(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
    candidate_id: uuid.UUID,
) -> None:
    page = f"/take/{token}/about-you"
    early = await client.get(page)
    assert early.status_code == 409 and "after you finish an assessment" in early.text
    await _finish(client, token)
    done = await client.get(f"/take/{token}/coding/done")
    assert f'href="/take/{token}/about-you"' in done.text
    form = await client.get(page)
    assert form.status_code == 200
    for phrase in (
        "Why we ask",
        "never</strong> used to score your answers",
        "Prefer not to say",
        "Skip this page",
        "Local Law 144",
    ):
        assert phrase in form.text, phrase
    assert form.text.count('value="unknown"') == 2  # prefer not to say, on both questions
    assert "checked" not in form.text
    r = await client.post(
        page, data={"sex": "female", "race_ethnicity": "asian"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/about-you/thanks")
    assert await _stored(pool, candidate_id) == ("female", "asian")
    thanks = await client.get(r.headers["location"])
    assert thanks.status_code == 200 and "Asian" not in thanks.text
    again = await client.get(page)
    assert "You answered this page before" in again.text
    assert "checked" not in again.text  # earlier answers are never shown back
    logged = await pool.fetch(
        "SELECT actor, action, subject_id FROM audit_log WHERE action = 'demographics.self_report'"
    )
    assert [(r["actor"], r["subject_id"]) for r in logged] == [("candidate", str(candidate_id))]


async def test_unanswered_means_prefer_not_to_say_and_bad_values_change_nothing(
    client: AsyncTestClient,
    token: str,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
    candidate_id: uuid.UUID,
) -> None:
    await _finish(client, token)
    page = f"/take/{token}/about-you"
    r = await client.post(page, data={}, follow_redirects=False)
    assert r.status_code == 303
    assert await _stored(pool, candidate_id) == ("unknown", "unknown")
    bad = await client.post(page, data={"sex": "other", "race_ethnicity": "white"})
    assert bad.status_code == 422 and "Choose one of the listed answers" in bad.text
    assert await _stored(pool, candidate_id) == ("unknown", "unknown")
    assert (await client.get("/take/not-a-token/about-you")).status_code == 404
