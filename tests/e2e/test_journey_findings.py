"""What a first real use found on the candidate's journey (issue 10), each in a real browser:
the start page and its total time, accommodated times, one running clock at a time,
untouched ordering items, a second tab against a reopened link, and the finished link.
Layout and keyboard: ``test_journey_layout``; the code look-up: ``test_code_lookup_browser``."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from service.delivery.catalog import Catalog
from tests.e2e.conftest import (
    DESKTOP,
    Inviter,
    assert_accessible,
    shot,
)
from tests.e2e.journey import goto_item_type, minutes_in, page_width, start
from tests.e2e.test_candidate_browser import attempt, consent_and_start, press_and_wait

pytestmark = pytest.mark.browser


# ---------------------------------------------------------------- start page and package


async def test_start_page_gives_the_total_time_and_puts_assessments_first(
    desktop: BrowserContext, phone: BrowserContext, inviter: Inviter, e2e_catalog: Catalog
) -> None:
    package = ["coding", "privacy", "communication", "scenarios"]
    total = sum(e2e_catalog.assessment(a).time_limit_minutes for a in package)
    for ctx, width in ((desktop, 1280), (phone, 390)):
        page = await ctx.new_page()
        link = await inviter(package)
        await page.goto(link)
        lead = await page.locator(".lead").first.inner_text()
        assert f"up to {total} minutes" in lead
        await shot(page, f"issue10-{width}-01-start-notice")
        await page.check("#agree")
        await press_and_wait(page, "form[action$='/consent'] button", keyboard=False)
        # the list of assessments is what the candidate sees first after consent
        box = await page.locator("form[action$='/start'] button").first.bounding_box()
        height = 900 if width == 1280 else 844
        assert box is not None and box["y"] + box["height"] < height * 1.6
        heading = await page.locator("#package-title").bounding_box()
        assert heading is not None and heading["y"] < 400, heading
        await expect(page.locator("details.notice-done summary")).to_be_visible()
        assert await page_width(page) <= width
        await assert_accessible(page, f"package page at {width}")
        await shot(page, f"issue10-{width}-02-package")
        await page.close()


async def test_accommodated_times_agree_everywhere(
    desktop: BrowserContext, inviter: Inviter, e2e_catalog: Catalog
) -> None:
    page = await desktop.new_page()
    package = ["coding", "privacy"]
    link = await inviter(package, time_multiplier=1.5)
    await consent_and_start(page, link, keyboard=False, check=False)
    extra = {a: round(e2e_catalog.assessment(a).time_limit_minutes * 1.5) for a in package}
    for assessment in package:
        card = await page.locator(f"#card-{assessment}").inner_text()
        standard = e2e_catalog.assessment(assessment).time_limit_minutes
        said = minutes_in(card.replace(f"standard {standard}", ""))
        assert said == [extra[assessment]], card  # no "You have 45 minutes" beside 68
    lead = await page.locator(".lead").first.inner_text()
    assert f"up to {sum(extra.values())} minutes, including your extra time" in lead
    await shot(page, "issue10-1280-03-package-extra-time")


async def test_a_second_clock_never_starts_unseen(
    desktop: BrowserContext, inviter: Inviter, e2e_catalog: Catalog
) -> None:
    title = e2e_catalog.assessment("coding").title
    page = await desktop.new_page()
    link = await inviter(["coding", "privacy"])
    await start(page, link, "coding")
    await page.goto(link)
    coding = page.locator("#card-coding")
    await expect(coding.locator(".clock")).to_contain_text("minutes left")
    await expect(page.locator("#running-note")).to_contain_text(f"{title} is in progress")
    privacy = page.locator("#card-privacy")
    await expect(privacy.locator("form")).to_have_count(0)
    await expect(privacy).to_contain_text(f"once {title} is submitted")
    await shot(page, "issue10-1280-04-package-one-clock")
    # even a hand-made request cannot start a second clock
    response = await page.request.post(f"{link}/privacy/start", max_redirects=0)
    assert response.status == 409
    assert f"finish {title} first" in await response.text()


# ---------------------------------------------------------------- answering


async def test_untouched_ordering_is_not_answered(
    desktop: BrowserContext, inviter: Inviter, e2e_pool: asyncpg.Pool
) -> None:
    page = await desktop.new_page()
    link = await inviter(["scenarios"])
    await start(page, link, "scenarios")
    await goto_item_type(page, "ordering")
    item_id = await page.get_attribute("#answer-form", "data-item-id")
    url = page.url
    await press_and_wait(page, ".item-nav a.primary", keyboard=False)  # leave it untouched
    row = await attempt(e2e_pool, link, "scenarios")
    stored = await e2e_pool.fetchval(
        "SELECT answer FROM responses WHERE attempt_id = $1 AND item_id = $2", row["id"], item_id
    )
    assert stored is None
    await page.goto(url)
    await expect(page.locator("#save-status")).to_have_text("Not answered yet.")
    await page.click("#order-confirm")  # the order shown is the candidate's answer
    await expect(page.locator("#save-status")).to_have_text("Answer saved.")
    assert (
        await e2e_pool.fetchval(
            "SELECT answer FROM responses WHERE attempt_id = $1 AND item_id = $2",
            row["id"],
            item_id,
        )
        is not None
    )


async def test_reopening_the_link_later_is_not_a_second_tab_but_simultaneous_use_is(
    browser: Browser, inviter: Inviter, e2e_pool: asyncpg.Pool
) -> None:
    first = await browser.new_context(viewport=DESKTOP)
    page = await first.new_page()
    link = await inviter(["privacy"])
    await start(page, link, "privacy")
    await press_and_wait(page, "form[data-flush] button", keyboard=False)  # begin section
    await page.check("input[name=answer] >> nth=0")
    await expect(page.locator("#save-status")).to_have_text("Answer saved.")
    row = await attempt(e2e_pool, link, "privacy")
    await page.close(run_before_unload=True)  # the browser is closed...
    await first.close()

    async def second_tab_events() -> int:
        count: int = await e2e_pool.fetchval(
            "SELECT count(*) FROM integrity_events WHERE attempt_id = $1 AND kind = 'second_tab'",
            row["id"],
        )
        return count

    later = await browser.new_context(viewport=DESKTOP)  # ...and the link opened again
    again = await later.new_page()
    await again.goto(f"{link}/privacy")
    await expect(again.locator("#answer-form")).to_be_visible()
    await again.wait_for_timeout(1500)  # the page's claim has gone out
    assert await second_tab_events() == 0
    await expect(again.locator("#tab-banner")).to_be_hidden()
    # now a second device while the first is still open: that is a signal
    other = await browser.new_context(viewport=DESKTOP)
    meanwhile = await other.new_page()
    await meanwhile.goto(f"{link}/privacy")
    await expect(meanwhile.locator("#answer-form")).to_be_visible()
    for _ in range(50):
        if await second_tab_events():
            break
        await meanwhile.wait_for_timeout(100)
    assert await second_tab_events() == 1
    await later.close()
    await other.close()


async def test_a_finished_link_offers_the_profile(
    desktop: BrowserContext, inviter: Inviter
) -> None:
    page = await desktop.new_page()
    link = await inviter(["scenarios"])
    await start(page, link, "scenarios")
    for _ in range(60):
        if page.url.endswith("/done"):
            break
        if "/q/" in page.url:
            await press_and_wait(page, ".item-nav a.primary", keyboard=False)
        else:
            await press_and_wait(
                page, "form[data-flush] button, a[href$='/submit']", keyboard=False
            )
    await page.goto(link)
    download = page.get_by_role("link", name=re.compile("competency profile"))
    await expect(download).to_be_visible()
    await expect(page.locator(".finished-all")).to_contain_text("finished every assessment")
    pdf = await page.request.get(
        urljoin(page.url + "/", await download.get_attribute("href") or "")
    )
    assert pdf.status == 200 and (await pdf.body()).startswith(b"%PDF")
    await shot(page, "issue10-1280-05-finished-link")
