"""Candidate pages at 390 and 1280 px and by keyboard, in a real browser: record matching
and ordering on phones, the focus ring, case notes and question numbers, the favicon, span
marking by arrow keys, the no-JavaScript notice, and every page type fitting both widths."""

from __future__ import annotations

import re

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    Inviter,
    assert_accessible,
    shot,
    strict_context,
    tab_to,
)
from tests.e2e.journey import goto_item_type, page_width, start
from tests.e2e.test_candidate_browser import attempt, consent_and_start, press_and_wait

pytestmark = pytest.mark.browser


# ---------------------------------------------------------------- layout at 1280 and 390


async def test_record_matching_fits_and_reads_like_a_person_wrote_it(
    desktop: BrowserContext, phone: BrowserContext, inviter: Inviter
) -> None:
    for ctx, width in ((desktop, 1280), (phone, 390)):
        page = await ctx.new_page()
        link = await inviter(["scenarios"])
        await start(page, link, "scenarios")
        await goto_item_type(page, "record_matching")
        headers = await page.locator(".records thead th").all_inner_texts()
        assert "Date of birth" in headers and "SSN (last 4)" in headers and "MRN" in headers
        assert not {"dob", "ssn_last4", "mrn"} & set(headers)
        assert await page_width(page) <= width
        if width == 1280:
            fits = await page.evaluate("""() => {
                const wrap = document.querySelector('.table-wrap');
                const header = document.querySelector('.site-header .wrap').getBoundingClientRect();
                const card = document.querySelector('#answer-form').getBoundingClientRect();
                return wrap.scrollWidth <= wrap.clientWidth && card.right <= header.right + 1
                       && card.left >= header.left - 1;
            }""")
            assert fits, "record table wider than its card, or card wider than the header"
        else:
            label = await page.locator(".records td[data-label]").first.evaluate(
                "td => getComputedStyle(td, '::before').content"
            )
            assert "Name" in label
        await assert_accessible(page, f"record matching at {width}")
        await shot(page, f"issue10-{width}-06-record-matching")
        await page.close()


async def test_ordering_is_usable_on_a_phone(phone: BrowserContext, inviter: Inviter) -> None:
    page = await phone.new_page()
    link = await inviter(["scenarios"])
    await start(page, link, "scenarios")
    await goto_item_type(page, "ordering")
    assert await page_width(page) <= 390
    first = page.locator(".order-item").first
    text = await first.locator(".order-text").bounding_box()
    buttons = await first.locator(".order-buttons").bounding_box()
    assert text is not None and buttons is not None
    assert text["width"] >= 220, text  # not a word per line
    assert buttons["y"] >= text["y"] + text["height"] - 1  # buttons go under the text
    await page.locator(".move-down").first.click()
    await expect(page.locator("#save-status")).to_have_text("Answer saved.")
    await shot(page, "issue10-390-07-ordering")


async def test_focus_ring_is_blue_and_case_notes_reflow_and_one_question_number(
    desktop: BrowserContext, inviter: Inviter
) -> None:
    page = await desktop.new_page()
    link = await inviter(["coding"])
    await start(page, link, "coding")
    await press_and_wait(page, "form[data-flush] button", keyboard=False)
    await tab_to(page, "#code-1")
    color = await page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    red, _green, blue = (int(c) for c in re.findall(r"\d+", color)[:3])
    assert blue > red and blue > 150, color  # not the red of an error message
    # the case note keeps its fields on their own lines but no breaks inside sentences
    note = await page.locator("#stimulus").inner_text()
    assert not re.search(r"\n[a-z(]", note), note
    # one question number
    main = await page.locator("main").inner_text()
    assert len(re.findall(r"Question \d+", main)) == 1
    assert "in this section" not in main


