"""The code look-up beside code-entry items in a real browser: searched and opened by
keyboard, recorded with the attempt, and served only while an attempt is in progress."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from playwright.async_api import BrowserContext, expect

from tests.e2e.conftest import (
    Inviter,
    assert_accessible,
    shot,
    tab_to,
)
from tests.e2e.journey import page_width, start
from tests.e2e.test_candidate_browser import attempt, press_and_wait

pytestmark = pytest.mark.browser


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
