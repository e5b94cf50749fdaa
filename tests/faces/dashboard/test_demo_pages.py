"""The demo as a newcomer meets it: after `chartready demo`'s seeding, the demo coordinator
and admin sign in with the printed accounts and every dashboard page opens on the seeded
cohort (and says where its numbers come from)."""

from __future__ import annotations

import re

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.cli.demo import (
    DEMO_ADMIN_EMAIL,
    DEMO_ADMIN_PASSWORD,
    DEMO_COHORT,
    DEMO_COORDINATOR_EMAIL,
    DEMO_SLUG,
    DEMO_STAFF_PASSWORD,
    prepare_demo,
)
from service.ground.settings import Settings
from tests.faces.dashboard.helpers import dashboard_sign_in

pytestmark = pytest.mark.slow


async def test_every_page_opens_on_the_demo_for_the_printed_accounts(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    pool: asyncpg.Pool,
) -> None:
    # a smaller simulated prior than the real demo's, the same seeding otherwise
    quicker = msgspec.structs.replace(settings, readiness_simulated_candidates=2000)
    banner = await prepare_demo(quicker, "http://127.0.0.1:8000")
    assert DEMO_COORDINATOR_EMAIL in banner
    cohort = await pool.fetchval("SELECT id FROM cohorts WHERE name = $1", DEMO_COHORT)
    person = await pool.fetchval(
        "SELECT candidate_id FROM cohort_members WHERE cohort_id = $1 LIMIT 1", cohort
    )
    await dashboard_sign_in(client, DEMO_SLUG, DEMO_COORDINATOR_EMAIL, DEMO_STAFF_PASSWORD)
    pages = {
        "/dashboard": "Welcome",
        "/dashboard/cohorts": DEMO_COHORT,
        f"/dashboard/cohorts/{cohort}": "Members and their status",
        f"/dashboard/cohorts/{cohort}/status": "completed",
        f"/dashboard/overview?cohort={cohort}": "simulated",
        f"/dashboard/candidates/{person}": "Audit trail",
        "/dashboard/ratings": "Rate",
        "/dashboard/statistics?form=privacy-a": "imulated",
        "/dashboard/fairness?form=privacy-a": "imulated",
        "/dashboard/model": "simulated",
    }
    for path, words in pages.items():
        r = await client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert words in r.text, (path, words)
    # the coordinator's first rating task opens beside its rubric
    nxt = await client.get("/dashboard/ratings/next", follow_redirects=False)
    assert nxt.status_code in (302, 303) and re.search(
        r"/dashboard/ratings/[^/]+/", nxt.headers["location"]
    )
    task = await client.get(nxt.headers["location"])
    assert task.status_code == 200 and "Rubric" in task.text
    admin_only = await client.get("/dashboard/admin")
    assert admin_only.status_code == 403
    client.cookies.clear()
    await dashboard_sign_in(client, DEMO_SLUG, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD)
    admin = await client.get("/dashboard/admin")
    assert admin.status_code == 200 and DEMO_COORDINATOR_EMAIL in admin.text
