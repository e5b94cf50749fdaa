"""Idempotency-Key on every POST of the HR API and the Greenhouse endpoints.

The first request with a key (per API key) runs and its response (status, body, Location)
is stored; a retry with the same key and the same request replays that response, marked
``Idempotent-Replayed: true``; the same key with a different request is a 422; a retry while
the first is still running is a 409. Keys expire 24 hours after first use (checked on use,
and removed by the periodic upkeep job). Responses that say "try again" (401, 403, 429 and
5xx) are not stored, so the retry really runs.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.enums import ScopeType

from service.auth.api_keys import digest, secret_from_header
from service.ground.db import acquire
from service.ground.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

HEADER = b"idempotency-key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
LIFETIME = "24 hours"
PREFIXES = ("/api/v1/", "/integrations/")
_NOT_STORED = {401, 403, 429}
_KEPT_HEADERS = {b"content-type", b"location"}


def request_fingerprint(method: str, path: str, query: bytes, body: bytes) -> bytes:
    """SHA-256 of the request: method, path, query and the body (JSON compared by value)."""
    try:
        canonical = msgspec.json.encode(msgspec.json.decode(body), order="sorted")
    except msgspec.DecodeError:
        canonical = body
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), query, canonical])).digest()


async def _read_body(receive: Receive) -> tuple[bytes, list[ReceiveMessage]]:
    messages: list[ReceiveMessage] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


def _replaying(messages: list[ReceiveMessage], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> ReceiveMessage:
        return pending.pop(0) if pending else await receive()

    return replay


_RESERVE = f"""
INSERT INTO idempotency_keys (api_key_id, key, request_sha256, expires_at)
VALUES ($1, $2, $3, now() + interval '{LIFETIME}')
ON CONFLICT (api_key_id, key) DO NOTHING RETURNING true
"""  # noqa: S608 - LIFETIME is a constant


def idempotency_middleware(app: ASGIApp) -> ASGIApp:
    """Replay stored responses for repeated Idempotency-Keys on POST."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != ScopeType.HTTP
            or scope.get("method") != "POST"
            or not scope["path"].startswith(PREFIXES)
        ):
            await app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await app(scope, receive, send)
            return
        key = raw_key.decode("latin-1")
        if not KEY_PATTERN.match(key):
            raise InvalidInput(
                "Idempotency-Key must be 1-255 visible ASCII characters",
                field="header.Idempotency-Key",
            )
        secret = secret_from_header(headers.get(b"authorization", b"").decode("latin-1"))
        pool = scope["app"].state.pool
        key_id = None
        if secret is not None:
            async with acquire(pool) as conn:
                key_id = await conn.fetchval(
                    "SELECT id FROM api_keys WHERE secret_sha256 = $1 AND revoked_at IS NULL",
                    digest(secret),
                )
        body, messages = await _read_body(receive)
        if key_id is None:  # the guard answers 401
            await app(scope, _replaying(messages, receive), send)
            return
        fingerprint = request_fingerprint(
            "POST", scope["path"], scope.get("query_string", b""), body
        )
        async with acquire(pool) as conn:
            stored = await _reserve(conn, key_id, key, fingerprint)
        if stored is not None:
            await _replay(stored, send)
            return
        await _run_and_store(app, scope, _replaying(messages, receive), send, pool, key_id, key)

    return middleware


async def _reserve(conn: Any, key_id: Any, key: str, fingerprint: bytes) -> Any:
    """None when this request holds the key now; else the stored row to replay."""
    for _ in range(2):
        if await conn.fetchval(_RESERVE, key_id, key, fingerprint):
            return None
        row = await conn.fetchrow(
            """SELECT request_sha256, status_code, headers, body, expires_at <= now() AS expired
               FROM idempotency_keys WHERE api_key_id = $1 AND key = $2""",
            key_id,
            key,
        )
        if row is None:
            continue
        if row["expired"]:
            await conn.execute(
                "DELETE FROM idempotency_keys WHERE api_key_id = $1 AND key = $2 "
                "AND expires_at <= now()",
                key_id,
                key,
            )
            continue
        if bytes(row["request_sha256"]) != fingerprint:
            raise InvalidInput(
                "This Idempotency-Key was used with a different request; use a "
                "new key for a new request",
                field="header.Idempotency-Key",
            )
        if row["status_code"] is None:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed; retry shortly",
                field="header.Idempotency-Key",
            )
        return row
    raise Conflict("This Idempotency-Key is busy; retry shortly", field="header.Idempotency-Key")


async def _replay(row: Any, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (row["headers"] or [])]
    headers.append((b"idempotent-replayed", b"true"))
    start: Message = {
        "type": "http.response.start",
        "status": row["status_code"],
        "headers": headers,
    }
    await send(start)
    body: Message = {
        "type": "http.response.body",
        "body": bytes(row["body"] or b""),
        "more_body": False,
    }
    await send(body)


async def _run_and_store(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, pool: Any, key_id: Any, key: str
) -> None:
    status = 500
    kept: list[tuple[str, str]] = []
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            kept.extend(
                (k.decode("latin-1"), v.decode("latin-1"))
                for k, v in message.get("headers", [])
                if k.lower() in _KEPT_HEADERS
            )
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
        await send(message)

    try:
        await app(scope, receive, capture)
    finally:
        async with acquire(pool) as conn:
            if status >= 500 or status in _NOT_STORED:
                await conn.execute(
                    "DELETE FROM idempotency_keys WHERE api_key_id = $1 AND key = $2", key_id, key
                )
            else:
                await conn.execute(
                    """UPDATE idempotency_keys SET status_code = $3, headers = $4, body = $5
                       WHERE api_key_id = $1 AND key = $2""",
                    key_id,
                    key,
                    status,
                    kept,
                    b"".join(chunks),
                )
