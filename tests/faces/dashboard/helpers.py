"""Signing in to the dashboard the way a browser does: the form, its cookie, the redirect."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from tests.results.factories import PASSWORD


def form_token(html: str, name: str) -> str:
    """The value of the hidden input ``name`` in a page."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field"
    return found.group(1)


async def dashboard_sign_in(
    client: AsyncTestClient,
    slug: str,
    email: str,  # type: ignore[type-arg]
    password: str = PASSWORD,
    next_url: str = "",
) -> str:
    """Sign in through the form; returns the CSRF token the pages embed for later posts."""
    page = await client.get("/dashboard/sign-in")
    r = await client.post(
        "/dashboard/sign-in",
        data={
            "organization": slug,
            "email": email,
            "password": password,
            "next": next_url,
            "login_csrf": form_token(page.text, "login_csrf"),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    home = await client.get(r.headers["location"])
    assert home.status_code == 200, home.text[:300]
    return form_token(home.text, "_csrf")
