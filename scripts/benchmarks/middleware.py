"""Per-request CPU cost of the middleware stack, in-process and deterministic: a trivial
route called through Litestar bare, with Litestar's PrometheusMiddleware, and with
ChartReady's own stack (request id, lean metrics, security-header hook). No goal in an
issue; it documents why service/web/prometheus.py replaces the Litestar plugin."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from litestar import Litestar, post
from litestar.params import FromPath
from litestar.plugins.prometheus import PrometheusConfig

from service.web.middleware import add_response_headers, request_id_middleware
from service.web.prometheus import metrics_middleware


@post("/x/{token:str}", status_code=200, sync_to_thread=False)
def _handler(token: FromPath[str]) -> dict[str, bool]:
    return {"ok": True}


def _app(kind: str) -> Litestar:
    if kind == "litestar_prometheus":
        return Litestar(
            [_handler],
            middleware=[
                PrometheusConfig(
                    app_name=f"bench{time.perf_counter_ns()}", group_path=True
                ).middleware
            ],
        )
    if kind == "chartready":
        return Litestar(
            [_handler],
            middleware=[request_id_middleware, metrics_middleware],
            before_send=[add_response_headers],
        )
    return Litestar([_handler])


async def _per_call_us(app: Litestar, calls: int) -> float:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/x/abc",
        "raw_path": b"/x/abc",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"h"), (b"content-length", b"0")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        return None

    for _ in range(300):
        await app({**scope, "state": {}}, receive, send)  # type: ignore[arg-type]
    started = time.process_time()
    for _ in range(calls):
        await app({**scope, "state": {}}, receive, send)  # type: ignore[arg-type]
    return (time.process_time() - started) / calls * 1e6


def run(quick: bool) -> dict[str, Any]:
    """Median microseconds of CPU per request for each stack, over repeats."""
    calls, repeats = (5000, 3) if quick else (20000, 5)
    results: dict[str, list[float]] = {"bare": [], "litestar_prometheus": [], "chartready": []}
    for _ in range(repeats):
        for kind, samples in results.items():
            samples.append(asyncio.run(_per_call_us(_app(kind), calls)))
    medians = {f"{k}_us": round(statistics.median(v), 1) for k, v in results.items()}
    return {**medians, "ok": medians["chartready_us"] < medians["litestar_prometheus_us"]}
