"""Profile downloads through the real app: the candidate's link, staff, the HR API."""

from __future__ import annotations

import asyncio
import io
import uuid

import asyncpg
import msgspec
import pypdf
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.assessments.content import load_content
from service.delivery.tokens import mint_token, token_digest
from service.ground.settings import Settings
from service.readiness.predict import BandThresholds
from service.results.rescoring import rescore_attempt
from tests.assessments.helpers import key_answer
from tests.delivery.conftest import tampered
from tests.results.factories import finished_attempt, staff_headers
from tests.web.test_error_shape import assert_problem


async def scored_candidate(pool: asyncpg.Pool, org_id: uuid.UUID) -> tuple[uuid.UUID, str]:
    """A candidate with a fully correct, scored privacy attempt, and their link token."""
    content = load_content()
    answers = {i.id: key_answer(i) for i in content.forms["privacy-a"].items}
    attempt = await finished_attempt(pool, org_id, "privacy-a", answers, content)
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
        token = mint_token()
        candidate = await conn.fetchval(
            """UPDATE invitations SET token_sha256 = $2
               FROM attempts WHERE attempts.id = $1 AND invitations.id = attempts.invitation_id
               RETURNING invitations.candidate_id""",
            attempt,
            token_digest(token),
        )
    return candidate, token


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


async def test_candidate_downloads_own_profile_and_it_verifies(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    _, token = await scored_candidate(pool, org_id)
    r = await client.get(f"/take/{token}/profile.pdf")
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/pdf"
    assert "attachment" in r.headers["content-disposition"]
    assert r.headers["cache-control"] == "private, no-store"
    text = pdf_text(r.content)
    assert "Test Candidate" in text
    assert "Privacy" in text
    again = await client.get(f"/take/{token}/profile.pdf")
    assert again.content == r.content  # unchanged scores: the stored PDF, not a new render
    assert await pool.fetchval("SELECT count(*) FROM profiles") == 1
    profile_id = await pool.fetchval("SELECT id FROM profiles")
    verdict = (
        await client.get(f"/verify/{profile_id}", headers={"Accept": "application/json"})
    ).json()
    assert verdict["valid"] is True
    # a tampered token reveals nothing
    assert (await client.get(f"/take/{tampered(token)}/profile.pdf")).status_code == 404


async def test_staff_and_hr_downloads_are_scoped_and_audited(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    auth: dict[str, str],  # type: ignore[type-arg]
) -> None:
    candidate, _ = await scored_candidate(pool, org_id)
    r = await client.get(f"/api/v1/candidates/{candidate}/profile.pdf", headers=auth)
    assert r.status_code == 200
    assert r.content.startswith(b"%PDF")
    assert_problem(
        await client.get(f"/api/v1/candidates/{uuid.uuid4()}/profile.pdf", headers=auth), 404
    )
    csrf = await staff_headers(client, pool, org_id, "viewer", "v@example.org")
    staff = await client.get(f"/staff/candidates/{candidate}/profile.pdf?variant=candidate")
    assert staff.status_code == 200
    assert staff.content.startswith(b"%PDF")
    actions = await pool.fetch(
        "SELECT actor, action FROM audit_log WHERE action = 'profile.download' ORDER BY id"
    )
    assert [a["actor"].split(":")[0] for a in actions] == ["api_key", "user"]
    # a viewer may not start cohort jobs
    r = await client.post(f"/staff/cohorts/{uuid.uuid4()}/profiles", json={}, headers=csrf)
    assert_problem(r, 403)


async def test_no_profile_before_anything_is_scored(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    auth: dict[str, str],  # type: ignore[type-arg]
) -> None:
    r = await client.post(
        "/api/v1/candidates",
        headers=auth,
        json={"given_name": "New", "family_name": "Person", "email": "np@example.org"},
    )
    r = await client.get(f"/api/v1/candidates/{r.json()['id']}/profile.pdf", headers=auth)
    body = assert_problem(r, 404)
    assert "scored" in body["detail"]


async def test_coordinator_renders_a_cohort_in_the_background(
    settings: Settings,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    """The web process's own job worker (as `serve` runs it) renders the cohort."""
    app = create_app(msgspec.structs.replace(settings, jobs_in_process=True))
    async with AsyncTestClient(app=app) as client:
        await _render_cohort(client, pool, org_id)


async def _render_cohort(
    client: AsyncTestClient,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
    org_id: uuid.UUID,
) -> None:
    candidate, _ = await scored_candidate(pool, org_id)
    cohort = uuid.uuid4()
    await pool.execute(
        "INSERT INTO cohorts (id, organization_id, name) VALUES ($1, $2, 'C1')", cohort, org_id
    )
    await pool.execute(
        "INSERT INTO cohort_members (organization_id, cohort_id, candidate_id) VALUES ($1, $2, $3)",
        org_id,
        cohort,
        candidate,
    )
    csrf = await staff_headers(client, pool, org_id, "coordinator", "c@example.org")
    job = await client.post(
        f"/staff/cohorts/{cohort}/profiles", json={"variant": "employer"}, headers=csrf
    )
    assert job.status_code == 202, job.text
    assert job.json()["total"] == 1
    for _ in range(600):  # up to a minute: the first render also starts the pool's workers
        progress = (await client.get(f"/staff/profile-jobs/{job.json()['id']}")).json()
        if progress["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.1)
    assert progress["done"] == 1, progress
    assert progress["failed"] == 0
    variant = await pool.fetchval("SELECT variant FROM profiles WHERE candidate_id = $1", candidate)
    assert variant == "employer"
