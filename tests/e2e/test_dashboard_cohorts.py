"""A coordinator runs a cohort in a real browser: signs in, uploads a roster with mistakes
and reads the report, fixes it, invites the cohort, copies a link; the candidate starts in
a second browser and the status on the coordinator's page changes without a reload. Every
page is clean under axe-core; screenshots go to test-artifacts/e2e/."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import assert_accessible, shot, strict_context
from tests.results.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

BAD = (
    "given_name,family_name,email,external_id\n"
    "Ana,Lopez,ana@example.org,T-1\n"
    "Ben,Moss,ben@example,T-2\n"
    ",Ng,cara@example.org,T-3\n"
    "Dev,Rao,ana@example.org,T-4\n"
)
GOOD = (
    "given_name,family_name,email,external_id\n"
    "Ana,Lopez,ana@example.org,T-1\n"
    "Ben,Moss,ben@example.org,T-2\n"
    "Cara,Ng,cara@example.org,T-3\n"
    "Dev,Rao,dev@example.org,T-4\n"
)


async def _upload(page: Page, text: str) -> None:
    await page.set_input_files(
        "#roster", files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    async with page.expect_navigation():
        await page.click("text=Check and import")


async def test_coordinator_imports_fixes_invites_and_watches_status(
    browser: Browser, base_url: str, e2e_pool: asyncpg.Pool
) -> None:
    org = uuid.uuid4()
    slug = f"coh-{org.hex[:8]}"
    await e2e_pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, 'Riverside Health')", org, slug
    )
    await make_user(e2e_pool, org, "coordinator", "coord@example.org")
    context = await strict_context(browser, viewport={"width": 1100, "height": 900})
    candidate_context = await strict_context(browser)
    try:
        page = await context.new_page()
        # The first sign-in starts the password-hashing processes: slow on a busy machine.
        page.set_default_timeout(90_000)
        await page.goto(f"{base_url}/dashboard/cohorts")  # signed out: to sign-in, then back
        await page.fill("#organization", slug)
        await page.fill("#email", "coord@example.org")
        await page.fill("#password", PASSWORD)
        async with page.expect_navigation():
            await page.click("button[type=submit].primary")
        assert page.url.endswith("/dashboard/cohorts")
        await assert_accessible(page, "cohort list (empty)")

        await page.fill("#cohort-name", "Evening class")
        async with page.expect_navigation():
            await page.click("text=Create cohort")
        await expect(page.locator("h1")).to_have_text("Evening class")
        await assert_accessible(page, "new cohort page")

        await _upload(page, BAD)
        report = page.locator("#roster-report-section")
        await expect(report).to_contain_text("3 problem(s) to fix")
        for phrase in ("is not a valid e-mail address", "given name is missing", "repeats line 2"):
            await expect(report).to_contain_text(phrase)
        await assert_accessible(page, "roster report")
        await shot(page, "dashboard-cohort-roster-report")
        assert (
            await e2e_pool.fetchval(
                "SELECT count(*) FROM candidates WHERE organization_id = $1", org
            )
            == 0
        )

        await _upload(page, GOOD)
        await expect(page.locator("p.notice")).to_contain_text("4 candidate(s) added")
        await expect(page.locator("#member-status")).to_contain_text("4 not invited")

        # "Select everyone shown" ticks every row, and unticks them again.
        await page.get_by_label("Select everyone shown").check()
        assert await page.locator("input[name=ids]:checked").count() == 4
        await page.get_by_label("Select everyone shown").uncheck()
        assert await page.locator("input[name=ids]:checked").count() == 0
        await page.check("#scope-all")
        # Invite the ticked members: Ana and Ben, with extra time.
        for name in ("Ana Lopez", "Ben Moss"):
            await page.get_by_label(f"Select {name}").check()
        assert await page.is_checked("#scope-selected")  # ticking chose "only the ticked"
        await page.select_option("#package", "coding_track")
        await page.select_option("#extra_time", "1.5")
        await page.fill("#expires_in_days", "10")
        async with page.expect_navigation():
            await page.click("#invite-form button[type=submit]")
        await expect(page.locator("h1")).to_have_text("New invitation links: 2")
        await assert_accessible(page, "links page")
        await shot(page, "dashboard-cohort-links")
        link = await page.locator("input.link-field").first.input_value()
        assert "/take/" in link
        link = base_url + link[link.index("/take/") :]  # the link names the public base URL

        # Back on the cohort page, the candidate starts in another browser: the status changes
        # without a reload.
        await page.click("text=Back to Evening class")
        status = page.locator("#member-status")
        await expect(status).to_contain_text("2 not invited · 2 invited · 0 started")
        await assert_accessible(page, "cohort page with invitations")
        marker = await page.evaluate("window.__still_here = 1")
        assert marker == 1
        candidate = await candidate_context.new_page()
        await candidate.goto(link)
        await candidate.check("#agree")
        async with candidate.expect_navigation():
            await candidate.click("form[action$='/consent'] button")
        await expect(status).to_contain_text("1 invited · 1 started", timeout=15_000)
        assert await page.evaluate("window.__still_here") == 1  # no reload happened
        await shot(page, "dashboard-cohort-status")
        # A tablet: the page never scrolls sideways (the wide table scrolls in its box).
        await page.set_viewport_size({"width": 768, "height": 1024})
        assert await page.evaluate("document.documentElement.scrollWidth") <= 768
        await shot(page, "dashboard-cohort-tablet")
        exported = await page.request.get(page.url.split("?")[0] + "/members.csv")
        assert exported.ok and (await exported.text()).count("\n") == 5
    finally:
        await candidate_context.close()
        await context.close()
