"""Delivering events: one ``deliver_webhook`` job per delivery row (deferred by the row's
trigger in the transaction that recorded the event).

Webhooks and invitation callbacks are POSTed as JSON signed per Standard Webhooks; the
Greenhouse completion is an empty PATCH. Each attempt is logged (status code, duration,
error). Failures retry with exponential backoff for about 30 hours; redirects are not
followed (a 3xx is a failure), timeouts are short, and the request goes to the address the
URL policy checked (https and public addresses unless CHARTREADY_WEBHOOK_ALLOW_PRIVATE).
"""

from __future__ import annotations

import time
import uuid

import asyncpg
import httpx
import procrastinate

from service.jobs.engine import app
from service.jobs.retry import Backoff, PermanentJobError
from service.jobs.runtime import runtime_of
from service.tenancy.signing import signature_headers
from service.tenancy.target_urls import BlockedTarget, Target, resolve_target

DELIVERY_RETRY = Backoff(attempts=16, first=10, cap=6 * 3600)
"""10 s doubling to 6 h: the 15 waits add up to about 29.7 hours."""

USER_AGENT = "ChartReady-Webhooks/1"


class DeliveryFailed(Exception):
    """The receiver did not take the delivery (retried by the backoff policy)."""


class DeliveryBlocked(PermanentJobError):
    """The destination is not allowed (a private address): retrying cannot help."""


_LOAD = """
SELECT d.id, d.organization_id, d.kind, d.url, d.status, d.event_id, e.payload, e.created_at,
       w.secret, w.disabled_at,
       CASE WHEN w.previous_secret_until > now() THEN w.previous_secret END AS previous_secret,
       i.callback_secret
FROM webhook_deliveries d
JOIN integration_events e ON e.id = d.event_id
LEFT JOIN webhook_endpoints w ON w.id = d.endpoint_id
LEFT JOIN invitations i ON i.organization_id = d.organization_id AND i.id = d.invitation_id
WHERE d.id = $1
"""


async def send(
    target: Target,
    *,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    timeout_seconds: float,
) -> int:
    """One request to the checked address; the status code (redirects are not followed)."""
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    async with httpx.AsyncClient(
        timeout=timeout_seconds, follow_redirects=False, trust_env=False
    ) as client:
        response = await client.request(
            method,
            httpx.URL(target.url).copy_with(host=target.address, port=target.port),
            content=body,
            headers={**headers, "host": host_header, "user-agent": USER_AGENT},
            extensions=extensions,
        )
    return response.status_code


async def _record(
    pool: asyncpg.Pool,
    delivery_id: uuid.UUID,
    attempt: int,
    status_code: int | None,
    duration_ms: float,
    error: str | None,
    final: bool,
) -> None:
    status = "succeeded" if error is None else ("failed" if final else "pending")
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            """INSERT INTO webhook_delivery_attempts (delivery_id, attempt, status_code,
                                                      duration_ms, error)
               VALUES ($1, $2, $3, $4, $5)""",
            delivery_id,
            attempt,
            status_code,
            duration_ms,
            error,
        )
        await conn.execute(
            """UPDATE webhook_deliveries SET attempts = $2, last_status_code = $3, status = $4,
                   finished_at = CASE WHEN $4 = 'pending' THEN NULL ELSE now() END
               WHERE id = $1""",
            delivery_id,
            attempt,
            status_code,
            status,
        )


@app.task(name="deliver_webhook", queue="webhooks", pass_context=True, retry=DELIVERY_RETRY)
async def deliver_webhook(context: procrastinate.JobContext, *, delivery: str) -> int | None:
    """Send one delivery; returns the receiver's status code (None when already done)."""
    runtime = runtime_of(context)
    settings = runtime.settings
    delivery_id = uuid.UUID(delivery)
    row = await runtime.pool.fetchrow(_LOAD, delivery_id)
    if row is None or row["status"] != "pending":
        return None  # the endpoint was deleted, or a rerun after success
    if row["disabled_at"] is not None:
        return None  # the endpoint is disabled: the delivery stays pending, unsent
    attempt = context.job.attempts + 1 if context.job else 1
    final = attempt >= DELIVERY_RETRY.attempts
    if row["kind"] == "greenhouse":
        method, body, headers = "PATCH", None, {}
    else:
        secrets = [
            s for s in (row["secret"] or row["callback_secret"], row["previous_secret"]) if s
        ]
        body = row["payload"].encode()
        headers = {
            "content-type": "application/json",
            **signature_headers(secrets, row["event_id"], row["created_at"], row["payload"]),
        }
        method = "POST"
    started = time.perf_counter()
    status_code: int | None = None
    error: str | None = None
    blocked = False
    try:
        target = await resolve_target(row["url"], allow_private=settings.webhook_allow_private)
        status_code = await send(
            target,
            method=method,
            body=body,
            headers=headers,
            timeout_seconds=settings.webhook_timeout_seconds,
        )
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}" + (
                " (redirects are not followed)" if 300 <= status_code < 400 else ""
            )
    except BlockedTarget as exc:
        error, blocked = f"blocked: {exc}", True
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: no response"
    duration_ms = (time.perf_counter() - started) * 1000
    await _record(
        runtime.pool, delivery_id, attempt, status_code, duration_ms, error, final or blocked
    )
    if blocked:
        raise DeliveryBlocked(error or "blocked")
    if error is not None:
        raise DeliveryFailed(error)
    return status_code
