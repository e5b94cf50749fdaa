"""Browser-test fixtures: the real app served over HTTP by uvicorn (in a thread) on a free
port against its own test database, and a headless system Chromium driven by Playwright."""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from scripts.ports import free_port
from service.app import create_app
from service.assessments.content import load_content
from service.delivery.catalog import Catalog, catalog_of
from service.delivery.invitations import NewInvitation, create_invitation
from tests.conftest import ARTIFACTS, cloned_database, make_settings
from tests.results.factories import PASSWORD

SHOTS = ARTIFACTS / "e2e"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CSP_WATCH = """document.addEventListener('securitypolicyviolation', e =>
  (window.__cspViolations ||= []).push(`${e.violatedDirective} ${e.blockedURI}`));"""
"""Runs before any script of every page: notes what the Content-Security-Policy refused."""


@pytest.fixture(scope="module")
async def e2e_db(server_url: str, template_db: str) -> AsyncIterator[str]:
    """One migrated database shared by a module's browser tests."""
    async with cloned_database(server_url, template_db, "cr_e2e") as url:
        yield url


@pytest.fixture(scope="module")
def base_url(e2e_db: str) -> Iterator[str]:
    """The app under uvicorn on 127.0.0.1:<free port>."""
    port = free_port()
    app = create_app(make_settings(database_url=e2e_db))
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
async def e2e_pool(e2e_db: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the browser tests' database (to seed and inspect)."""
    from service.ground.db import create_pool  # noqa: PLC0415

    pool = await create_pool(e2e_db, min_size=1, max_size=2)
    yield pool
    await pool.close()


@pytest.fixture(scope="module")
async def e2e_org(e2e_pool: asyncpg.Pool) -> uuid.UUID:
    """The organization the browser tests' candidates belong to."""
    org = uuid.uuid4()
    await e2e_pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, $3)",
        org,
        f"e2e-{org.hex[:8]}",
        "Riverside Health",
    )
    return org


@pytest.fixture(scope="session")
def e2e_catalog() -> Catalog:
    """The item bank the server delivers."""
    return catalog_of(load_content())


class Inviter:
    """Creates candidates and invitations on the browser tests' database."""

    def __init__(self, pool: asyncpg.Pool, org: uuid.UUID, catalog: Catalog, base: str) -> None:
        self.pool, self.org, self.catalog, self.base = pool, org, catalog, base

    async def __call__(self, assessments: list[str], **options: Any) -> str:
        """A new candidate invited to ``assessments``; returns the link."""
        cid = uuid.uuid4()
        await self.pool.execute(
            """INSERT INTO candidates (id, organization_id, given_name, family_name, email)
               VALUES ($1, $2, 'Jordan', 'Lee', 'jordan@example.org')""",
            cid,
            self.org,
        )
        async with self.pool.acquire() as conn:
            issued = await create_invitation(
                conn,
                self.org,
                NewInvitation(candidate_id=cid, assessments=assessments, **options),
                content=self.catalog.content,
                base_url=self.base,
                created_by="e2e",
            )
        return issued.url


@pytest.fixture(scope="module")
def inviter(
    e2e_pool: asyncpg.Pool, e2e_org: uuid.UUID, e2e_catalog: Catalog, base_url: str
) -> Inviter:
    """Invite a fresh candidate: ``await inviter(["coding"])`` -> link."""
    return Inviter(e2e_pool, e2e_org, e2e_catalog, base_url)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Headless system Chromium (never a downloaded browser)."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


async def strict_context(browser: Browser, **options: Any) -> BrowserContext:
    """A fresh browser profile under the pages' own Content-Security-Policy (never bypassed:
    axe-core is evaluated through the DevTools protocol, which the policy does not govern),
    noting every violation for ``assert_accessible`` to report."""
    ctx = await browser.new_context(**options)
    await ctx.add_init_script(CSP_WATCH)
    return ctx


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile (laptop width) under the pages' CSP."""
    ctx = await strict_context(browser, viewport={"width": 1100, "height": 900})
    yield ctx
    await ctx.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    """A tab."""
    return await context.new_page()


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


async def shot(page: Page, name: str) -> None:
    """Save a full-page screenshot under test-artifacts/e2e/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def assert_accessible(page: Page, what: str) -> None:
    """Run axe-core (WCAG 2.x A/AA rules) on the page; fail listing every violation, and
    every Content-Security-Policy violation the page has met."""
    refused = await page.evaluate("window.__cspViolations || []")
    assert not refused, f"CSP refused on {what}: {refused}"
    await page.evaluate(_axe_source())
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    problems = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x: {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]
    assert not problems, f"axe on {what}:\n" + "\n".join(problems)


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


async def tab_to(page: Page, selector: str, limit: int = 250) -> None:
    """Press Tab until the focused element matches ``selector`` (keyboard only)."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"could not reach {selector} with Tab")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here drives a real Chromium: marked `browser` and `slow` (the fast lane,
    `-m "not slow"`, leaves them out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


async def dashboard_page(browser: Browser, base_url: str, slug: str, email: str) -> Page:
    """A fresh browser context signed in to the dashboard through the form (laptop width)."""
    context = await strict_context(browser, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(120_000)  # the first password check starts a hashing process
    page = await context.new_page()
    await page.goto(f"{base_url}/dashboard/sign-in")
    await page.fill("#organization", slug)
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    async with page.expect_navigation():
        await page.click("button[type=submit].primary")
    assert page.url.endswith("/dashboard"), page.url
    return page
