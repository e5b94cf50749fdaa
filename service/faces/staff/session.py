"""Staff sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie, State
from litestar.exceptions import HTTPException
from litestar.params import JSONBody, QueryParameter

from service.auth.staff import SESSION_COOKIE, SESSION_LIFETIME, StaffUser, login, logout
from service.ground.types import Email
from service.web.database import Conn
from service.web.guards import (
    BEFORE_OWN_PASSWORD,
    NO_STORE,
    STAFF_SECURITY,
    CurrentStaff,
    require_staff,
)


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
    password_change_required: bool = False
    """The password was set by an administrator: until its owner changes it (dashboard,
    Password), every other staff endpoint answers 403."""


class SignedOut(msgspec.Struct, frozen=True):
    """How many sessions ended (more than one with ``everywhere``)."""

    sessions_ended: int


def _me(user: StaffUser) -> Me:
    return Me(
        user.email,
        user.display_name,
        user.role,
        user.csrf_token,
        password_change_required=user.password_change_required,
    )


def _require_json(request: Request[Any, Any, Any]) -> None:
    """Login CSRF defence: an HTML form on another site can post urlencoded, multipart or
    text/plain bodies without a preflight, but not application/json; so a sign-in must be
    JSON, and no other site can sign a visitor into an account of its choosing."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(
            status_code=415, detail="Sign in with a JSON body (Content-Type: application/json)"
        )


class StaffSessionController(Controller):
    """Sessions for staff (cookie `cr_session`, HttpOnly, SameSite=Strict)."""

    path = "/staff/session"
    tags = ["staff"]  # noqa: RUF012

    @post(operation_id="staffSignIn", summary="Sign in (staff)", status_code=201)
    async def sign_in(
        self, data: JSONBody[Credentials], state: State, request: Request[Any, Any, Any]
    ) -> Response[Me]:
        """Check the password and set the cookie. The body must be JSON (415 otherwise).
        Throttled per client address, per account from that address and per account
        (429 with Retry-After); the password is checked off the event loop.

        The cookie is Secure whenever the request came over HTTPS (behind a proxy, run
        uvicorn with --proxy-headers so the scheme is seen)."""
        _require_json(request)
        address = request.client.host if request.client else "unknown"
        session = await login(
            state.pool,
            state.passwords,
            organization_slug=data.organization,
            email=data.email,
            password=data.password,
            address=address,
        )
        secure = request.url.scheme == "https"
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=session.token,
            httponly=True,
            secure=secure,
            samesite="strict",
            path="/",
            max_age=int(SESSION_LIFETIME.total_seconds()),
        )
        return Response(_me(session.user), status_code=201, cookies=[cookie], headers=NO_STORE)

    @get(
        operation_id="staffMe",
        summary="Who is signed in",
        guards=[require_staff],
        security=STAFF_SECURITY,
        opt=BEFORE_OWN_PASSWORD,
    )
    async def me(self, staff: CurrentStaff) -> Me:
        """Who is signed in."""
        return _me(staff)

    @delete(
        operation_id="staffSignOut",
        summary="Sign out (this session, or everywhere)",
        guards=[require_staff],
        status_code=200,
        security=STAFF_SECURITY,
        opt=BEFORE_OWN_PASSWORD,
    )
    async def sign_out(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        everywhere: Annotated[
            bool, QueryParameter(description="end every session of this user, on every device")
        ] = False,
    ) -> Response[SignedOut]:
        """End the session at once (the row is deleted, so every worker forgets it); with
        `everywhere=true` end all of this user's sessions."""
        ended = await logout(conn, request.cookies.get(SESSION_COOKIE, ""), everywhere=everywhere)
        return Response(
            SignedOut(ended),
            status_code=200,
            cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")],
        )
