"""Request ids and security headers.

The request id is adopted by a pure-ASGI middleware (it must be set before handlers run, so
logs and problem details can quote it); the headers are added by a ``before_send`` hook,
which Litestar applies to every response, including router-level 404s and errors raised
outside route middleware.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.enums import ScopeType

from service.ground.request_context import adopt_request_id, current_request_id

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# The API reference (service.web.api_docs) serves Swagger UI from this origin; only its inline
# initialiser (which embeds our schema) needs 'unsafe-inline'.
_DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
)


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Adopt the caller's X-Request-ID (or mint one) before the handler runs."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            incoming = dict(scope["headers"]).get(b"x-request-id")
            adopt_request_id(incoming.decode("latin-1") if incoming else None)
        await app(scope, receive, send)

    return middleware


async def add_response_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: X-Request-ID and the security headers on every response, and
    any headers a guard left in ``scope["state"]["response_headers"]`` (rate limits)."""
    if message["type"] != "http.response.start":
        return
    rid = current_request_id() or adopt_request_id(None)
    headers = list(message.get("headers", []))
    present = {k.lower() for k, _ in headers}
    for name, value in scope.get("state", {}).get("response_headers", {}).items():
        if name.lower().encode() not in present:
            headers.append((name.lower().encode(), value.encode()))  # ASGI: lower case
    if b"x-request-id" not in present:
        headers.append((b"x-request-id", rid.encode()))
    headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
    if b"content-security-policy" not in present:
        path = scope.get("path", "")
        csp = _DOCS_CSP if path == "/schema" or path.startswith("/schema/") else _CSP
        headers.append((b"content-security-policy", csp.encode()))
    message["headers"] = headers
