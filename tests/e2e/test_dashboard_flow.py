"""A cohort from invitation to report, in real browsers, the way issue 16 tells the story: the
coordinator imports a roster with errors (and reads the report), fixes it and invites the
cohort; a candidate completes the communication assessment in a second browser; the overview
and its heatmap show them; the coordinator drills into the candidate; two raters score the
written answers and the coordinator adjudicates; the coordinator exports a CSV and downloads
the profile; a viewer reaches neither rating nor administration; forged posts and expired
sessions are refused. axe-core runs on every page on the way; screenshots are saved."""

from __future__ import annotations

import re
import uuid

import asyncpg
import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import assert_accessible, dashboard_page, shot
from tests.results.factories import make_user

pytestmark = pytest.mark.browser

ROSTER_WITH_ERRORS = (
    "given_name,family_name,email,external_id\n"
    "Rosa,Diaz,rosa@example.org,S-1\n"
    "Omar,Haddad,omar(at)example.org,S-2\n"
)
ROSTER = (
    "given_name,family_name,email,external_id\n"
    "Rosa,Diaz,rosa@example.org,S-1\n"
    "Omar,Haddad,omar@example.org,S-2\n"
)
REPLY = (
    "Dear Ms. Rivera, thank you for your request. We have received it and will send a copy of "
    "your records within 30 days. Please call the records office if you have any questions."
)


async def _visit(page: Page, url: str, what: str) -> None:
    await page.goto(url)
    await assert_accessible(page, what)


