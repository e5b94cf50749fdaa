"""Webhooks: registration (secret once, https only), signed thin events delivered by a real
worker to a receiver written here, retries after the receiver's outage, secret rotation,
the delivery log and redelivery."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from service.app import create_app
from tests.conftest import make_settings
from tests.faces.hr_api.helpers import new_candidate, new_invitation, take, token_of
from tests.faces.hr_api.receiver import Received, receiving
from tests.jobs.helpers import wait_for, worker_in_process
from tests.web.test_error_shape import assert_problem


@pytest.fixture
async def private_client(db_url: str) -> Any:
    """The app with webhooks allowed to reach loopback (as in tests and the demo)."""
    app = create_app(make_settings(database_url=db_url, webhook_allow_private=True))
    async with AsyncTestClient(app=app) as c:
        yield c


def verified(secret: str, request: Received) -> dict[str, Any]:
    """The payload, after the signature check a receiver must do."""
    payload: dict[str, Any] = Webhook(secret).verify(request.body, request.headers)
    return payload


async def test_events_arrive_signed_and_retried_after_an_outage(
    private_client: AsyncTestClient,
    db_url: str,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
    auth: dict[str, str],
) -> None:
    client = private_client
    with receiving() as receiver:
        r = await client.post(
            "/api/v1/webhooks",
            headers=auth,
            json={
                "url": receiver.url + "/hooks",
                "description": "ATS",
                "events": ["invitation.started", "attempt.completed", "result.created"],
            },
        )
        assert r.status_code == 201 and r.headers["location"].endswith(r.json()["id"])
        hook = r.json()
        secret = hook["secret"]
        assert secret.startswith("whsec_")
        listed = (await client.get("/api/v1/webhooks", headers=auth)).json()
        assert "secret" not in listed[0] and listed[0]["id"] == hook["id"]

        receiver.status = 503  # the receiver is down
        candidate = await new_candidate(client, auth)
        issued = await new_invitation(client, auth, candidate["id"])
        await take(client, token_of(issued))
        settings = make_settings(database_url=db_url, webhook_allow_private=True)
        async with worker_in_process(settings, pool):
            await wait_for(pool, "SELECT count(*) = 3 FROM webhook_delivery_attempts")
            receiver.status = 204  # back up: let the retries run now instead of in 10 s
            await pool.execute(
                "UPDATE procrastinate_jobs SET scheduled_at = now() "
                "WHERE task_name = 'deliver_webhook' AND status = 'todo'"
            )
            await wait_for(
                pool, "SELECT count(*) = 3 FROM webhook_deliveries WHERE status = 'succeeded'"
            )
        payloads = [verified(secret, req) for req in receiver.requests]
        assert {p["type"] for p in payloads} == {
            "invitation.started",
            "attempt.completed",
            "result.created",
        }
        ids = {req.headers["webhook-id"] for req in receiver.requests}
        assert len(ids) == 3 and len(receiver.requests) == 6  # each event tried twice
        created = next(p for p in payloads if p["type"] == "result.created")
        assert created["data"]["candidate_id"] == candidate["id"]
        assert created["data"]["links"]["result"].startswith("/api/v1/results/")
        assert "email" not in str(payloads) and "Rosa" not in str(payloads)  # thin events

        tampered = msgspec.structs.replace(
            receiver.requests[-1], body=receiver.requests[-1].body + b" "
        )
        with pytest.raises(WebhookVerificationError):
            verified(secret, tampered)

        log = (await client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth)).json()[
            "items"
        ]
        assert len(log) == 3
        for delivery in log:
            assert delivery["status"] == "succeeded"
            assert [a["status_code"] for a in delivery["attempts"]] == [503, 204]
            assert delivery["attempts"][0]["error"] == "HTTP 503"
            assert all(a["duration_ms"] >= 0 for a in delivery["attempts"])

        # rotation: the next delivery carries both signatures for 24 hours
        rotated = await client.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret", headers=auth)
        new_secret = rotated.json()["secret"]
        assert new_secret != secret and rotated.json()["previous_secret_valid_until"]
        again = await client.post(
            f"/api/v1/webhooks/{hook['id']}/deliveries/{log[0]['id']}/redeliver", headers=auth
        )
        assert again.status_code == 202 and again.json()["event_id"] == log[0]["event_id"]
        async with worker_in_process(settings, pool):
            await wait_for(
                pool, "SELECT count(*) = 4 FROM webhook_deliveries WHERE status = 'succeeded'"
            )
        last = receiver.requests[-1]
        assert last.headers["webhook-id"] == log[0]["event_id"]
        assert len(last.headers["webhook-signature"].split()) == 2
        verified(new_secret, last)
        verified(secret, last)

        assert (
            await client.delete(f"/api/v1/webhooks/{hook['id']}", headers=auth)
        ).status_code == 204
        assert_problem(await client.get(f"/api/v1/webhooks/{hook['id']}", headers=auth), 404)


async def test_invitation_callbacks_are_signed_with_their_own_secret(
    private_client: AsyncTestClient,
    db_url: str,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
    auth: dict[str, str],
) -> None:
    with receiving() as receiver:
        candidate = await new_candidate(private_client, auth)
        issued = await new_invitation(
            private_client, auth, candidate["id"], callback_url=receiver.url + "/cb"
        )
        await take(private_client, token_of(issued))
        settings = make_settings(database_url=db_url, webhook_allow_private=True)
        async with worker_in_process(settings, pool):
            await wait_for(
                pool, "SELECT count(*) >= 4 FROM webhook_deliveries WHERE status = 'succeeded'"
            )
        types = [verified(issued["callback_secret"], r)["type"] for r in receiver.requests]
        assert sorted(types) == [
            "attempt.completed",
            "invitation.completed",
            "invitation.started",
            "result.created",
        ]


async def test_registration_rules(
    client: AsyncTestClient,  # type: ignore[type-arg]
    auth: dict[str, str],
) -> None:
    for url in (
        "http://hooks.example.com/x",
        "https://127.0.0.1/x",
        "https://192.168.1.4/x",
        "https://localhost/x",
        "ftp://example.com/x",
        "https://u:p@example.com/x",
    ):
        r = await client.post(
            "/api/v1/webhooks", headers=auth, json={"url": url, "events": ["result.created"]}
        )
        assert r.status_code in (400, 422), (url, r.text)
    assert_problem(
        await client.post(
            "/api/v1/webhooks",
            headers=auth,
            json={"url": "https://hooks.example.com/x", "events": ["result.deleted"]},
        ),
        400,
    )
    assert_problem(
        await client.post(
            "/api/v1/webhooks",
            headers=auth,
            json={"url": "https://hooks.example.com/x", "events": []},
        ),
        400,
    )
    assert_problem(
        await client.get(f"/api/v1/webhooks/{uuid.uuid4()}/deliveries", headers=auth), 404
    )


async def test_a_new_profile_is_announced_once(
    private_client: AsyncTestClient,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
    auth: dict[str, str],
) -> None:
    client = private_client
    hook = (
        await client.post(
            "/api/v1/webhooks",
            headers=auth,
            json={"url": "http://127.0.0.1:9/h", "events": ["profile.ready"]},
        )
    ).json()
    candidate = await new_candidate(client, auth)
    await take(client, token_of(await new_invitation(client, auth, candidate["id"])))
    for _ in range(2):  # the second download reuses the stored profile: no new event
        pdf = await client.get(f"/api/v1/candidates/{candidate['id']}/profile.pdf", headers=auth)
        assert pdf.status_code == 200
    rows = await pool.fetch(
        """SELECT e.payload FROM webhook_deliveries d JOIN integration_events e
           ON e.id = d.event_id WHERE d.endpoint_id = $1""",
        uuid.UUID(hook["id"]),
    )
    [event] = [msgspec.json.decode(r["payload"]) for r in rows]
    assert event["type"] == "profile.ready" and event["data"]["variant"] == "employer"
    assert event["data"]["candidate_id"] == candidate["id"]
