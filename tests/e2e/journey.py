"""Moving through a candidate's assessment in a real browser: reaching an item of a type,
starting an assessment, reading the minutes a page states, and how wide a page lays out."""

from __future__ import annotations

import re

from playwright.async_api import Page

from tests.e2e.test_candidate_browser import consent_and_start, press_and_wait


async def page_width(page: Page) -> int:
    """How wide the document is laid out (wider than the viewport: it scrolls sideways)."""
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
    """Consent on the link's start page, then start ``assessment`` (by mouse)."""
    await consent_and_start(page, link, keyboard=False, check=False)
    await press_and_wait(page, f"form[action$='/{assessment}/start'] button", keyboard=False)


def minutes_in(text: str) -> list[int]:
    """Every "N minutes" a text states."""
    return [int(m) for m in re.findall(r"(\d+) minutes?", text)]
