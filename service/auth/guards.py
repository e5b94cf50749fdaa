"""Guards: an API key is required on the HR API; each handler names the scope it needs
in ``opt={"scope": ...}``."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler

from service.auth.api_keys import Principal, authenticate, secret_from_header
from service.errors import Forbidden, Unauthorized


async def require_api_key(connection: ASGIConnection[Any, Any, Any, Any],
                          handler: BaseRouteHandler) -> None:
    """Authenticate the caller's key, check the handler's scope, remember the principal."""
    secret = secret_from_header(connection.headers.get("authorization"))
    if secret is None:
        raise Unauthorized("Send an API key as `Authorization: Bearer <key>`")
    async with connection.app.state.pool.acquire() as conn:
        principal = await authenticate(conn, secret)
    if principal is None:
        raise Unauthorized("The API key is unknown or revoked")
    needed = handler.opt.get("scope")
    if needed and needed not in principal.scopes:
        raise Forbidden(f"This API key lacks the `{needed}` scope")
    connection.scope["state"]["principal"] = principal


CurrentPrincipal = NamedDependency[Principal]
"""Annotate a handler parameter named ``principal`` with this to get the caller."""


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """Dependency ``principal``: the caller authenticated by ``require_api_key``."""
    principal: Principal = request.scope["state"]["principal"]
    return principal
