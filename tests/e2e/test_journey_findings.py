"""What a first real use found on the candidate's journey (issue 10), each in a real browser:
the start page, one running clock at a time, ordering, tabs, the finished link, record
matching and ordering on phones, focus, case notes, question numbers, the favicon, span
marking by arrow keys, no JavaScript, and the code look-up beside code-entry items."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urljoin

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from service.delivery.catalog import Catalog
from tests.e2e.conftest import Inviter, assert_accessible, shot, strict_context, tab_to
from tests.e2e.test_candidate_browser import attempt, consent_and_start, press_and_wait

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A phone-sized browser (390 px, mobile viewport rules)."""
    ctx = await strict_context(
        browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1
    )
    yield ctx
    await ctx.close()


@pytest.fixture
async def desktop(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A 1280 px desktop browser."""
    ctx = await strict_context(browser, viewport=DESKTOP)
    yield ctx
    await ctx.close()


async def page_width(page: Page) -> int:
    width: int = await page.evaluate("document.documentElement.scrollWidth")
    return width


async def goto_item_type(page: Page, item_type: str) -> None:
    """From an assessment's first page, move on (without answering) to an item of a type."""
    for _ in range(80):
        url = page.url
        if "/q/" in url:
            if await page.get_attribute("#answer-form", "data-item-type") == item_type:
                return
            await press_and_wait(page, ".item-nav a.primary", keyboard=False)
        elif "/section/" in url or url.endswith("/review"):
            await press_and_wait(page, "form[data-flush] button", keyboard=False)
        else:
            raise AssertionError(f"no {item_type} item before {url}")
    raise AssertionError(f"no {item_type} item found")


async def start(page: Page, link: str, assessment: str) -> None:
    await consent_and_start(page, link, keyboard=False, check=False)
    await press_and_wait(page, f"form[action$='/{assessment}/start'] button", keyboard=False)


def minutes_in(text: str) -> list[int]:
    return [int(m) for m in re.findall(r"(\d+) minutes?", text)]


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


# ---------------------------------------------------------------- the code look-up


async def test_code_lookup_beside_code_entry_items_by_keyboard(
    desktop: BrowserContext, phone: BrowserContext, inviter: Inviter, e2e_pool: asyncpg.Pool
) -> None:
    for ctx, width in ((desktop, 1280), (phone, 390)):
        page = await ctx.new_page()
        link = await inviter(["coding"])
        await start(page, link, "coding")
        await press_and_wait(page, "form[data-flush] button", keyboard=False)
        lookup = page.locator("#lookup")
        await expect(lookup).to_be_visible()
        if width == 1280:  # beside the question, not under it
            form = await page.locator("#answer-form").bounding_box()
            panel = await lookup.bounding_box()
            assert form is not None and panel is not None
            assert panel["x"] > form["x"] + form["width"] - 1 and panel["y"] < form["y"] + 200
        await tab_to(page, "#lookup-q")
        await page.keyboard.type("diabetes kidney")
        await page.keyboard.press("Enter")
        await expect(page.locator("#lookup-status")).to_contain_text("match")
        hits = page.locator("#lookup-results .lookup-hit")
        await expect(hits.first).to_contain_text("E1")
        await page.keyboard.press("ArrowDown")
        assert await page.evaluate("document.activeElement.classList.contains('lookup-hit')")
        await page.keyboard.press("ArrowDown")
        code = await page.evaluate("document.activeElement.dataset.code")
        await page.keyboard.press("Enter")
        detail = page.locator("#lookup-detail")
        await expect(detail).to_be_visible()
        await expect(detail.locator("#lookup-detail-title")).to_contain_text(code)
        await expect(detail.locator(".lookup-hierarchy li")).to_have_count(
            await detail.locator(".lookup-hierarchy li").count()
        )
        assert await detail.locator(".lookup-hierarchy li").count() >= 3
        await expect(detail).to_contain_text("Excludes1")
        await expect(detail).to_contain_text("Use additional code")
        assert await page_width(page) <= width
        await assert_accessible(page, f"code entry with look-up at {width}")
        await shot(page, f"issue10-{width}-09-lookup-detail")
        await page.keyboard.press("Escape")
        await expect(detail).to_be_hidden()
        assert await page.evaluate("document.activeElement.dataset.code") == code
        # a code search, by the start of a code
        await page.fill("#lookup-q", "e0114")
        await page.keyboard.press("Enter") if await page.evaluate(
            "document.activeElement.id"
        ) == "lookup-q" else await page.press("#lookup-q", "Enter")
        await expect(hits.first).to_contain_text("E0114")
        await expect(hits.first).to_contain_text("HCPCS")
        await shot(page, f"issue10-{width}-10-lookup-results")
        row = await attempt(e2e_pool, link, "coding")
        uses = await e2e_pool.fetch(
            "SELECT action, query, item_id FROM code_lookups WHERE attempt_id = $1 ORDER BY id",
            row["id"],
        )
        assert ("search", "diabetes kidney") in [(u["action"], u["query"]) for u in uses]
        assert ("view", code) in [(u["action"], u["query"]) for u in uses]
        assert all(u["item_id"] for u in uses)
        await page.close()


async def test_lookup_only_serves_an_attempt_in_progress(
    desktop: BrowserContext, inviter: Inviter, base_url: str
) -> None:
    page = await desktop.new_page()
    link = await inviter(["coding"])
    token = link.rsplit("/", 1)[-1]
    before = await page.request.get(f"{base_url}/take/{token}/coding/lookup?q=diabetes")
    assert before.status == 404  # not started
    bad = await page.request.get(f"{base_url}/take/{uuid.uuid4().hex}/coding/lookup?q=x")
    assert bad.status == 404
    await start(page, link, "coding")
    ok = await page.request.get(f"{base_url}/take/{token}/coding/lookup?q=E11.65")
    assert ok.status == 200 and "lookup;dur=" in ok.headers["server-timing"]
    assert (await ok.json())["hits"][0]["code"] == "E11.65"
    missing = await page.request.get(f"{base_url}/take/{token}/coding/lookup/Q99999")
    assert missing.status == 404
    empty = await page.request.get(f"{base_url}/take/{token}/coding/lookup?q=")
    assert empty.status == 400


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
