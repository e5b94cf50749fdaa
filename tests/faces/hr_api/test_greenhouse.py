"""The Greenhouse Assessment Partner flow end to end against a fake Greenhouse run here:
list_tests -> send_test -> the candidate completes through the candidate endpoints -> the
PATCH arrives -> test_status is complete with a score, flat metadata and a profile link a
recruiter can open."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from tests.conftest import make_settings
from tests.faces.hr_api.helpers import key_with, take
from tests.faces.hr_api.receiver import receiving
from tests.jobs.helpers import wait_for, worker_in_process
from tests.web.test_error_shape import assert_problem


def basic(key: dict[str, str]) -> dict[str, str]:
    """Greenhouse's way: HTTP Basic with the key as the username and no password."""
    secret = key["Authorization"].removeprefix("Bearer ")
    return {"Authorization": "Basic " + base64.b64encode(f"{secret}:".encode()).decode()}


@pytest.fixture
async def gh_client(db_url: str) -> Any:
    app = create_app(make_settings(database_url=db_url, webhook_allow_private=True, pdf_workers=1))
    async with AsyncTestClient(app=app) as c:
        yield c


async def test_greenhouse_flow_end_to_end(
    gh_client: AsyncTestClient,  # type: ignore[type-arg]
    db_url: str,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    client = gh_client
    gh = basic(await key_with(pool, org_id, "greenhouse"))
    tests = (await client.get("/integrations/greenhouse/list_tests", headers=gh)).json()
    assert {
        "partner_test_id": "coding",
        "partner_test_name": "Medical coding (coder level)",
    } in tests
    assert tests[0] == {"partner_test_id": "clerk", "partner_test_name": "Clerk screening"}

    with receiving() as greenhouse:
        request = {
            "partner_test_id": "coding",
            "candidate": {
                "first_name": "Harmony",
                "last_name": "Stone",
                "preferred_name": None,
                "email": "harmony@example.org",
                "greenhouse_profile_url": "https://app.greenhouse.io/people/17",
                "phone_number": "555-0100",
                "future_field": "ignored",
            },
            "sent_by": "recruiter@example.org",
            "url": greenhouse.url + "/assessment/patch/abc",
            "extra_property": True,
        }
        sent = await client.post("/integrations/greenhouse/send_test", json=request, headers=gh)
        assert sent.status_code == 200, sent.text
        interview = sent.json()["partner_interview_id"]
        status = await client.get(
            "/integrations/greenhouse/test_status",
            headers=gh,
            params={"partner_interview_id": interview},
        )
        assert status.json()["partner_status"] == "sent"
        assert status.json()["partner_profile_url"] is None

        # the candidate got the e-mail (the outbox here) and takes the test
        link = await pool.fetchval("SELECT link FROM outbound_emails")
        await take(client, link.rsplit("/", 1)[-1])
        settings = make_settings(database_url=db_url, webhook_allow_private=True)
        async with worker_in_process(settings, pool):
            await wait_for(
                pool,
                "SELECT count(*) = 1 FROM webhook_deliveries "
                "WHERE kind = 'greenhouse' AND status = 'succeeded'",
            )
        [patch] = greenhouse.requests
        assert patch.method == "PATCH" and patch.path == "/assessment/patch/abc"
        assert patch.body == b""

        done = (
            await client.get(
                "/integrations/greenhouse/test_status",
                headers=gh,
                params={"partner_interview_id": interview},
            )
        ).json()
        assert done["partner_status"] == "complete"
        assert 100 <= done["partner_score"] <= 400
        meta = done["metadata"]
        assert meta["coding_scaled_score"] == done["partner_score"]
        assert all(isinstance(v, str | int | float | bool) or v is None for v in meta.values())
        assert any(k.startswith("competency_") for k in meta)
        url = done["partner_profile_url"]
        assert url.startswith("http://127.0.0.1:8000/integrations/profiles/")
        pdf = await client.get(url.removeprefix("http://127.0.0.1:8000"))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
        # the same person sent again is the same candidate
        again = await client.post("/integrations/greenhouse/send_test", json=request, headers=gh)
        assert again.status_code == 200
        assert await pool.fetchval("SELECT count(*) FROM candidates") == 1

    bad = {"Authorization": "Basic " + base64.b64encode(b"crk_wrong:").decode()}
    assert_problem(await client.get("/integrations/greenhouse/list_tests", headers=bad), 401)
    assert_problem(
        await client.get(
            "/integrations/greenhouse/test_status",
            headers=gh,
            params={"partner_interview_id": str(uuid.uuid4())},
        ),
        404,
    )
    assert_problem(
        await client.post(
            "/integrations/greenhouse/send_test",
            headers=gh,
            json={**request, "partner_test_id": "juggling"},
        ),
        404,
    )
    reported = await client.post(
        "/integrations/greenhouse/response_error",
        headers=gh,
        json={
            "api_call": "test_status",
            "errors": ["partner_score must be a number"],
            "partner_interview_id": interview,
            "candidate_email": "harmony@example.org",
        },
    )
    assert reported.status_code == 200
    assert_problem(await client.get("/integrations/profiles/" + "x" * 43), 404)
    await pool.execute("UPDATE profile_links SET expires_at = now() - interval '1 minute'")
    assert_problem(await client.get(url.removeprefix("http://127.0.0.1:8000")), 410)
