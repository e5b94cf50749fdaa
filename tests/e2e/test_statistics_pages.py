"""The optional "about you" page and the bias audit summary in a real browser: at 390 px,
by keyboard alone, and clean under axe-core."""

from __future__ import annotations

import uuid

import asyncpg
from playwright.async_api import Browser, BrowserContext

from service.analytics.audits import AuditRequest, create_audit
from service.assessments.content import load_content
from service.delivery.tokens import token_digest
from service.results.store import ensure_content_version
from tests.analytics.factories import Person, store_people
from tests.e2e.conftest import PHONE, Inviter, assert_accessible, shot, strict_context, tab_to
from tests.results.factories import PASSWORD, make_user


async def _phone(browser: Browser) -> BrowserContext:
    return await strict_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)


async def _fits(page: object) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"


async def test_about_you_by_keyboard_at_390px(
    browser: Browser, inviter: Inviter, e2e_pool: asyncpg.Pool
) -> None:
    link = await inviter(["scenarios"])
    token = link.rsplit("/", 1)[-1]
    invitation = await e2e_pool.fetchrow(
        "SELECT id, organization_id, candidate_id FROM invitations WHERE token_sha256 = $1",
        token_digest(token),
    )
    content = load_content()
    async with e2e_pool.acquire() as conn:
        await ensure_content_version(conn, content)
    # The candidate has finished the assessment (the pages before are tested elsewhere).
    await e2e_pool.execute(
        """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id,
               assessment_id, form_id, content_version, status, submitted_at)
           VALUES ($1, $2, $3, $4, 'scenarios', 'scenarios-a', $5, 'submitted', now())""",
        uuid.uuid4(),
        invitation["organization_id"],
        invitation["candidate_id"],
        invitation["id"],
        content.version_id,
    )
    context = await _phone(browser)
    page = await context.new_page()
    await page.goto(f"{link}/about-you")
    await assert_accessible(page, "about you page")
    await _fits(page)
    await shot(page, "about-you-390")
    # Keyboard only: the second sex option (Male), the last race option (prefer not to say).
    await tab_to(page, "#sex-female")
    await page.keyboard.press("ArrowDown")
    assert await page.is_checked("#sex-male")
    await tab_to(page, "input[name=race_ethnicity]")
    await page.keyboard.press("ArrowUp")  # wraps to the last option
    assert await page.is_checked("#race-unknown")
    await tab_to(page, "button[type=submit]")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url.endswith("/about-you/thanks")
    await assert_accessible(page, "about you thanks")
    await _fits(page)
    stored = await e2e_pool.fetchrow(
        "SELECT sex, race_ethnicity FROM candidate_demographics WHERE candidate_id = $1",
        invitation["candidate_id"],
    )
    assert dict(stored) == {"sex": "male", "race_ethnicity": "unknown"}
    await context.close()


async def test_audit_summary_page_at_390px(
    browser: Browser, base_url: str, e2e_pool: asyncpg.Pool
) -> None:
    org = uuid.uuid4()
    slug = f"sum-{org.hex[:8]}"
    await e2e_pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, $3)",
        org,
        slug,
        "Lakeside Clinic",
    )
    people = [
        Person(
            sex=("female", "male")[n % 2],
            race=("white", "black", "asian", "hispanic_latino")[n % 4],
            passed=n % 3 > 0,
            simulated=True,
        )
        for n in range(40)
    ]
    await store_people(e2e_pool, org, people)
    async with e2e_pool.acquire() as conn:
        stored = await create_audit(
            conn,
            load_content(),
            org,
            AuditRequest(outcome="passed", assessment_id="privacy"),
            actor="e2e",
        )
    await make_user(e2e_pool, org, "coordinator", "coord@example.org")
    context = await _phone(browser)
    signed = await context.request.post(
        f"{base_url}/staff/session",
        data={"organization": slug, "email": "coord@example.org", "password": PASSWORD},
    )
    assert signed.status == 201
    page = await context.new_page()
    await page.goto(f"{base_url}/staff/bias-audits/{stored.id}/summary")
    assert "Simulated demo data" in await page.inner_text(".source")
    await assert_accessible(page, "bias audit summary")
    # Wide tables scroll inside their own box; the page itself never scrolls sideways.
    await _fits(page)
    await shot(page, "bias-audit-summary-390")
    await tab_to(page, "a[href$='summary.pdf']")
    await context.close()
