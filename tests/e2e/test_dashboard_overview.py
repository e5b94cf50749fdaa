"""The cohort overview and a candidate's page in a real browser: signed in through the form,
filtered by the form (the filters land in the address), drilled into from the heatmap, at a
laptop and a tablet width; axe-core finds nothing; screenshots saved."""

from __future__ import annotations

import uuid

import asyncpg
from playwright.async_api import Browser

from service.assessments.content import load_content
from service.cli.demo import seed_demo_cohort
from service.readiness.predict import BandThresholds
from tests.e2e.conftest import assert_accessible, shot, strict_context
from tests.results.factories import PASSWORD, make_user

TABLET = {"width": 820, "height": 1180}


async def test_overview_and_candidate_pages_in_a_browser(
    browser: Browser, base_url: str, e2e_pool: asyncpg.Pool, e2e_org: uuid.UUID
) -> None:
    cohort = await seed_demo_cohort(
        e2e_pool,
        e2e_org,
        load_content(),
        thresholds=BandThresholds(),
        size=8,
        simulated_candidates=2000,
    )
    email = f"coord-{uuid.uuid4().hex[:6]}@example.org"
    await make_user(e2e_pool, e2e_org, "coordinator", email)
    slug = await e2e_pool.fetchval("SELECT slug FROM organizations WHERE id = $1", e2e_org)

    context = await strict_context(browser, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(f"{base_url}/dashboard/overview")
    assert "/dashboard/sign-in" in page.url
    await page.fill("#organization", slug)
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    async with page.expect_navigation():
        await page.click("button[type=submit]")
    assert page.url.endswith("/dashboard/overview")
    assert await page.locator("nav a[aria-current=page]").inner_text() == "Overview"

    # filter by the form: the choices land in the address, so a reload shows the same view
    await page.select_option("#f-cohort", str(cohort.cohort_id))
    async with page.expect_navigation():
        await page.click("form[aria-label=Filters] button[type=submit]")
    assert f"cohort={cohort.cohort_id}" in page.url
    await page.reload()
    assert await page.locator("#f-cohort").input_value() == str(cohort.cohort_id)
    assert await page.locator("svg[role=img]").count() >= 6
    await assert_accessible(page, "cohort overview")
    await shot(page, "dashboard-overview")

    # a bad filter is shown beside its field, and the page stays accessible
    await page.goto(f"{base_url}/dashboard/overview?from=2026-02-31")
    assert await page.locator("#e-from").inner_text() == "Not a date: write it as YYYY-MM-DD."
    await assert_accessible(page, "overview with a bad filter")

    # drill into a candidate from the heatmap's table
    await page.goto(f"{base_url}/dashboard/overview?cohort={cohort.cohort_id}")
    first = page.locator("table a[href^='/dashboard/candidates/']").first
    name = await first.inner_text()
    async with page.expect_navigation():
        await first.click()
    assert "/dashboard/candidates/" in page.url
    family = name.split(",")[0]
    assert family in await page.locator("h1").inner_text()
    await assert_accessible(page, "candidate page")
    await shot(page, "dashboard-candidate")

    # a tablet width: nothing scrolls sideways except the wide tables in their own boxes
    await page.set_viewport_size(TABLET)
    await page.goto(f"{base_url}/dashboard/overview?cohort={cohort.cohort_id}")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"the overview scrolls sideways at 820 px: {width}px"
    await shot(page, "dashboard-overview-tablet")
    await context.close()
