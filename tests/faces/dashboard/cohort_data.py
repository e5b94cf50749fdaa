"""A small scored cohort for the overview and candidate pages: the demo's simulated people,
scored and estimated by the real pipeline (a first readiness model trained on simulated
candidates), plus a second organization whose data must never show."""

from __future__ import annotations

import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from service.assessments.content import load_content
from service.cli.demo import DemoCohort, seed_demo_cohort
from service.readiness.predict import BandThresholds
from tests.faces.dashboard.helpers import dashboard_sign_in
from tests.results.factories import make_user, org_slug

Client = AsyncTestClient  # type: ignore[type-arg]


async def scored_cohort(pool: asyncpg.Pool, org_id: uuid.UUID, size: int = 6) -> DemoCohort:
    """``size`` simulated candidates in a cohort, every assessment scored and estimated."""
    return await seed_demo_cohort(
        pool,
        org_id,
        load_content(),
        thresholds=BandThresholds(),
        size=size,
        simulated_candidates=2000,
    )


async def signed_in(client: Client, pool: asyncpg.Pool, org_id: uuid.UUID, role: str) -> str:
    """A new staff user with ``role`` signed in through the form; returns the CSRF token."""
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.org"
    await make_user(pool, org_id, role, email)
    return await dashboard_sign_in(client, await org_slug(pool, org_id), email)