async def _upload(page: Page, text: str) -> None:
    await page.set_input_files(
        "#roster", files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    async with page.expect_navigation():
        await page.click("text=Check and import")


async def _complete_communication(browser: Browser, link: str) -> None:
    """The candidate consents, opens the communication assessment, writes the written
    answers, leaves the rest and submits (blank answers simply earn nothing)."""
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(60_000)
    page = await context.new_page()
    try:
        await page.goto(link)
        await page.check("#agree")
        async with page.expect_navigation():
            await page.click("form[action$='/consent'] button")
        await page.goto(f"{link}/communication")
        async with page.expect_navigation():
            await page.click("form[action$='/communication/start'] button")
        while "/done" not in page.url and not page.url.endswith("/communication"):
            if await page.locator("#response-answer").count():
                await page.fill("#response-answer", REPLY)
                await page.locator("#response-answer").press("End")  # an input event
                await expect(page.locator("#save-status")).to_have_text("Answer saved.")
            target = page.locator(".item-nav a.primary, form[data-flush] button").first
            async with page.expect_navigation():
                await target.click()
            if page.url.endswith("/review"):
                async with page.expect_navigation():
                    await page.locator("form[data-flush] button, a[href$='/submit']").first.click()
            if page.url.endswith("/submit"):
                async with page.expect_navigation():
                    await page.locator("form[data-flush] button").first.click()
    finally:
        await context.close()


async def _rate_every_written_answer(page: Page, level: str) -> int:
    """From the queue, rate responses by keyboard until none waits; returns how many."""
    rated = 0
    while True:
        await page.goto(page.url.split("/dashboard")[0] + "/dashboard/ratings/next")
        if "/dashboard/ratings/" not in page.url or page.url.endswith("/ratings"):
            return rated
        if rated == 0:
            await assert_accessible(page, "rating page")
        await page.wait_for_selector("fieldset.criterion.current")
        for _ in range(await page.locator("fieldset.criterion").count()):
            await page.keyboard.press(level)
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        rated += 1


async def test_a_cohort_from_invitation_to_report(
    browser: Browser, base_url: str, e2e_pool: asyncpg.Pool
) -> None:
    org = uuid.uuid4()
    slug = f"flow-{org.hex[:8]}"
    await e2e_pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, 'Lakeside Hospital')", org, slug
    )
    for role, email in (
        ("coordinator", "coord@example.org"),
        ("rater", "r1@example.org"),
        ("rater", "r2@example.org"),
        ("viewer", "view@example.org"),
    ):
        await make_user(e2e_pool, org, role, email)
    # The coordinator: a cohort, a roster with an error (reported, nothing imported), fixed.
    coord = await dashboard_page(browser, base_url, slug, "coord@example.org")
    await assert_accessible(coord, "home")
    await _visit(coord, f"{base_url}/dashboard/cohorts", "cohorts")
    await coord.fill("#cohort-name", "Spring intake")
    async with coord.expect_navigation():
        await coord.click("text=Create cohort")
    cohort_url = coord.url.split("?")[0]
    await _upload(coord, ROSTER_WITH_ERRORS)
    report = coord.locator("#roster-report-section tbody tr")
    await expect(report).to_have_count(1)
    await expect(report).to_contain_text("3")  # the line, counting the header as line 1
    await expect(report).to_contain_text("not a valid e-mail address")
    await assert_accessible(coord, "roster report")
    imported = "SELECT count(*) FROM candidates WHERE organization_id = $1"
    assert await e2e_pool.fetchval(imported, org) == 0
    await _upload(coord, ROSTER)
    await expect(coord.locator("p.notice")).to_contain_text("2 candidate(s) added")

    # Invite the whole cohort to the clerk screening package; the links are shown once.
    await coord.select_option("#package", "clerk")
    async with coord.expect_navigation():
        await coord.click("#invite-form button[type=submit]")
    await expect(coord.locator("h1")).to_have_text("New invitation links: 2")
    rosa = coord.locator("tr", has_text="Rosa").locator("input.link-field")
    link = await rosa.input_value()
    link = base_url + link[link.index("/take/") :]

    # Rosa completes the communication assessment on her phone, in another browser.
    await _complete_communication(browser, link)
    rosa_id = await e2e_pool.fetchval(
        "SELECT id FROM candidates WHERE organization_id = $1 AND email = 'rosa@example.org'", org
    )
    status = await e2e_pool.fetchval(
        "SELECT status FROM attempts WHERE candidate_id = $1 AND assessment_id = 'communication'",
        rosa_id,
    )
    assert status == "scored"
    written = await e2e_pool.fetchval(
        """SELECT count(*) FROM item_scores s JOIN scoring_runs r ON r.id = s.scoring_run_id
           JOIN attempts a ON a.id = r.attempt_id
           WHERE a.candidate_id = $1 AND r.current AND s.provisional""",
        rosa_id,
    )
    assert written >= 1  # the written answers wait for a human rating

    # The cohort page shows her started; the overview counts her and puts her on the heatmap.
    await coord.goto(cohort_url)
    await expect(coord.locator("#member-status")).to_contain_text("1 started")
    cohort_id = cohort_url.rstrip("/").rsplit("/", 1)[-1]
    await _visit(coord, f"{base_url}/dashboard/overview?cohort={cohort_id}", "overview")
    funnel = coord.locator("section[aria-labelledby=h-funnel]")
    await expect(funnel).to_contain_text("2")  # invited
    row = coord.locator(f"table a[href='/dashboard/candidates/{rosa_id}']").first
    await expect(row).to_be_visible()
    await shot(coord, "flow-overview")
    async with coord.expect_navigation():
        await row.click()
    await expect(coord.locator("h1")).to_contain_text("Diaz")
    await expect(coord.locator("body")).to_contain_text("awaiting rating")
    await assert_accessible(coord, "candidate page (awaiting rating)")

    # Two raters disagree on every written answer; the coordinator adjudicates.
    for email, level in (("r1@example.org", "3"), ("r2@example.org", "0")):
        rater = await dashboard_page(browser, base_url, slug, email)
        assert await _rate_every_written_answer(rater, level) == written
        await rater.context.close()
    adjudicated = await _rate_every_written_answer(coord, "2")
    assert adjudicated == written  # 3 against 0 on every criterion: each needs adjudication
    finals = await e2e_pool.fetchval(
        "SELECT count(*) FROM ratings r JOIN attempts a ON a.id = r.attempt_id "
        "WHERE a.candidate_id = $1 AND r.role = 'adjudication'",
        rosa_id,
    )
    assert finals == adjudicated

    # The candidate page now shows settled scores; a CSV and the profile download.
    await _visit(coord, f"{base_url}/dashboard/candidates/{rosa_id}", "candidate page (final)")
    await expect(coord.locator("body")).not_to_contain_text("provisional: awaiting rating")
    await shot(coord, "flow-candidate")
    async with coord.expect_download() as csv_download:
        await coord.locator("a[href$='export.csv?table=scores']").click()
    csv_text = (await (await csv_download.value).path()).read_text()
    assert "communication" in csv_text
    pdf = await coord.request.get(
        f"{base_url}/dashboard/candidates/{rosa_id}/profile.pdf?variant=employer"
    )
    assert pdf.ok and (await pdf.body()).startswith(b"%PDF")

    # A forged post (no CSRF token) is refused; an expired session goes back to sign-in.
    forged = await coord.request.post(
        f"{cohort_url}/rename", form={"name": "Hijacked"}, max_redirects=0
    )
    assert forged.status == 403
    coord_id = await e2e_pool.fetchval(
        "SELECT id FROM users WHERE organization_id = $1 AND email = 'coord@example.org'", org
    )
    await e2e_pool.execute(
        "UPDATE staff_sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1",
        coord_id,
    )
    await coord.goto(f"{base_url}/dashboard/overview")
    assert "/dashboard/sign-in" in coord.url
    assert re.search(r"next=/dashboard/overview", coord.url)
    await coord.context.close()

    # The viewer reads the overview but reaches neither rating nor administration.
    viewer = await dashboard_page(browser, base_url, slug, "view@example.org")
    for path in ("/dashboard/ratings", "/dashboard/admin"):
        response = await viewer.goto(f"{base_url}{path}")
        assert response is not None and response.status == 403, path
        await assert_accessible(viewer, f"403 page at {path}")
    assert await viewer.locator("nav a[href='/dashboard/ratings']").count() == 0
    await viewer.context.close()
