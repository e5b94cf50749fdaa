"""Signing in and out of the dashboard, and changing one's password.

The sign-in form is a plain form post, so it carries a pre-session CSRF token (a cookie and a
hidden field that must match): another site cannot sign a visitor into an account of its
choosing, the reason the JSON sign-in endpoint refuses forms."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template

from service.auth.staff import (
    SESSION_COOKIE,
    SESSION_LIFETIME,
    change_password,
    login,
    logout,
)
from service.faces.dashboard.web import (
    PASSWORD_PAGE,
    SIGN_IN,
    error_page,
    go,
    page,
    require_dashboard,
    safe_next,
    same_token,
)
from service.ground.errors import ChartReadyError, InvalidInput, RateLimited, Unauthorized
from service.web.database import Conn
from service.web.guards import BEFORE_OWN_PASSWORD, CurrentStaff

LOGIN_CSRF_COOKIE = "cr_login_csrf"
Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class SignInForm(msgspec.Struct, frozen=True):
    """What the sign-in form posts."""

    organization: str = ""
    email: str = ""
    password: str = ""
    login_csrf: str = ""
    next: str = ""


class PasswordForm(msgspec.Struct, frozen=True):
    """What the password form posts."""

    current: str = ""
    new: str = ""
    repeat: str = ""


class SignOutForm(msgspec.Struct, frozen=True):
    """Sign out here, or on every device."""

    everywhere: str = ""


def _sign_in_page(
    request: Request[Any, Any, Any],
    *,
    form: SignInForm | None = None,
    error: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    token = secrets.token_urlsafe(24)
    template = page(
        "sign_in.html",
        None,
        {
            "form": form or SignInForm(next=request.query_params.get("next", "")),
            "login_csrf": token,
            "error": error,
            "signed_out": request.query_params.get("signed_out") == "1",
        },
        path=SIGN_IN,
        status=status,
    )
    template.cookies.append(
        Cookie(
            key=LOGIN_CSRF_COOKIE,
            value=token,
            httponly=True,
            samesite="strict",
            path=SIGN_IN,
            secure=request.url.scheme == "https",
            max_age=3600,
        )
    )
    template.headers.update(headers or {})
    return template


class DashboardSessionPages(Controller):
    """Sign in, sign out, change password."""

    path = "/dashboard"
    include_in_schema = False

    @get("/sign-in", operation_id="dashboardSignInPage")
    async def sign_in_page(self, request: Request[Any, Any, Any]) -> Template:
        """The sign-in form: organization, e-mail and password."""
        return _sign_in_page(request)

    @post("/sign-in", operation_id="dashboardSignIn", status_code=303)
    async def sign_in(
        self, request: Request[Any, Any, Any], state: State, data: Annotated[SignInForm, Form]
    ) -> Response[Any]:
        """Check the password (throttled, off the event loop) and open a session."""
        if not same_token(request.cookies.get(LOGIN_CSRF_COOKIE, ""), data.login_csrf or None):
            return _sign_in_page(
                request, form=data, status=403, error="This form has expired; please try again."
            )
        address = request.client.host if request.client else "unknown"
        try:
            session = await login(
                state.pool,
                state.passwords,
                organization_slug=data.organization.strip().lower(),
                email=data.email,
                password=data.password,
                address=address,
            )
        except RateLimited as limited:
            return _sign_in_page(
                request,
                form=data,
                status=429,
                error=limited.detail,
                headers={"Retry-After": str(limited.retry_after)},
            )
        except Unauthorized:
            return _sign_in_page(
                request,
                form=data,
                status=401,
                error="The organization, e-mail or password is not right.",
            )
        # a password an administrator set is changed before anything else
        first = session.user.password_change_required
        response = go(PASSWORD_PAGE if first else safe_next(data.next))
        response.cookies.append(
            Cookie(
                key=SESSION_COOKIE,
                value=session.token,
                httponly=True,
                samesite="strict",
                path="/",
                secure=request.url.scheme == "https",
                max_age=int(SESSION_LIFETIME.total_seconds()),
            )
        )
        response.cookies.append(Cookie(key=LOGIN_CSRF_COOKIE, value="", max_age=0, path=SIGN_IN))
        return response


class DashboardAccountPages(Controller):
    """The signed-in user's own session and password."""

    path = "/dashboard"
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @post("/sign-out", operation_id="dashboardSignOut", status_code=303, opt=BEFORE_OWN_PASSWORD)
    async def sign_out(
        self, request: Request[Any, Any, Any], conn: Conn, data: Annotated[SignOutForm, Form]
    ) -> Response[Any]:
        """End this session (or, ticked, every session of this user) and go to sign-in."""
        await logout(
            conn, request.cookies.get(SESSION_COOKIE, ""), everywhere=data.everywhere == "on"
        )
        response = go(f"{SIGN_IN}?signed_out=1")
        response.cookies.append(Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/"))
        return response

    @get("/password", operation_id="dashboardPasswordPage", opt=BEFORE_OWN_PASSWORD)
    async def password_page(self, staff: CurrentStaff) -> Template:
        """The password form."""
        return page("password.html", staff, {"error": None, "done": None}, path=PASSWORD_PAGE)

    @post("/password", operation_id="dashboardChangePassword", opt=BEFORE_OWN_PASSWORD)
    async def change(
        self,
        request: Request[Any, Any, Any],
        state: State,
        staff: CurrentStaff,
        data: Annotated[PasswordForm, Form],
    ) -> Template:
        """Check the current password, apply the policy to the new one, end other sessions."""
        error, done = None, None
        try:
            if data.new != data.repeat:
                raise InvalidInput("The two new passwords differ", field="repeat")
            ended = await change_password(
                state.pool,
                state.passwords,
                staff,
                current=data.current,
                new=data.new,
                keep_token=request.cookies.get(SESSION_COOKIE, ""),
            )
            done = (
                f"Password changed. {ended} other session(s) ended."
                if ended
                else "Password changed."
            )
        except (Unauthorized, InvalidInput) as refused:
            error = refused.detail
        except ValueError as weak:
            error = str(weak)
        return page(
            "password.html",
            staff,
            {"error": error, "done": done},
            path=PASSWORD_PAGE,
            status=422 if error else 200,
        )