async def test_favicon_is_served(desktop: BrowserContext, base_url: str) -> None:
    page = await desktop.new_page()
    response = await page.request.get(f"{base_url}/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert (await response.body())[:4] == b"\x00\x00\x01\x00"  # an ICO file


async def test_span_marking_is_one_tab_stop_with_arrow_keys(
    desktop: BrowserContext, inviter: Inviter, e2e_pool: asyncpg.Pool
) -> None:
    page = await desktop.new_page()
    link = await inviter(["privacy"])
    await start(page, link, "privacy")
    await goto_item_type(page, "span_marking")
    await tab_to(page, ".tok-box")
    assert await page.evaluate("document.activeElement.id") == "tok-0"
    await page.keyboard.press("ArrowRight")
    await page.keyboard.press("ArrowRight")
    assert await page.evaluate("document.activeElement.id") == "tok-2"
    await page.keyboard.press("Space")
    await expect(page.locator("#save-status")).to_have_text("Answer saved.")
    await page.keyboard.press("End")
    last = await page.evaluate("document.activeElement.id")
    assert last == f"tok-{await page.locator('.tok-box').count() - 1}"
    await page.keyboard.press("Tab")  # one Tab leaves the document, not one per word
    assert await page.evaluate("document.activeElement.id") == "clear-marks"
    await page.keyboard.press("Shift+Tab")
    assert await page.evaluate("document.activeElement.className") == "tok-box"


async def test_without_javascript_the_page_says_what_is_needed(
    browser: Browser, inviter: Inviter
) -> None:
    link = await inviter(["privacy"])
    with_js = await browser.new_context(viewport=DESKTOP)
    page = await with_js.new_page()
    await start(page, link, "privacy")
    await press_and_wait(page, "form[data-flush] button", keyboard=False)
    item_url = page.url
    await expect(page.get_by_text("Please turn on JavaScript")).to_be_hidden()
    await with_js.close()
    no_js = await browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = await no_js.new_page()
    await page.goto(item_url)
    notice = page.get_by_text("Please turn on JavaScript")
    await expect(notice).to_be_visible()
    await expect(page.locator(".noscript-notice")).to_contain_text("not saved")
    await shot(page, "issue10-1280-08-no-javascript")
    await no_js.close()


# ---------------------------------------------------------------- every page, both widths


@pytest.mark.parametrize("width", [390, 1280])
async def test_every_page_fits_at_phone_and_desktop_width(
    browser: Browser, inviter: Inviter, e2e_pool: asyncpg.Pool, width: int
) -> None:
    """Candidates use phones: no page is wider than the screen; each page type photographed."""
    viewport = PHONE if width == 390 else DESKTOP
    ctx = await strict_context(
        browser, viewport=viewport, is_mobile=width == 390, has_touch=width == 390
    )
    page = await ctx.new_page()
    package = ["coding", "privacy", "communication", "scenarios"]
    seen: set[str] = set()
    forms: set[str] = set()
    # Forms are assigned in balance, so two candidates see both parallel forms of each
    # assessment (a long email in one form's document once overflowed a phone).
    for _candidate in range(2 if width == 390 else 1):
        link = await inviter(package)
        await consent_and_start(page, link, keyboard=False, check=False)
        for assessment in package:
            await press_and_wait(
                page, f"form[action$='/{assessment}/start'] button", keyboard=False
            )
            for _ in range(120):
                url = page.url
                kind = (
                    "section"
                    if "/section/" in url
                    else "item"
                    if "/q/" in url
                    else url.rsplit("/", 1)[-1]
                )
                if kind == "item":
                    kind = f"item-{await page.get_attribute('#answer-form', 'data-item-type')}"
                assert await page_width(page) <= width, f"{url} is wider than {width} px"
                if kind not in seen:
                    seen.add(kind)
                    if width == 390:
                        await assert_accessible(page, f"{kind} at 390 px")
                    await shot(page, f"issue10-{width}-page-{kind}")
                if kind == "done":
                    break
                if kind.startswith("item-"):
                    await press_and_wait(page, ".item-nav a.primary", keyboard=False)
                else:
                    await press_and_wait(
                        page, "form[data-flush] button, a[href$='/submit']", keyboard=False
                    )
            row = await attempt(e2e_pool, link, assessment)
            forms.add(row["form_id"])
            await page.goto(link)
        assert await page_width(page) <= width
        await shot(page, f"issue10-{width}-page-all-finished")
    if width == 390:
        assert {f"{a}-{x}" for a in package for x in "ab"} <= forms
    assert {
        "item-code_entry",
        "item-record_matching",
        "item-ordering",
        "item-span_marking",
        "item-constructed_response",
        "review",
        "submit",
        "done",
    } <= seen
    await ctx.close()
