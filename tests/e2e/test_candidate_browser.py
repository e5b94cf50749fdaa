"""A candidate in a real browser: keyboard only, reloads, time running out, extra time,
screenshots of every page type and axe-core on each."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urljoin

import asyncpg
import pytest
from playwright.async_api import BrowserContext, Page, expect

from service.assessments.content import load_content
from service.assessments.items import CodeEntryItem
from service.delivery.tokens import token_digest
from tests.e2e.conftest import Inviter, assert_accessible, shot, tab_to

pytestmark = pytest.mark.browser

RESPONSE = (
    "Dear Ms Rivera, thank you for your request for a copy of your records. We will "
    "send them within 30 days. Please sign the enclosed form so we can confirm your "
    "identity. If you have questions, call the release of information desk. Regards."
)


async def answer_with_keyboard(page: Page, item_type: str) -> None:
    """Give some answer to the current item using only the keyboard."""
    keys = page.keyboard
    if item_type == "single_choice":
        await tab_to(page, "input[type=radio]")
        await keys.press("Space")
    elif item_type in ("multiple_choice", "set_selection"):
        await tab_to(page, "input[name=answer][type=checkbox]")
        await keys.press("Space")
    elif item_type == "code_entry":
        await tab_to(page, "#code-1")
        await keys.type("I10")
    elif item_type == "numeric":
        await tab_to(page, "#numeric-answer")
        await keys.type("12")
    elif item_type == "date":
        await tab_to(page, "#date-answer")
        await keys.type("2027-03-14")
    elif item_type == "constructed_response":
        await tab_to(page, "#response-answer")
        await keys.type(RESPONSE)
    elif item_type == "ordering":
        await tab_to(page, ".move-down")
        await keys.press("Enter")
    elif item_type == "record_matching":
        await tab_to(page, ".group-select")
        await keys.type("P")  # type-ahead picks "Patient A"
    elif item_type == "span_marking":
        await tab_to(page, ".tok-box")
        await keys.press("Space")
    elif item_type == "classification":
        await tab_to(page, ".class-select")
        await keys.press("ArrowDown")  # from "Not chosen" to the first category
    else:
        raise AssertionError(item_type)
    await expect(page.locator("#save-status")).to_have_text("Answer saved.")


async def press_and_wait(page: Page, selector: str, *, keyboard: bool) -> None:
    """Activate a link or button (Tab + Enter, or a click) and wait for the next page."""
    async with page.expect_navigation():
        if keyboard:
            await tab_to(page, selector)
            await page.keyboard.press("Enter")
        else:
            await page.click(selector)


async def consent_and_start(page: Page, link: str, *, keyboard: bool, check: bool) -> None:
    await page.goto(link)
    if check:
        await assert_accessible(page, "start page")
        await shot(page, "01-start-notice")
    if keyboard:
        await tab_to(page, "#agree")
        await page.keyboard.press("Space")
    else:
        await page.check("#agree")
    await press_and_wait(page, "form[action$='/consent'] button", keyboard=keyboard)
    if check:
        await assert_accessible(page, "package page")
        await shot(page, "02-package")


async def walk(page: Page, seen: set[str], *, keyboard: bool, answer: bool) -> None:
    """Go through an assessment to the completion page, checking each new page type."""
    while True:
        url = page.url
        kind = (
            "section" if "/section/" in url else "item" if "/q/" in url else url.rsplit("/", 1)[-1]
        )
        if kind == "item":
            item_type = await page.get_attribute("#answer-form", "data-item-type")
            assert item_type
            kind = f"item-{item_type}"
        if kind not in seen:
            seen.add(kind)
            await assert_accessible(page, kind)
            await shot(page, f"{len(seen) + 2:02d}-{kind}")
        if kind.startswith("item-"):
            if answer:
                await answer_with_keyboard(page, kind.removeprefix("item-"))
            await press_and_wait(page, ".item-nav a.primary", keyboard=keyboard)
        elif kind in ("section", "submit"):
            await press_and_wait(page, "form[data-flush] button", keyboard=keyboard)
        elif kind == "review":
            await press_and_wait(
                page, "form[data-flush] button, a[href$='/submit']", keyboard=keyboard
            )
        elif kind == "done":
            return
        else:
            raise AssertionError(f"unexpected page {url}")


async def attempt(pool: asyncpg.Pool, link: str, assessment: str) -> asyncpg.Record:
    token = link.rsplit("/", 1)[-1]
    return await pool.fetchrow(
        """SELECT t.* FROM attempts t JOIN invitations i ON i.id = t.invitation_id
           WHERE i.token_sha256 = $1 AND t.assessment_id = $2""",
        token_digest(token),
        assessment,
    )


async def test_keyboard_only_candidate_completes_an_assessment(
    page: Page, inviter: Inviter, e2e_pool: asyncpg.Pool
) -> None:
    link = await inviter(["scenarios"])
    await consent_and_start(page, link, keyboard=True, check=True)
    await press_and_wait(page, "form[action$='/start'] button", keyboard=True)
    await walk(page, set(), keyboard=True, answer=True)
    await expect(page.locator("h1")).to_contain_text("finished")
    row = await attempt(e2e_pool, link, "scenarios")
    assert row["status"] == "scored" and row["finalized_reason"] == "candidate"
    answered = await e2e_pool.fetchval(
        "SELECT count(*) FROM responses WHERE attempt_id = $1 AND answer <> 'null'", row["id"]
    )
    items = await e2e_pool.fetchval(
        "SELECT count(*) FROM item_views WHERE attempt_id = $1", row["id"]
    )
    assert answered == items > 0
    assert (
        await e2e_pool.fetchval(
            "SELECT count(*) FROM scoring_runs WHERE attempt_id = $1 AND current", row["id"]
        )
        == 1
    )
    # the last assessment of the invitation: the page offers the signed competency profile
    download = page.get_by_role("link", name=re.compile("competency profile"))
    await expect(download).to_be_visible()
    pdf = await page.request.get(urljoin(page.url, await download.get_attribute("href") or ""))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert (await pdf.body()).startswith(b"%PDF")


async def test_every_page_type_is_accessible_and_photographed(page: Page, inviter: Inviter) -> None:
    assessments = ["coding", "privacy", "communication", "records_operations"]
    link = await inviter(assessments)
    await consent_and_start(page, link, keyboard=False, check=False)
    seen = {"section", "review", "submit", "done"}  # already covered by the keyboard test
    for assessment in assessments:
        await press_and_wait(page, f"form[action$='/{assessment}/start'] button", keyboard=False)
        await walk(page, seen, keyboard=False, answer=False)
        await page.goto(link)
    for item_type in (
        "code_entry",
        "numeric",
        "span_marking",
        "constructed_response",
        "single_choice",
        "multiple_choice",
        "classification",
        "ordering",
        "set_selection",
    ):
        assert f"item-{item_type}" in seen
    await page.goto(link.rsplit("/", 1)[0] + "/not-a-real-token")
    await assert_accessible(page, "error page")
    await shot(page, "99-error-invalid-link")


async def test_classification_is_answered_by_keyboard_and_saved(
    page: Page, inviter: Inviter, e2e_pool: asyncpg.Pool
) -> None:
    """Indexing documents by type (records operations) works with the keyboard alone."""
    link = await inviter(["records_operations"])
    await consent_and_start(page, link, keyboard=True, check=False)
    await press_and_wait(page, "form[action$='/start'] button", keyboard=True)
    while True:  # through section and review pages to the first classification item
        if "/section/" in page.url:
            await press_and_wait(page, "form[data-flush] button", keyboard=True)
        elif "/q/" not in page.url:
            await press_and_wait(page, "form[data-flush] button, a[href$='/submit']", keyboard=True)
        elif await page.get_attribute("#answer-form", "data-item-type") == "classification":
            break
        else:
            await press_and_wait(page, ".item-nav a.primary", keyboard=True)
    item_id = await page.get_attribute("#answer-form", "data-item-id")
    await answer_with_keyboard(page, "classification")
    row = await attempt(e2e_pool, link, "records_operations")
    saved = await e2e_pool.fetchval(
        "SELECT answer FROM responses WHERE attempt_id = $1 AND item_id = $2", row["id"], item_id
    )
    assert saved is not None and len(saved) == 1  # one entry placed in a category
    await page.reload()
    await expect(page.locator(".class-select").first).not_to_have_value("")


async def test_reloading_mid_section_loses_nothing(
    context: BrowserContext, page: Page, inviter: Inviter, e2e_pool: asyncpg.Pool
) -> None:
    link = await inviter(["communication"])
    await consent_and_start(page, link, keyboard=False, check=False)
    await press_and_wait(page, "form[action$='/start'] button", keyboard=False)
    await press_and_wait(page, "form[data-flush] button", keyboard=False)  # begin section
    await page.check("input[type=radio] >> nth=1")
    await expect(page.locator("#save-status")).to_have_text("Answer saved.")
    first_url = page.url
    await press_and_wait(page, ".item-nav a.primary", keyboard=False)
    await page.click("input[name=answer] >> nth=0")
    await expect(page.locator("#save-status")).to_have_text("Answer saved.")
    second_url = page.url
    await page.reload()
    assert page.url == second_url
    await expect(page.locator("input[name=answer] >> nth=0")).to_be_checked()
    # Another device with the same link resumes at the same question with the same answers.
    other = await context.browser.new_page()  # type: ignore[union-attr]
    await other.goto(link.rsplit("/", 1)[0] + "/" + link.rsplit("/", 1)[1] + "/communication")
    assert other.url == second_url
    await expect(other.locator("input[name=answer] >> nth=0")).to_be_checked()
    await other.goto(first_url)
    await expect(other.locator("input[type=radio] >> nth=1")).to_be_checked()
    await other.close()
    # A change followed at once by a reload still reaches the database.
    wanted = await page.get_attribute("input[name=answer] >> nth=1", "value")
    await page.click("input[name=answer] >> nth=1")
    await page.reload()
    row = await attempt(e2e_pool, link, "communication")
    stored = None
    for _ in range(200):  # the save is in flight while the page reloads
        stored = await e2e_pool.fetchval(
            "SELECT answer FROM responses WHERE attempt_id = $1 ORDER BY saved_at DESC LIMIT 1",
            row["id"],
        )
        if stored in (wanted, [wanted]):
            break
        await asyncio.sleep(0.1)
    assert stored in (wanted, [wanted])


async def test_expired_section_is_finalised_and_scored(
    page: Page, inviter: Inviter, e2e_pool: asyncpg.Pool
) -> None:
    link = await inviter(["coding"])
    await consent_and_start(page, link, keyboard=False, check=False)
    await press_and_wait(page, "form[action$='/start'] button", keyboard=False)
    await press_and_wait(page, "form[data-flush] button", keyboard=False)
    row = await attempt(e2e_pool, link, "coding")
    first = load_content().forms[row["form_id"]].items[0]
    assert isinstance(first, CodeEntryItem)
    await page.fill("#code-1", first.key[0])  # the first-listed code: partial credit
    await expect(page.locator("#save-status")).to_have_text("Answer saved.")
    # The first section's time runs out: the page moves on to the next section by itself.
    await e2e_pool.execute(
        "UPDATE attempt_sections SET deadline_at = now() + interval '3 s' "
        "WHERE attempt_id = $1 AND ordinal = 1",
        row["id"],
    )
    await page.reload()
    await page.wait_for_url(re.compile(r"/section/"), timeout=15_000)
    await shot(page, "90-next-section-after-time-up")
    # Then the whole attempt's time runs out: finalised and scored, completion page shown.
    await e2e_pool.execute(
        "UPDATE attempt_sections SET deadline_at = now() + interval '3 s' WHERE attempt_id = $1",
        row["id"],
    )
    await e2e_pool.execute(
        "UPDATE attempts SET deadline_at = now() + interval '3 s' WHERE id = $1", row["id"]
    )
    await page.reload()
    await page.wait_for_url(re.compile(r"/done$"), timeout=15_000)
    await expect(page.locator("main")).to_contain_text("ran out")
    await shot(page, "91-done-time-up")
    final = await attempt(e2e_pool, link, "coding")
    assert (final["status"], final["finalized_reason"]) == ("scored", "deadline")
    run = await e2e_pool.fetchrow(
        "SELECT raw_total FROM scoring_runs WHERE attempt_id = $1 AND current", row["id"]
    )
    assert run is not None and run["raw_total"] > 0  # the saved key code earned credit


async def test_accommodated_candidate_gets_extra_time(
    page: Page, inviter: Inviter, e2e_pool: asyncpg.Pool
) -> None:
    standard = await inviter(["privacy"])
    extra = await inviter(["privacy"], time_multiplier=1.5)
    minutes = {}
    for name, link in (("standard", standard), ("extra", extra)):
        await consent_and_start(page, link, keyboard=False, check=False)
        card = await page.locator(".assessment-card .meta").inner_text()
        minutes[name] = int(re.search(r"Time: (\d+) minutes", card).group(1))  # type: ignore[union-attr]
        await press_and_wait(page, "form[action$='/start'] button", keyboard=False)
        timer = await page.get_attribute("#timer", "data-seconds-left")
        row = await attempt(e2e_pool, link, "privacy")
        minutes[name + "_attempt"] = (row["deadline_at"] - row["started_at"]).total_seconds() / 60
        minutes[name + "_section"] = int(timer or 0)
    assert minutes["extra"] == round(minutes["standard"] * 1.5)
    assert minutes["extra_attempt"] == minutes["standard_attempt"] * 1.5
    assert minutes["extra_section"] >= minutes["standard_section"] * 1.45
    await shot(page, "92-section-intro-extra-time")
