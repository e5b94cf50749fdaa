"""Probes, headers, metrics and the OpenAPI document."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient


async def test_health_and_ready(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    assert (await client.get("/health")).json() == {"status": "ok", "pending_migrations": []}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_security_headers_and_request_id(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    r = await client.get("/health", headers={"X-Request-ID": "abcdef123456"})
    assert r.headers["x-request-id"] == "abcdef123456"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    # an unsafe caller-supplied id is replaced, not echoed into logs
    r = await client.get("/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert r.headers["x-request-id"] != "bad id\nwith newline"
    assert len(r.headers["x-request-id"]) == 16


async def test_unknown_route_is_problem_with_headers(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    r = await client.get("/no/such/page")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["x-content-type-options"] == "nosniff"


async def test_metrics_count_requests(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await client.get("/ready")
    text = (await client.get("/metrics")).text
    pattern = r'requests_total\{[^}]*app_name="chartready"[^}]*path="/ready"'
    assert re.search(pattern, text), text[-600:]
    assert 'path="/ready"' in text


async def test_openapi_is_3_1_and_documents_operations(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    doc = (await client.get("/schema/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    ops = {op["operationId"] for path in doc["paths"].values() for op in path.values()
           if isinstance(op, dict) and "operationId" in op}
    assert {"health", "ready", "createCandidate", "getCandidate", "listCandidates"} <= ops
    page = await client.get("/schema")
    assert page.status_code == 200
    assert "<html" in page.text.lower()
