"""Dashboard sign-in, sign-out and password change, through the app as a browser uses them."""

from __future__ import annotations

import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from tests.faces.dashboard.helpers import dashboard_sign_in, form_token
from tests.results.factories import PASSWORD, make_user, org_slug

NEW_PASSWORD = "violet tractor mango quarry 71"


async def test_signed_out_pages_send_to_sign_in_and_back(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    r = await client.get("/dashboard/password?x=1", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/dashboard/sign-in?next=/dashboard/password"
    await make_user(pool, org_id, "coordinator", "coord@example.org")
    slug = await org_slug(pool, org_id)
    await dashboard_sign_in(client, slug, "coord@example.org")
    home = await client.get("/dashboard")
    assert "Welcome, coord" in home.text and "Signed in until" in home.text
    assert 'href="/dashboard/ratings"' in home.text  # coordinators rate and adjudicate
    assert 'href="/dashboard/admin"' not in home.text  # administration is for admins


async def test_sign_in_form_refuses_forgery_wrong_passwords_and_foreign_redirects(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "viewer", "view@example.org")
    slug = await org_slug(pool, org_id)
    forged = await client.post(
        "/dashboard/sign-in",
        data={
            "organization": slug,
            "email": "view@example.org",
            "password": PASSWORD,
            "login_csrf": "made-up",
        },
        follow_redirects=False,
    )
    assert forged.status_code == 403 and "expired" in forged.text
    page = await client.get("/dashboard/sign-in")
    wrong = await client.post(
        "/dashboard/sign-in",
        data={
            "organization": slug,
            "email": "view@example.org",
            "password": "not it",
            "login_csrf": form_token(page.text, "login_csrf"),
        },
        follow_redirects=False,
    )
    assert wrong.status_code == 401 and "not right" in wrong.text
    assert 'value="view@example.org"' in wrong.text  # the e-mail stays filled in
    page = await client.get("/dashboard/sign-in")
    r = await client.post(
        "/dashboard/sign-in",
        data={
            "organization": slug,
            "email": "view@example.org",
            "password": PASSWORD,
            "next": "//evil.example/phish",
            "login_csrf": form_token(page.text, "login_csrf"),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"


async def test_password_change_checks_the_old_one_and_signs_out_elsewhere(
    client: AsyncTestClient,
    settings: object,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "rater", "rater@example.org")
    slug = await org_slug(pool, org_id)
    csrf = await dashboard_sign_in(client, slug, "rater@example.org")
    await pool.execute(  # a second session elsewhere (another device)
        """INSERT INTO staff_sessions (token_sha256, organization_id, user_id, csrf_token,
               expires_at)
           SELECT sha256('other device'::bytea), organization_id, id, 'x',
                  now() + interval '1 hour' FROM users WHERE email = 'rater@example.org'"""
    )
    wrong = await client.post(
        "/dashboard/password",
        data={"_csrf": csrf, "current": "guess", "new": NEW_PASSWORD, "repeat": NEW_PASSWORD},
    )
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    forged = await client.post(
        "/dashboard/password",
        data={"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD},
    )
    assert forged.status_code == 403
    done = await client.post(
        "/dashboard/password",
        data={"_csrf": csrf, "current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD},
    )
    assert done.status_code == 200 and "1 other session(s) ended" in done.text
    assert await pool.fetchval("SELECT count(*) FROM staff_sessions") == 1

    out = await client.post("/dashboard/sign-out", data={"_csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"].endswith("signed_out=1")
    assert (await client.get("/dashboard", follow_redirects=False)).status_code == 303
    client.cookies.clear()
    await dashboard_sign_in(client, slug, "rater@example.org", password=NEW_PASSWORD)
