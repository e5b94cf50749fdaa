"""Finding 5: rating is blind, and the employer copy is for coordinators and admins.

A second rater downloading the employer PDF read the first rater's note (and, through it,
their judgement); a viewer got the employer copy with integrity signals and rater notes."""

from __future__ import annotations

import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from tests.faces.staff.test_staff_ratings import scored_attempt
from tests.faces.test_profile_downloads import pdf_text
from tests.results.factories import make_user, org_slug, sign_in
from tests.web.test_error_shape import assert_problem

NOTE = "Rater one: the tone is curt and the fee is not explained"
LEVELS = {"content": 1, "organization": 2, "tone": 0, "mechanics": 3}


async def test_only_coordinators_and_admins_read_rater_notes(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    attempt = await scored_attempt(pool, org_id)
    candidate = await pool.fetchval("SELECT candidate_id FROM attempts WHERE id = $1", attempt)
    await pool.execute(
        """INSERT INTO integrity_events (organization_id, attempt_id, kind,
                              severity) VALUES ($1, $2, 'paste', 'medium')""",
        org_id,
        attempt,
    )
    slug = await org_slug(pool, org_id)
    for role, email in (
        ("rater", "r1@example.org"),
        ("rater", "r2@example.org"),
        ("viewer", "v@example.org"),
        ("coordinator", "c@example.org"),
    ):
        await make_user(pool, org_id, role, email)
    csrf = await sign_in(client, slug, "r1@example.org")
    first = await client.post(
        "/staff/ratings",
        headers=csrf,
        json={"attempt_id": str(attempt), "item_id": "COM-A-14", "levels": LEVELS, "notes": NOTE},
    )
    assert first.status_code == 201 and first.json()["state"] == "awaiting_second"
    url = f"/staff/candidates/{candidate}/profile.pdf"

    for email in ("r2@example.org", "v@example.org"):
        client.cookies.clear()
        await sign_in(client, slug, email)
        assert_problem(await client.get(url, params={"variant": "employer"}), 403, "variant")
        plain = await client.get(url)  # the default for them is the candidate copy
        assert plain.status_code == 200 and plain.content.startswith(b"%PDF")
        text = pdf_text(plain.content)
        assert "tone is curt" not in text and "Pasted text" not in text
        queue = (await client.get("/staff/ratings/queue")).json() if email[0] == "r" else []
        assert "tone is curt" not in str(queue)

    client.cookies.clear()
    await sign_in(client, slug, "c@example.org")
    employer = await client.get(url)  # coordinators get the employer copy by default
    assert employer.status_code == 200
    text = " ".join(pdf_text(employer.content).split())
    assert "tone is curt" in text and "Pasted text" in text
