"""Plumbing every dashboard page shares: the session guard (a page, not a 401, when signed
out), CSRF on form posts, the navigation for the user's role, rendering and redirects."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect, Template

from service.auth.staff import StaffUser, csrf_matches
from service.ground.errors import (
    ChartReadyError,
    Forbidden,
    PasswordChangeRequired,
    Unauthorized,
)
from service.web.guards import admit_staff, has_role, is_unsafe, session_staff
from service.web.problems import kind_of

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
SIGN_IN = "/dashboard/sign-in"
PASSWORD_PAGE = "/dashboard/password"  # noqa: S105 - a path, not a secret
CSRF_FIELD = "_csrf"
NO_STORE = {"Cache-Control": "no-store"}

# (path, label, role needed): the navigation, shown only where the role reaches.
NAVIGATION: tuple[tuple[str, str, str], ...] = (
    ("/dashboard", "Home", "viewer"),
    ("/dashboard/cohorts", "Cohorts", "viewer"),
    ("/dashboard/overview", "Overview", "viewer"),
    ("/dashboard/ratings", "Rating", "rater"),
    ("/dashboard/statistics", "Item analysis", "coordinator"),
    ("/dashboard/fairness", "Fairness", "coordinator"),
    ("/dashboard/model", "Readiness model", "coordinator"),
    ("/dashboard/admin", "Administration", "admin"),
)


async def require_dashboard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """A live session with the handler's ``opt["role"]``; a form post must carry the
    session's CSRF token (the ``_csrf`` field, or X-CSRF-Token from the page script)."""
    user = await session_staff(connection)
    if is_unsafe(connection):
        presented = connection.headers.get("x-csrf-token")
        if presented is None and isinstance(connection, Request):
            form = await connection.form()
            value = form.get(CSRF_FIELD)
            presented = value if isinstance(value, str) else None
        if not csrf_matches(user, presented):
            raise Forbidden("This form has expired; reload the page and try again")
    admit_staff(connection, user, handler)


def page(
    name: str,
    staff: StaffUser | None,
    context: dict[str, Any],
    *,
    path: str = "",
    status: int = 200,
) -> Template:
    """Render ``dashboard/<name>`` with the layout's needs: who is signed in, the CSRF token
    for forms, the navigation their role reaches, and where they are."""
    nav = [
        (href, label, href == path or (href != "/dashboard" and path.startswith(href)))
        for href, label, role in NAVIGATION
        if staff is not None and has_role(staff, role)
    ]
    return Template(
        template_name=f"dashboard/{name}",
        status_code=status,
        headers=NO_STORE,
        context={
            "staff": staff,
            "csrf": staff.csrf_token if staff else "",
            "nav": nav,
            "path": path,
            **context,
        },
    )


def go(url: str) -> Redirect:
    """303 See Other (after a form post, or to the sign-in page)."""
    return Redirect(path=url, status_code=303, headers=NO_STORE)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a dashboard path of this site (no open redirect)."""
    if target and target.startswith("/dashboard") and "//" not in target and "\\" not in target:
        return target
    return "/dashboard"


def error_page(request: Request[Any, Any, Any], exc: ChartReadyError) -> Response[Any]:
    """Signed out: to the sign-in page (then back here); signed in with a password an
    administrator set: to the password page; otherwise a readable error page."""
    if isinstance(exc, Unauthorized) and request.method == "GET":
        return go(f"{SIGN_IN}?next={quote(request.url.path)}")
    if isinstance(exc, PasswordChangeRequired) and request.method == "GET":
        return go(PASSWORD_PAGE)
    kind = kind_of(exc)
    staff = request.scope.get("state", {}).get("staff")
    return page(
        "error.html", staff, {"title": kind.title, "message": exc.detail}, status=kind.status
    )


def same_token(expected: str, presented: str | None) -> bool:
    """Constant-time comparison of two tokens (pre-session CSRF on the sign-in form)."""
    return presented is not None and hmac.compare_digest(expected, presented)
