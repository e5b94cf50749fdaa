"""POST /outcomes (validated, idempotent, a training label for `chartready train`), and the
candidate list's cursor, updated_since and external_id lookup."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from service.readiness.outcomes import training_rows
from tests.faces.hr_api.helpers import Client, new_candidate, scored_results
from tests.web.test_error_shape import assert_problem


async def test_outcomes_are_validated_replaced_and_used_for_training(
    client: Client,
    auth: dict[str, str],
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    [attempt] = await scored_results(pool, org_id, 1)
    candidate = str(await pool.fetchval("SELECT candidate_id FROM attempts WHERE id = $1", attempt))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    hired = {"candidate_id": candidate, "hired": True, "observed_on": today}
    r = await client.post("/api/v1/outcomes", json=hired, headers=auth)
    assert r.status_code == 200 and r.json()["met_standard"] is None
    async with pool.acquire() as conn:
        assert await training_rows(conn, organization_id=org_id) == []
    later = {**hired, "retained_90_days": True, "supervisor_rating": 4}
    for _ in range(2):  # posting again replaces, never duplicates
        r = await client.post("/api/v1/outcomes", json=later, headers=auth)
        assert r.status_code == 200 and r.json()["met_standard"] is True
    async with pool.acquire() as conn:
        [row] = await training_rows(conn, organization_id=org_id)
    assert str(row.candidate_id) == candidate and row.met_standard and row.percents
    poor = {**later, "supervisor_rating": 2}
    assert (await client.post("/api/v1/outcomes", json=poor, headers=auth)).json()[
        "met_standard"
    ] is False
    assert await pool.fetchval("SELECT count(*) FROM hiring_outcomes") == 1

    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    assert_problem(
        await client.post(
            "/api/v1/outcomes", headers=auth, json={**hired, "observed_on": tomorrow}
        ),
        422,
        "observed_on",
    )
    assert_problem(
        await client.post(
            "/api/v1/outcomes",
            headers=auth,
            json={**hired, "hired": False, "retained_90_days": True},
        ),
        422,
        "retained_90_days",
    )
    assert_problem(
        await client.post("/api/v1/outcomes", headers=auth, json={**later, "supervisor_rating": 6}),
        400,
    )
    assert_problem(
        await client.post(
            "/api/v1/outcomes", headers=auth, json={**hired, "candidate_id": str(uuid.uuid4())}
        ),
        404,
    )


async def test_candidates_page_by_cursor_and_are_found_by_external_id(
    client: Client,
    auth: dict[str, str],
    pool: asyncpg.Pool,
) -> None:
    made = [(await new_candidate(client, auth, external_id=f"ats-{n}"))["id"] for n in range(5)]
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    while True:
        page = (await client.get("/api/v1/candidates", params=params, headers=auth)).json()
        seen += [c["id"] for c in page["items"]]
        if not page["next_cursor"]:
            break
        await new_candidate(client, auth)  # created mid-walk: never shifts the walk
        params = {"limit": 2, "cursor": page["next_cursor"]}
    assert seen == list(reversed(made))
    found = (
        await client.get("/api/v1/candidates", params={"external_id": "ats-3"}, headers=auth)
    ).json()["items"]
    assert [c["id"] for c in found] == [made[3]]
    cutoff = await pool.fetchval("SELECT max(updated_at) FROM candidates")
    newer = await new_candidate(client, auth, external_id="late")
    since = (
        await client.get(
            "/api/v1/candidates", headers=auth, params={"updated_since": cutoff.isoformat()}
        )
    ).json()["items"]
    assert [c["id"] for c in since] == [newer["id"]]
    dup = await client.post(
        "/api/v1/candidates",
        headers=auth,
        json={
            "given_name": "X",
            "family_name": "Y",
            "email": "x@example.org",
            "external_id": "ats-0",
        },
    )
    assert_problem(dup, 409)
    assert dup.json()["existing_id"] == made[0]
