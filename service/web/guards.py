"""Guards: an API key on the HR API (handlers name a scope in ``opt={"scope": ...}``);
a staff session on staff endpoints (handlers name a minimum role in ``opt={"role": ...}``)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import SecurityRequirement

from service.auth.api_keys import Principal, authenticate, secret_from_header
from service.auth.rate_limit import enforce_rate_limit, rate_limit_headers
from service.auth.roles import ROLES
from service.auth.staff import SESSION_COOKIE, StaffUser, csrf_matches, session_user
from service.ground.db import acquire
from service.ground.errors import Forbidden, PasswordChangeRequired, Unauthorized

NO_STORE = {"Cache-Control": "no-store"}
"""Responses of authenticated APIs carry personal data: no cache may keep them."""


async def require_api_key(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Authenticate the caller's key, count it against the key's rate limit, check the
    handler's scope, remember the principal (and the rate-limit headers for the response)."""
    secret = secret_from_header(connection.headers.get("authorization"))
    if secret is None:
        raise Unauthorized("Send an API key as `Authorization: Bearer <key>`")
    async with acquire(connection.app.state.pool) as conn:
        use = await authenticate(conn, secret)
    if use is None:
        raise Unauthorized("The API key is unknown or revoked")
    limit = connection.app.state.settings.api_rate_limit
    # Every response says where the key stands, the 429 included; none may be cached.
    connection.scope["state"]["response_headers"] = {**rate_limit_headers(limit, use), **NO_STORE}
    enforce_rate_limit(limit, use)
    principal = use.principal
    needed = handler.opt.get("scope")
    if needed and needed not in principal.scopes:
        raise Forbidden(f"This API key lacks the `{needed}` scope")
    connection.scope["state"]["principal"] = principal


HR_API_SECURITY: list[SecurityRequirement] = [{"hrApiKey": []}]
"""OpenAPI security requirement of handlers guarded by ``require_api_key``."""

CurrentPrincipal = NamedDependency[Principal]
"""Annotate a handler parameter named ``principal`` with this to get the caller."""


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """Dependency ``principal``: the caller authenticated by ``require_api_key``."""
    principal: Principal = request.scope["state"]["principal"]
    return principal


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}

BEFORE_OWN_PASSWORD = {"role": "viewer", "before_own_password": True}
"""Handler ``opt`` of what a user whose password an administrator set may still reach:
seeing who they are, signing out and changing the password."""


async def session_staff(connection: ASGIConnection[Any, Any, Any, Any]) -> StaffUser:
    """The user of the request's live staff session; Unauthorized without one."""
    token = connection.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized("Sign in first")
    async with acquire(connection.app.state.pool) as conn:
        user = await session_user(conn, token)
    if user is None:
        raise Unauthorized("Your session has ended; sign in again")
    return user


def has_role(user: StaffUser, needed: str) -> bool:
    """Whether ``user``'s role is ``needed`` or above (viewer < rater < coordinator < admin)."""
    return _ROLE_RANK[user.role] >= _ROLE_RANK[needed]


def is_unsafe(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """Whether the request may change something (so it must prove it is not forged)."""
    return connection.scope.get("method", "GET") not in _SAFE_METHODS


def admit_staff(
    connection: ASGIConnection[Any, Any, Any, Any], user: StaffUser, handler: BaseRouteHandler
) -> None:
    """Check the handler's ``opt["role"]`` and remember the user for the ``staff``
    dependency; staff responses are never cached."""
    needed = handler.opt.get("role", "viewer")
    if user.password_change_required and not handler.opt.get("before_own_password"):
        raise PasswordChangeRequired(
            "An administrator set your password: choose your own first (dashboard, Password)"
        )
    if not has_role(user, needed):
        raise Forbidden(f"This needs the {needed} role")
    connection.scope["state"]["staff"] = user
    connection.scope["state"]["response_headers"] = NO_STORE


async def require_staff(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """A live staff session with at least the handler's ``opt["role"]``; CSRF on writes."""
    user = await session_staff(connection)
    if is_unsafe(connection) and not csrf_matches(user, connection.headers.get("x-csrf-token")):
        raise Forbidden("Missing or wrong X-CSRF-Token header")
    admit_staff(connection, user, handler)


STAFF_SECURITY: list[SecurityRequirement] = [{"staffSession": []}]
"""OpenAPI security requirement of handlers guarded by ``require_staff``."""

CurrentStaff = NamedDependency[StaffUser]
"""Annotate a handler parameter named ``staff`` with this to get the signed-in user."""


def provide_staff(request: Request[Any, Any, Any]) -> StaffUser:
    """Dependency ``staff``: the user authenticated by ``require_staff``."""
    user: StaffUser = request.scope["state"]["staff"]
    return user
