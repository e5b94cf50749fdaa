"""The rating workspace over HTTP: the blind queue, rating through the form, adjudication,
agreement against the core function, the role matrix and bad input."""

from __future__ import annotations

import re
import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from service.assessments.content import load_content
from service.results.rating_queue import rater_agreement
from tests.faces.dashboard.helpers import dashboard_sign_in
from tests.faces.staff.test_staff_ratings import REPLY, scored_attempt
from tests.results.factories import make_user, org_slug

ITEM = "COM-A-14"
CRITERIA = [c.id for c in load_content().items[ITEM].criteria]  # type: ignore[union-attr]


async def _as(client: AsyncTestClient, slug: str, email: str) -> str:  # type: ignore[type-arg]
    client.cookies.clear()
    return await dashboard_sign_in(client, slug, email)


async def _rate(
    client: AsyncTestClient,  # type: ignore[type-arg]
    csrf: str,
    attempt: uuid.UUID,
    levels: dict[str, int],
) -> object:
    data = {"_csrf": csrf, **{f"level.{c}": str(v) for c, v in levels.items()}}
    return await client.post(
        f"/dashboard/ratings/{attempt}/{ITEM}", data=data, follow_redirects=False
    )


async def test_rater_rates_through_the_form_and_the_queue_moves_on(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "rater", "r1@example.org")
    slug = await org_slug(pool, org_id)
    first, second = await scored_attempt(pool, org_id), await scored_attempt(pool, org_id)
    csrf = await _as(client, slug, "r1@example.org")
    queue = await client.get("/dashboard/ratings")
    assert queue.status_code == 200
    assert f"/dashboard/ratings/{first}/{ITEM}" in queue.text
    assert f"/dashboard/ratings/{second}/{ITEM}" in queue.text
    assert "Test Candidate" not in queue.text and "tc@example.org" not in queue.text
    nxt = await client.get("/dashboard/ratings/next", follow_redirects=False)
    assert nxt.headers["location"] == f"/dashboard/ratings/{first}/{ITEM}"
    task = await client.get(f"/dashboard/ratings/{first}/{ITEM}")
    assert task.status_code == 200
    assert "Test Candidate" not in task.text  # blind
    assert "Dear Ms. Rivera" in task.text  # the response
    criterion = load_content().items[ITEM].criteria[0]  # type: ignore[union-attr]
    assert criterion.levels[3][:30] in task.text  # level descriptors beside it
    assert '<script src="/dashboard/static/rating.js" defer></script>' in task.text
    assert "<script>" not in task.text  # no inline script (strict CSP)
    done = await _rate(client, csrf, first, dict.fromkeys(CRITERIA, 2))
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert done.headers["location"] == "/dashboard/ratings?rated=awaiting_second"  # type: ignore[attr-defined]
    stored = await pool.fetchrow(
        "SELECT role, levels FROM ratings WHERE attempt_id = $1 AND item_id = $2", first, ITEM
    )
    assert stored["role"] == "independent" and stored["levels"] == dict.fromkeys(CRITERIA, 2)
    after = await client.get("/dashboard/ratings?rated=awaiting_second")
    assert "waits for a second" in after.text
    assert f"/dashboard/ratings/{first}/{ITEM}" not in after.text  # rated: gone from my queue
    assert f"/dashboard/ratings/{second}/{ITEM}" in after.text
    nxt = await client.get("/dashboard/ratings/next", follow_redirects=False)
    assert nxt.headers["location"] == f"/dashboard/ratings/{second}/{ITEM}"
    # the same response again: not waiting for me any more
    again = await client.get(f"/dashboard/ratings/{first}/{ITEM}")
    assert again.status_code == 404 and "not waiting" in again.text


