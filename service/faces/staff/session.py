"""Staff sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.params import JSONBody

from service.auth.staff import SESSION_COOKIE, SESSION_LIFETIME, StaffUser, login, logout
from service.ground.types import Email
from service.web.database import Conn
from service.web.guards import STAFF_SECURITY, CurrentStaff, require_staff


class Credentials(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Sign-in form."""

    organization: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class Me(msgspec.Struct, frozen=True):
    """The signed-in user and the CSRF token to echo on writes."""

    email: str
    display_name: str
    role: str
    csrf_token: str


def _me(user: StaffUser) -> Me:
    return Me(user.email, user.display_name, user.role, user.csrf_token)


class StaffSessionController(Controller):
    """Sessions for staff (cookie `cr_session`, HttpOnly, SameSite=Strict)."""

    path = "/staff/session"
    tags = ["staff"]  # noqa: RUF012

    @post(operation_id="staffSignIn",
          summary="Sign in (staff)", status_code=201)
    async def sign_in(
        self, data: JSONBody[Credentials], conn: Conn, request: Request[Any, Any, Any]
    ) -> Response[Me]:
        """Check the password (throttled after 5 failures in 15 minutes); set the cookie.

        The cookie is Secure whenever the request came over HTTPS (behind a proxy, run
        uvicorn with --proxy-headers so the scheme is seen)."""
        session = await login(conn, data.organization, data.email, data.password)
        secure = request.url.scheme == "https"
        cookie = Cookie(key=SESSION_COOKIE, value=session.token, httponly=True, secure=secure,
                        samesite="strict", path="/",
                        max_age=int(SESSION_LIFETIME.total_seconds()))
        return Response(_me(session.user), status_code=201, cookies=[cookie])

    @get(operation_id="staffMe",
         summary="Who is signed in", guards=[require_staff],
         security=STAFF_SECURITY)
    async def me(self, staff: CurrentStaff) -> Me:
        """Who is signed in."""
        return _me(staff)

    @delete(operation_id="staffSignOut",
            summary="Sign out", guards=[require_staff], status_code=200,
            security=STAFF_SECURITY)
    async def sign_out(self, request: Request[Any, Any, Any], conn: Conn) -> Response[None]:
        """End the session at once (the row is deleted, so every worker forgets it)."""
        await logout(conn, request.cookies.get(SESSION_COOKIE, ""))
        return Response(None, status_code=200,
                        cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")])
