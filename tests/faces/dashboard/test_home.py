"""The home page's counts follow the rules they summarise: the rating queue's own rule for
what waits for this person, and the one invitation status rule."""

from __future__ import annotations

import re
import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from service.assessments.content import load_content
from service.auth.staff import StaffUser
from service.delivery.invitation_views import STATUS_SQL
from service.results.rating_queue import rating_queue
from tests.faces.dashboard.helpers import dashboard_sign_in
from tests.faces.staff.test_staff_ratings import scored_attempt
from tests.results.factories import make_user, org_slug


def _figure(html: str, words: str) -> str:
    found = re.search(rf'<span class="figure">([^<]+)</span>\s*{words}', html)
    assert found, words
    return found.group(1)


async def test_waiting_responses_are_the_queue_and_adjudications_only_for_coordinators(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    r1 = await make_user(pool, org_id, "rater", "r1@example.org")
    r2 = await make_user(pool, org_id, "rater", "r2@example.org")
    coordinator = await make_user(pool, org_id, "coordinator", "co@example.org")
    slug = await org_slug(pool, org_id)
    first, second = await scored_attempt(pool, org_id), await scored_attempt(pool, org_id)
    # ``first`` rated twice, far apart: it now needs an adjudication, which raters never take.
    for rater, level in ((r1, 0), (r2, 3)):
        await pool.execute(
            """INSERT INTO ratings (id, organization_id, attempt_id, item_id, rater_id, role,
                                    levels)
               VALUES ($1, $2, $3, 'COM-A-14', $4, $5, $6)""",
            uuid.uuid4(),
            org_id,
            first,
            rater,
            "independent",
            {c.id: level for c in load_content().items["COM-A-14"].criteria},  # type: ignore[union-attr]
        )
    content = load_content()
    for email, user_id, role, expected in (
        ("r1@example.org", r1, "rater", 1),  # only ``second``: r1 rated ``first`` already
        ("co@example.org", coordinator, "coordinator", 2),  # and the adjudication of ``first``
    ):
        staff = StaffUser(user_id, org_id, email, email, role, "csrf")
        async with pool.acquire() as conn:
            queue = await rating_queue(conn, staff, content, limit=50)
        assert len(queue) == expected
        client.cookies.clear()
        await dashboard_sign_in(client, slug, email)
        home = await client.get("/dashboard")
        assert _figure(home.text, "written responses waiting") == str(expected)
    assert second  # both attempts exist; the counts above tell them apart


async def test_invitation_counts_follow_the_status_rule(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "viewer", "v@example.org")
    await scored_attempt(pool, org_id)  # one completed invitation
    await pool.execute(  # and one whose link ran out unused
        """INSERT INTO invitations (id, organization_id, candidate_id, token_sha256, assessments,
                                    expires_at, created_at, created_by)
           SELECT $1, organization_id, candidate_id, sha256(random()::text::bytea),
                  assessments, now() - interval '1 day', now() - interval '8 days', 'test'
           FROM invitations WHERE organization_id = $2 LIMIT 1""",
        uuid.uuid4(),
        org_id,
    )
    statuses = await pool.fetch(
        f"SELECT {STATUS_SQL} AS status, count(*) AS n FROM invitations i "
        "WHERE i.organization_id = $1 GROUP BY 1",
        org_id,
    )
    by_status = {r["status"]: r["n"] for r in statuses}
    assert by_status.get("expired") == 1
    await dashboard_sign_in(client, await org_slug(pool, org_id), "v@example.org")
    home = await client.get("/dashboard")
    text = re.sub(r"\s+", " ", home.text)
    for status in ("completed", "expired"):
        assert f"{by_status.get(status, 0)} {status}" in text
    assert "written responses waiting" not in text  # viewers do not rate