async def test_bad_levels_re_show_the_form_with_errors_and_store_nothing(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "rater", "r1@example.org")
    slug = await org_slug(pool, org_id)
    attempt = await scored_attempt(pool, org_id)
    csrf = await _as(client, slug, "r1@example.org")
    levels = dict.fromkeys(CRITERIA[1:], 1)
    levels[CRITERIA[1]] = 7
    r = await _rate(client, csrf, attempt, levels)
    assert r.status_code == 422  # type: ignore[attr-defined]
    text = r.text  # type: ignore[attr-defined]
    assert f'id="error-{CRITERIA[0]}"' in text and "Choose a level" in text
    assert f'id="error-{CRITERIA[1]}"' in text and "must be 0, 1, 2 or 3" in text
    # what was valid stays chosen
    assert re.search(rf'id="l-{CRITERIA[2]}-1"[^>]*checked', text)
    forged = await client.post(
        f"/dashboard/ratings/{attempt}/{ITEM}",
        data={f"level.{c}": "1" for c in CRITERIA},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM ratings") == 0
    missing = await client.get(f"/dashboard/ratings/{uuid.uuid4()}/{ITEM}")
    assert missing.status_code == 404 and "<h1>" in missing.text


async def test_coordinator_adjudicates_and_agreement_matches_the_core(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    for n in (1, 2):
        await make_user(pool, org_id, "rater", f"r{n}@example.org")
    await make_user(pool, org_id, "coordinator", "coord@example.org")
    slug = await org_slug(pool, org_id)
    attempt, agreeing = await scored_attempt(pool, org_id), await scored_attempt(pool, org_id)
    csrf = await _as(client, slug, "r1@example.org")
    await _rate(client, csrf, attempt, dict.fromkeys(CRITERIA, 3))
    await _rate(client, csrf, agreeing, dict.fromkeys(CRITERIA, 2))
    csrf = await _as(client, slug, "r2@example.org")
    # an independent rater never sees the first rater's levels
    blind = await client.get(f"/dashboard/ratings/{attempt}/{ITEM}")
    assert "Independent ratings" not in blind.text
    r = await _rate(client, csrf, attempt, dict.fromkeys(CRITERIA, 0))
    assert r.headers["location"] == "/dashboard/ratings?rated=needs_adjudication"  # type: ignore[attr-defined]
    await _rate(client, csrf, agreeing, {**dict.fromkeys(CRITERIA, 2), CRITERIA[0]: 1})
    # a rater neither sees nor gives the adjudication
    await make_user(pool, org_id, "rater", "r3@example.org")
    csrf = await _as(client, slug, "r3@example.org")
    queue = await client.get("/dashboard/ratings")
    assert f"Adjudicate {ITEM}" not in queue.text and "adjudication-heading" not in queue.text
    assert (await client.get(f"/dashboard/ratings/{attempt}/{ITEM}")).status_code == 404
    r = await _rate(client, csrf, attempt, dict.fromkeys(CRITERIA, 1))
    assert r.status_code == 404  # type: ignore[attr-defined]
    csrf = await _as(client, slug, "coord@example.org")
    queue = await client.get("/dashboard/ratings")
    assert f"Adjudicate {ITEM}" in queue.text
    task = await client.get(f"/dashboard/ratings/{attempt}/{ITEM}")
    assert "Adjudicate response" in task.text
    assert "Independent ratings: <strong>3</strong> and <strong>0</strong>" in task.text
    done = await _rate(client, csrf, attempt, dict.fromkeys(CRITERIA, 1))
    assert done.headers["location"] == "/dashboard/ratings?rated=final"  # type: ignore[attr-defined]
    role = await pool.fetchval(
        "SELECT role FROM ratings WHERE attempt_id = $1 AND rater_id = "
        "(SELECT id FROM users WHERE email = 'coord@example.org')",
        attempt,
    )
    assert role == "adjudication"
    final = await pool.fetchval(
        """SELECT s.provisional FROM item_scores s JOIN scoring_runs r ON r.id = s.scoring_run_id
           WHERE r.attempt_id = $1 AND r.current AND s.item_id = $2""",
        attempt,
        ITEM,
    )
    assert final is False
    # agreement: the page shows exactly what the core function computes
    page = await client.get("/dashboard/ratings")
    async with pool.acquire() as conn:
        stats = await rater_agreement(conn, org_id)
    assert len(stats) == 2
    for a in stats.values():
        assert f"{a.exact * 100:.1f}%" in page.text
        assert f"{a.adjacent * 100:.1f}%" in page.text
        kappa = "—" if a.quadratic_kappa is None else f"{a.quadratic_kappa:.3f}"
        assert kappa in page.text
    csv = await client.get("/dashboard/ratings/agreement.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0] == "rater_id,rater,paired_levels,exact,adjacent,quadratic_kappa"
    by_id = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    for rater, a in stats.items():
        assert by_id[rater][2] == str(a.n)
        assert float(by_id[rater][3]) == a.exact


async def test_role_matrix_and_tenant_isolation(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "viewer", "view@example.org")
    await make_user(pool, org_id, "rater", "r1@example.org")
    slug = await org_slug(pool, org_id)
    attempt = await scored_attempt(pool, org_id)
    await _as(client, slug, "view@example.org")
    for url in ("/dashboard/ratings", f"/dashboard/ratings/{attempt}/{ITEM}"):
        r = await client.get(url)
        assert r.status_code == 403 and "needs the rater role" in r.text, url
    assert (await client.get("/dashboard/ratings/agreement.csv")).status_code == 403
    home = await client.get("/dashboard")
    assert 'href="/dashboard/ratings"' not in home.text
    # a rater reads the queue but not the agreement export
    await _as(client, slug, "r1@example.org")
    assert (await client.get("/dashboard/ratings/agreement.csv")).status_code == 403
    assert "Agreement per rater" not in (await client.get("/dashboard/ratings")).text
    # another organization's rater sees none of this organization's responses
    other = uuid.uuid4()
    await pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, 'Other')",
        other,
        f"other-{other.hex[:6]}",
    )
    await make_user(pool, other, "rater", "outsider@example.org")
    csrf = await _as(client, f"other-{other.hex[:6]}", "outsider@example.org")
    assert str(attempt) not in (await client.get("/dashboard/ratings")).text
    assert (await client.get(f"/dashboard/ratings/{attempt}/{ITEM}")).status_code == 404
    r = await _rate(client, csrf, attempt, dict.fromkeys(CRITERIA, 2))
    assert r.status_code == 404  # type: ignore[attr-defined]
    assert await pool.fetchval("SELECT count(*) FROM ratings") == 0
    assert REPLY  # the shared fixture's answer is what raters read
