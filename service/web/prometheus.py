"""Prometheus metrics at /metrics: request count and duration per route template, and the
job queue's depth and failures per task.

A pure-ASGI middleware with label children cached per (method, route), instead of
Litestar's PrometheusMiddleware, which builds a Request and URL and resolves five label
sets on every call: measured in-process on the autosave path it cost ~100 µs a request,
a third of the handler's whole CPU time. Metrics are per worker process.
"""

from __future__ import annotations

import hmac
import time
from typing import TYPE_CHECKING, Any

import asyncpg
from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, NotFoundException
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from service.ground.db import acquire
from service.jobs.inspect import counts_by_task

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter(
    "chartready_requests_total", "HTTP requests answered", ["method", "path", "status_code"]
)
DURATION = Histogram(
    "chartready_request_duration_seconds", "Time to answer an HTTP request", ["method", "path"]
)
_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
_UNTRACKED = frozenset({"/metrics", "/health"})


def _series(method: str, path: str, status: int) -> tuple[Any, Any]:
    key = (method, path, status)
    found = _children.get(key)
    if found is None:
        found = (REQUESTS.labels(method, path, str(status)), DURATION.labels(method, path))
        _children[key] = found
    return found


def metrics_middleware(app: ASGIApp) -> ASGIApp:
    """Count and time every routed HTTP request by its route template (not its raw path,
    which would leak tokens into labels and explode cardinality)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path_template") or "unmatched"
        if scope["type"] != ScopeType.HTTP or path in _UNTRACKED:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, recording_send)
        finally:
            count, duration = _series(scope["method"], path, status)
            count.inc()
            duration.observe(time.perf_counter() - started)

    return middleware


JOBS = Gauge(
    "chartready_jobs",
    "Background jobs waiting (todo), running (doing) and failed, "
    "per task (the whole queue, shared by every worker)",
    ["task", "status"],
)


async def _refresh_job_counts(pool: asyncpg.Pool) -> None:
    async with acquire(pool) as conn:
        counts = await counts_by_task(conn)
    JOBS.clear()
    for c in counts:
        JOBS.labels(c.task, c.status).set(c.count)


@get("/metrics", include_in_schema=False)
async def metrics(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    """Prometheus text exposition of this worker's metrics and the job queue's depth, for
    the holder of CHARTREADY_METRICS_TOKEN only (route names, traffic and error rates help
    an attacker); without a configured token the endpoint does not exist."""
    token: str | None = state.settings.metrics_token
    if token is None:
        raise NotFoundException("Not found")
    presented = request.headers.get("authorization", "")
    if not hmac.compare_digest(presented.encode(), f"Bearer {token}".encode()):
        raise NotAuthorizedException(
            "Send the metrics token as `Authorization: Bearer <token>`",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    await _refresh_job_counts(state.pool)
    return Response(
        generate_latest(REGISTRY),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )
