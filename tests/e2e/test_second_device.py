"""Finding 3 in a real browser: two devices that loaded the same question count from the
same sequence number; the second device's change is stored (the page resolves the conflict
by resending above the stored number) and the page never says "saved" for an answer that is
not stored."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from playwright.async_api import Browser, expect

from tests.e2e.conftest import Inviter
from tests.e2e.test_candidate_browser import attempt, consent_and_start, press_and_wait

pytestmark = pytest.mark.browser


async def test_the_second_device_s_answer_is_stored_not_just_acknowledged(
    browser: Browser,
    inviter: Inviter,
    e2e_pool: asyncpg.Pool,
) -> None:
    link = await inviter(["communication"])
    phone_ctx, laptop_ctx = await browser.new_context(), await browser.new_context()
    try:
        phone = await phone_ctx.new_page()
        await consent_and_start(phone, link, keyboard=False, check=False)
        await press_and_wait(phone, "form[action$='/start'] button", keyboard=False)
        await press_and_wait(phone, "form[data-flush] button", keyboard=False)  # begin
        laptop = await laptop_ctx.new_page()  # the same question on another device
        await laptop.goto(phone.url)
        assert laptop.url == phone.url
        await laptop.wait_for_timeout(300)  # its tab claim has answered
        await phone.check("input[name=answer] >> nth=0")
        await expect(phone.locator("#save-status")).to_have_text("Answer saved.")
        wanted = await laptop.get_attribute("input[name=answer] >> nth=1", "value")
        await laptop.check("input[name=answer] >> nth=1")
        await expect(laptop.locator("#save-status")).to_have_text("Answer saved.")
        row = await attempt(e2e_pool, link, "communication")
        stored = None
        for _ in range(50):
            stored = await e2e_pool.fetchrow(
                "SELECT answer, client_seq FROM responses WHERE attempt_id = $1", row["id"]
            )
            if stored is not None and stored["answer"] == wanted:
                break
            await asyncio.sleep(0.1)
        assert stored is not None and stored["answer"] == wanted
        assert stored["client_seq"] == 2  # resent above the phone's 1
    finally:
        await phone_ctx.close()
        await laptop_ctx.close()
