"""The rating workspace, item analysis, fairness, model card and administration in a real
browser: a rater scores a written response with the keyboard alone, a second rater
disagrees, the coordinator adjudicates; a viewer cannot reach rating or administration;
axe-core finds nothing on any of these pages; screenshots for a person to look at."""

from __future__ import annotations

import uuid

import asyncpg
from playwright.async_api import Browser, Page

from service.assessments.content import load_content
from service.readiness.model import fit_and_select
from service.readiness.registry import Provenance, activate, register_model
from tests.analytics.factories import Person, store_people
from tests.e2e.conftest import assert_accessible, dashboard_page, shot, tab_to
from tests.faces.staff.test_staff_ratings import scored_attempt
from tests.readiness.helpers import synthetic_percents
from tests.results.factories import make_user

ITEM = "COM-A-14"
CRITERIA = len(load_content().items[ITEM].criteria)  # type: ignore[union-attr]


async def _score_by_keyboard(page: Page, level: str) -> None:
    """On a rating page: one number key per criterion, then Enter (no mouse)."""
    await page.wait_for_selector("fieldset.criterion.current")
    for _ in range(CRITERIA):
        await page.keyboard.press(level)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")


async def test_keyboard_rating_adjudication_and_every_page_accessible(
    browser: Browser, base_url: str, e2e_pool: asyncpg.Pool
) -> None:
    org = uuid.uuid4()
    slug = f"rate-{org.hex[:8]}"
    await e2e_pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, 'Harbor Clinic')", org, slug
    )
    for role, email in (
        ("rater", "r1@example.org"),
        ("rater", "r2@example.org"),
        ("coordinator", "coord@example.org"),
        ("admin", "admin@example.org"),
        ("viewer", "view@example.org"),
    ):
        await make_user(e2e_pool, org, role, email)
    attempt = await scored_attempt(e2e_pool, org)
    people = [
        Person(
            sex=("female", "male")[n % 2],
            race=("white", "black", "asian", "hispanic_latino")[n % 4],
            passed=n % 3 > 0,
            simulated=True,
            marks={"PRI-A-01": n % 2, "PRI-A-02": (n // 2) % 2, "PRI-A-11": n % 3},
        )
        for n in range(40)
    ]
    await store_people(e2e_pool, org, people)
    x, y, _ = synthetic_percents(600, seed=5)
    trained = fit_and_select(
        x, y, seed=0, candidates=("logistic_sigmoid",), groups={"sex": ["female", "male"] * 300}
    )
    async with e2e_pool.acquire() as conn:
        model = await register_model(
            conn,
            trained,
            organization_id=org,
            provenance=Provenance("simulated", 300, content_version="c-0123456789ab", note="prior"),
            seed=0,
            created_by="e2e",
        )
        await activate(conn, model.version, organization_id=org, activated_by="e2e", reason="e2e")

    # The first rater: keyboard only, from the queue to the stored rating.
    rater = await dashboard_page(browser, base_url, slug, "r1@example.org")
    await rater.goto(f"{base_url}/dashboard/ratings")
    await assert_accessible(rater, "rating queue")
    await shot(rater, "dashboard-rating-queue")
    await tab_to(rater, "#start")
    async with rater.expect_navigation():
        await rater.keyboard.press("Enter")
    assert f"/dashboard/ratings/{attempt}/{ITEM}" in rater.url
    await assert_accessible(rater, "rating page")
    await shot(rater, "dashboard-rating-response")
    await rater.set_viewport_size({"width": 768, "height": 1024})
    assert await rater.evaluate("document.documentElement.scrollWidth") <= 768
    await shot(rater, "dashboard-rating-response-tablet")
    await rater.set_viewport_size({"width": 1100, "height": 900})
    await _score_by_keyboard(rater, "3")
    assert rater.url.endswith("/dashboard/ratings?rated=awaiting_second")
    await assert_accessible(rater, "rating queue after a rating")
    await rater.context.close()

    # The second rater disagrees by more than a level: adjudication.
    second = await dashboard_page(browser, base_url, slug, "r2@example.org")
    await second.goto(f"{base_url}/dashboard/ratings/next")
    await _score_by_keyboard(second, "0")
    assert second.url.endswith("rated=needs_adjudication")
    await second.context.close()

    # The coordinator adjudicates (seeing both ratings' levels), then reads agreement.
    coord = await dashboard_page(browser, base_url, slug, "coord@example.org")
    await coord.goto(f"{base_url}/dashboard/ratings")
    async with coord.expect_navigation():
        await coord.click(f"text=Adjudicate {ITEM}")
    assert "Independent ratings" in await coord.content()
    await assert_accessible(coord, "adjudication page")
    await shot(coord, "dashboard-adjudication")
    await _score_by_keyboard(coord, "1")
    assert coord.url.endswith("rated=final")
    assert "Agreement per rater" in await coord.content()
    await shot(coord, "dashboard-rating-agreement")
    roles = await e2e_pool.fetch(
        "SELECT role, levels FROM ratings WHERE attempt_id = $1 ORDER BY created_at", attempt
    )
    assert [r["role"] for r in roles] == ["independent", "independent", "adjudication"]
    assert set(roles[2]["levels"].values()) == {1}
    for path, name in (
        ("/dashboard/statistics?form=privacy-a", "item analysis"),
        ("/dashboard/fairness?form=privacy-a&assessment_id=privacy", "fairness"),
        ("/dashboard/model", "model card"),
    ):
        await coord.goto(f"{base_url}{path}")
        assert "Simulated demo sample" in await coord.content() or name == "model card"
        await assert_accessible(coord, name)
        await shot(coord, f"dashboard-{name.replace(' ', '-')}")
        # usable on a tablet: wide tables scroll in their own box, the page never sideways
        await coord.set_viewport_size({"width": 768, "height": 1024})
        width = await coord.evaluate("document.documentElement.scrollWidth")
        assert width <= 768, f"{name} scrolls sideways at 768 px: {width}"
        await coord.set_viewport_size({"width": 1100, "height": 900})
    await coord.context.close()

    # The admin's page; the viewer reaches neither rating nor administration.
    admin = await dashboard_page(browser, base_url, slug, "admin@example.org")
    await admin.goto(f"{base_url}/dashboard/admin")
    await assert_accessible(admin, "administration")
    await admin.fill("#key-name", "Our ATS")
    await admin.check("text=results:read")
    async with admin.expect_navigation():
        await admin.click("#add-key button[type=submit]")
    assert "shown once" in await admin.content()
    await assert_accessible(admin, "administration with a new key")
    await shot(admin, "dashboard-admin")
    await admin.context.close()
    viewer = await dashboard_page(browser, base_url, slug, "view@example.org")
    nav = await viewer.inner_text("nav")
    assert "Rating" not in nav and "Administration" not in nav
    for path in ("/dashboard/ratings", "/dashboard/admin"):
        response = await viewer.goto(f"{base_url}{path}")
        assert response is not None and response.status == 403
        assert "needs the" in await viewer.content()
    await assert_accessible(viewer, "forbidden page")
    await shot(viewer, "dashboard-viewer-forbidden")
    await viewer.context.close()
