"""Invitations over the HR API: create (201, Location, e-mail to the outbox), list with
filters and cursor, status through the candidate's progress, revoke, re-issue, callbacks."""

from __future__ import annotations

import uuid

import asyncpg

from service.assessments.content import load_content
from tests.faces.hr_api.helpers import (
    Client,
    key_with,
    new_candidate,
    new_invitation,
    take,
    token_of,
)
from tests.web.test_error_shape import assert_problem


async def test_create_read_and_follow_an_invitation(
    client: Client, auth: dict[str, str], pool: asyncpg.Pool
) -> None:
    candidate = await new_candidate(client, auth)
    r = await client.post(
        "/api/v1/invitations",
        headers=auth,
        json={"candidate_id": candidate["id"], "assessments": ["coding"]},
    )
    assert r.status_code == 201 and r.headers["location"] == f"/api/v1/invitations/{r.json()['id']}"
    issued = r.json()
    assert issued["email"] == "outbox" and issued["callback_secret"] is None
    view = (await client.get(r.headers["location"], headers=auth)).json()
    assert view["status"] == "sent"
    assert view["assessments"] == [
        {
            "assessment_id": "coding",
            "status": "not_started",
            "attempt_id": None,
            "started_at": None,
            "finished_at": None,
            "result_id": None,
        }
    ]
    assert view["email"]["kind"] == "invitation" and view["email"]["status"] == "outbox"
    token = token_of(issued)
    consent = await client.post(
        f"/take/{token}/consent", data={"agree": "yes"}, follow_redirects=False
    )
    assert consent.status_code == 303
    assert (await client.get(r.headers["location"], headers=auth)).json()["status"] == "started"
    await take(client, token)
    done = (await client.get(r.headers["location"], headers=auth)).json()
    assert done["status"] == "completed" and done["completed_at"] is not None
    assert done["assessments"][0]["status"] == "finished"


async def test_list_filters_and_pages_without_repeats(client: Client, auth: dict[str, str]) -> None:
    a = await new_candidate(client, auth, email="a@example.org")
    b = await new_candidate(client, auth, email="b@example.org")
    made = [(await new_invitation(client, auth, a["id"]))["id"] for _ in range(5)]
    made.append((await new_invitation(client, auth, b["id"]))["id"])
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    while True:
        page = (await client.get("/api/v1/invitations", params=params, headers=auth)).json()
        seen += [i["id"] for i in page["items"]]
        if not page["next_cursor"]:
            break
        # an invitation created mid-walk lands before the cursor: never in this walk
        await new_invitation(client, auth, b["id"])
        params = {"limit": 2, "cursor": page["next_cursor"]}
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    only_a = (
        await client.get("/api/v1/invitations", headers=auth, params={"candidate_id": a["id"]})
    ).json()["items"]
    assert {i["candidate_id"] for i in only_a} == {a["id"]} and len(only_a) == 5
    sent = (
        await client.get("/api/v1/invitations", headers=auth, params={"status": "cancelled"})
    ).json()["items"]
    assert sent == []
    assert_problem(
        await client.get("/api/v1/invitations", headers=auth, params={"status": "lost"}), 400
    )


async def test_revoke_kills_the_link_and_reissue_replaces_it(
    client: Client, auth: dict[str, str], pool: asyncpg.Pool
) -> None:
    candidate = await new_candidate(client, auth)
    issued = await new_invitation(client, auth, candidate["id"])
    old = token_of(issued)
    assert (await client.get(f"/take/{old}")).status_code == 200
    again = await client.post(
        f"/api/v1/invitations/{issued['id']}/reissue", headers=auth, json={"expires_in_days": 30}
    )
    assert again.status_code == 200, again.text
    new = token_of(again.json())
    assert new != old
    assert (await client.get(f"/take/{old}")).status_code == 404  # the old link is dead
    assert (await client.get(f"/take/{new}")).status_code == 200
    view = (await client.get(f"/api/v1/invitations/{issued['id']}", headers=auth)).json()
    assert view["reissued_at"] is not None and view["expires_at"] > issued["expires_at"]

    revoked = await client.post(f"/api/v1/invitations/{issued['id']}/revoke", headers=auth)
    assert revoked.status_code == 200 and revoked.json()["status"] == "cancelled"
    assert (await client.get(f"/take/{new}")).status_code == 404
    twice = await client.post(f"/api/v1/invitations/{issued['id']}/revoke", headers=auth)
    assert twice.json()["cancelled_at"] == revoked.json()["cancelled_at"]
    assert_problem(
        await client.post(f"/api/v1/invitations/{issued['id']}/reissue", headers=auth, json={}), 409
    )
    stored_links = await pool.fetchval(
        "SELECT count(*) FROM outbound_emails WHERE invitation_id = $1 AND link IS NOT NULL",
        uuid.UUID(issued["id"]),
    )
    assert stored_links == 0  # the token-bearing link is forgotten once the invitation ends


async def test_bad_input_and_callbacks(client: Client, auth: dict[str, str]) -> None:
    candidate = await new_candidate(client, auth)
    bad = await client.post(
        "/api/v1/invitations",
        headers=auth,
        json={"candidate_id": candidate["id"], "assessments": ["juggling"]},
    )
    assert_problem(bad, 422, "assessments[0]")
    unknown = await client.post(
        "/api/v1/invitations",
        headers=auth,
        json={"candidate_id": candidate["id"], "assessments": ["coding"], "colour": "red"},
    )
    assert_problem(unknown, 400, "colour")
    plain = await client.post(
        "/api/v1/invitations",
        headers=auth,
        json={
            "candidate_id": candidate["id"],
            "assessments": ["coding"],
            "callback_url": "http://ats.example.com/hook",
        },
    )
    assert_problem(plain, 422, "callback_url")  # https only outside tests and the demo
    private = await client.post(
        "/api/v1/invitations",
        headers=auth,
        json={
            "candidate_id": candidate["id"],
            "assessments": ["coding"],
            "callback_url": "https://10.0.0.5/hook",
        },
    )
    assert_problem(private, 422, "callback_url")
    ok = await new_invitation(
        client, auth, candidate["id"], callback_url="https://ats.example.com/hook"
    )
    assert ok["callback_secret"].startswith("whsec_")
    assert_problem(await client.get(f"/api/v1/invitations/{uuid.uuid4()}", headers=auth), 404)


async def test_scopes_are_enforced(client: Client, pool: asyncpg.Pool, org_id: uuid.UUID) -> None:
    reader = await key_with(pool, org_id, "invitations:read")
    assert (await client.get("/api/v1/invitations", headers=reader)).status_code == 200
    assert (await client.get("/api/v1/assessments", headers=reader)).status_code == 200
    assert_problem(
        await client.post(
            "/api/v1/invitations",
            headers=reader,
            json={"candidate_id": str(uuid.uuid4()), "assessments": ["coding"]},
        ),
        403,
    )
    assert_problem(await client.get("/api/v1/results", headers=reader), 403)
    assert_problem(await client.get("/api/v1/webhooks", headers=reader), 403)
    assert_problem(await client.get("/integrations/greenhouse/list_tests", headers=reader), 403)
    assert_problem(await client.get("/api/v1/invitations"), 401)


async def test_catalog_lists_every_assessment(client: Client, auth: dict[str, str]) -> None:
    catalog = (await client.get("/api/v1/assessments", headers=auth)).json()
    content = load_content()
    assert [a["id"] for a in catalog] == sorted(content.assessments)
    for a in catalog:
        assert a["item_count"] > 0 and a["forms"] == 2 and a["time_limit_minutes"] > 0
        assert a["content_version"].startswith("c-") and a["competencies"]
