"""GET /results and friends: documents, versions, the feed's snapshot walk under concurrent
writers, updated_since, bad cursors."""

from __future__ import annotations

import asyncio
import random
import uuid

import asyncpg

from tests.faces.hr_api.helpers import (
    Client,
    new_candidate,
    new_invitation,
    rescore,
    scored_results,
    take,
    token_of,
)
from tests.web.test_error_shape import assert_problem


async def walk(
    client: Client, auth: dict[str, str], limit: int, **params: str
) -> tuple[list[dict], str | None]:  # type: ignore[type-arg]
    """Every page of one walk; the items and next_updated_since."""
    items: list[dict] = []  # type: ignore[type-arg]
    query: dict[str, str | int] = {"limit": limit, **params}
    since = None
    while True:
        r = await client.get("/api/v1/results", params=query, headers=auth)
        assert r.status_code == 200, r.text
        page = r.json()
        items.extend(page["items"])
        since = page["next_updated_since"]
        if page["next_cursor"] is None:
            return items, since
        query = {"limit": limit, "cursor": page["next_cursor"]}


async def test_a_completed_attempt_is_a_result_with_its_facts(
    client: Client,
    auth: dict[str, str],
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    candidate = await new_candidate(client, auth)
    issued = await new_invitation(client, auth, candidate["id"])
    assert (await client.get("/api/v1/results", headers=auth)).json()["items"] == []
    await take(client, token_of(issued))

    page = (await client.get("/api/v1/results", headers=auth)).json()
    [result] = page["items"]
    assert result["candidate_id"] == candidate["id"]
    assert result["invitation_id"] == issued["id"]
    assert result["assessment_id"] == "coding" and result["version"] == 1
    score = result["score"]
    assert 100 <= score["scaled"] <= 400 and score["scaled_cut"] == 300
    assert score["passed"] == (score["scaled"] >= 300)
    assert score["equating_applied"] is False and score["raw"] <= score["max"]
    assert result["competencies"] and all(
        c["level_name"] in ("Not yet", "Developing", "Proficient", "Advanced")
        and 0 <= c["level"] <= 3
        for c in result["competencies"]
    )
    assert result["readiness"] is None  # no model trained in this database
    assert result["integrity"]["total"] == sum(
        result["integrity"][k] for k in ("info", "low", "medium", "high")
    )
    assert result["ratings"]["status"] in ("none", "final")
    links = result["links"]
    assert links["employer_pdf"].endswith(f"{candidate['id']}/profile.pdf?variant=employer")

    same = await client.get(f"/api/v1/results/{result['id']}", headers=auth)
    assert same.json() == result
    mine = await client.get(f"/api/v1/candidates/{candidate['id']}/results", headers=auth)
    assert mine.json() == [result]
    invitation = (await client.get(f"/api/v1/invitations/{issued['id']}", headers=auth)).json()
    assert invitation["status"] == "completed"
    assert invitation["assessments"][0]["result_id"] == result["id"]


async def test_rescoring_adds_a_version_and_keeps_the_old_one(
    client: Client,
    auth: dict[str, str],
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    [attempt] = await scored_results(pool, org_id, 1)
    await pool.execute(
        "UPDATE responses SET answer = '\"b\"' WHERE attempt_id = $1 AND item_id = 'COM-A-01'",
        attempt,
    )
    await rescore(pool, org_id, attempt)
    current = (await client.get(f"/api/v1/results/{attempt}", headers=auth)).json()
    first = (await client.get(f"/api/v1/results/{attempt}/versions/1", headers=auth)).json()
    versions = (await client.get(f"/api/v1/results/{attempt}/versions", headers=auth)).json()
    assert current["version"] == 2 and first["version"] == 1
    assert [v["version"] for v in versions] == [1, 2] and versions[1] == current
    assert first["scoring_run_id"] != current["scoring_run_id"]
    assert first["score"] != current["score"]  # the changed answer changed the score
    assert_problem(await client.get(f"/api/v1/results/{attempt}/versions/3", headers=auth), 404)
    # the feed lists the result once, at its latest version
    items, _ = await walk(client, auth, 10)
    assert [(i["id"], i["version"]) for i in items] == [(str(attempt), 2)]


async def test_walks_never_skip_or_repeat_under_concurrent_creation_and_rescoring(
    client: Client,
    auth: dict[str, str],
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
) -> None:
    existing = await scored_results(pool, org_id, 30)
    first_walk, since = await walk(client, auth, 100)
    assert {i["id"] for i in first_walk} == {str(a) for a in existing}

    changed: set[str] = set()
    stop = asyncio.Event()

    async def writers() -> None:
        rng = random.Random(7)
        for n in range(24):
            if n % 2:
                created = await scored_results(pool, org_id, 1)
                changed.add(str(created[0]))
            else:
                victim = rng.choice(existing)
                await rescore(pool, org_id, victim)
                changed.add(str(victim))
            await asyncio.sleep(0)
        stop.set()

    async def reader() -> list[list[dict]]:  # type: ignore[type-arg]
        walks = []
        while not stop.is_set():
            items, _ = await walk(client, auth, 4)
            walks.append(items)
            await asyncio.sleep(0.05)  # stay within the key's rate limit
        return walks

    _, walks = await asyncio.gather(writers(), reader())
    assert len(walks) >= 2  # walks overlapped the writes
    for items in walks:
        ids = [i["id"] for i in items]
        assert len(ids) == len(set(ids)), "a result repeated within a walk"
        assert {str(a) for a in existing} <= set(ids), "a result skipped within a walk"
        seqs = [(i["updated_at"]) for i in items]
        assert seqs == sorted(seqs, reverse=True)  # newest change first

    # the next walk from next_updated_since finds exactly what changed, once each
    later, _ = await walk(client, auth, 5, updated_since=since)
    assert sorted(i["id"] for i in later) == sorted(changed)


async def test_bad_cursor_and_parameters_are_problems(client: Client, auth: dict[str, str]) -> None:
    r = await client.get("/api/v1/results", params={"cursor": "not-a-cursor"}, headers=auth)
    assert_problem(r, 422)
    assert r.json()["errors"][0]["field"] == "cursor"
    assert_problem(await client.get("/api/v1/results", params={"limit": 0}, headers=auth), 400)
    assert_problem(
        await client.get("/api/v1/results", params={"updated_since": "yesterday"}, headers=auth),
        400,
    )
    assert_problem(await client.get(f"/api/v1/results/{uuid.uuid4()}", headers=auth), 404)
    assert_problem(
        await client.get(f"/api/v1/candidates/{uuid.uuid4()}/results", headers=auth), 404
    )
