"""The interactive API reference renders in a real browser with no other origin reachable
and no Content-Security-Policy violation."""

from __future__ import annotations

from playwright.async_api import Browser, Route

from tests.e2e.conftest import SHOTS


async def test_api_reference_renders_offline_under_its_csp(browser: Browser, base_url: str) -> None:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    foreign: list[str] = []

    async def only_this_origin(route: Route) -> None:
        if route.request.url.startswith(base_url):
            await route.continue_()
        else:  # as on a network without internet access
            foreign.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_this_origin)
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    await page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective))"
    )
    await page.goto(f"{base_url}/schema")
    await page.wait_for_selector(".opblock", timeout=15_000)
    assert await page.locator(".opblock").count() >= 10
    paths = await page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/candidates" in p for p in paths)
    assert "ChartReady API" in await page.locator(".info .title").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "api-reference.png"))
    await context.close()
    assert foreign == []
    assert problems == []
