"""Probes, headers, metrics and the OpenAPI document."""

from __future__ import annotations

import hashlib
import re

import pytest
from litestar.testing import AsyncTestClient

from service.ground.settings import Settings
from service.web.api_docs import ASSET_DIGESTS, _verified
from tests.conftest import make_settings


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


METRICS_TOKEN = "metrics-token-for-tests-0123"
SCRAPE = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture
def settings(db_url: str) -> Settings:
    """The tests' settings with a metrics token, so /metrics can be read."""
    return make_settings(database_url=db_url, metrics_token=METRICS_TOKEN)


async def test_metrics_count_requests(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await client.get("/ready")
    text = (await client.get("/metrics", headers=SCRAPE)).text
    pattern = r'chartready_requests_total\{method="GET",path="/ready",status_code="200"\} (\d+)'
    before = re.search(pattern, text)
    assert before, text[-600:]
    await client.get("/ready")
    after = re.search(pattern, (await client.get("/metrics", headers=SCRAPE)).text)
    assert after
    assert int(float(after.group(1))) == int(float(before.group(1))) + 1
    assert (
        'chartready_request_duration_seconds_bucket{le="0.005",method="GET",path="/ready"}' in text
    )
    # labels use route templates, so an invitation token never reaches the metrics
    await client.get("/take/AbCdEfGhIjKlMnOpQrStUvWxYz012345/coding")
    text = (await client.get("/metrics", headers=SCRAPE)).text
    assert "AbCdEfGhIj" not in text
    assert 'path="/take/{token}/{assessment_id}"' in text


async def test_openapi_is_3_1_and_documents_operations(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    doc = (await client.get("/schema/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    ops = {
        op["operationId"]
        for path in doc["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {"health", "ready", "createCandidate", "getCandidate", "listCandidates"} <= ops
    page = await client.get("/schema")
    assert page.status_code == 200
    assert "<html" in page.text.lower()


async def test_api_reference_needs_nothing_from_another_origin(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    page = await client.get("/schema")
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert sorted(a.rsplit("/", 1)[1] for a in assets) == sorted(ASSET_DIGESTS)
    for url in assets:
        assert url.startswith("/schema-assets/"), url
        served = await client.get(url)
        assert served.status_code == 200, url
        name = url.rsplit("/", 1)[1]
        assert hashlib.sha256(served.content).hexdigest() == ASSET_DIGESTS[name][1]
        assert served.headers["content-type"].startswith(ASSET_DIGESTS[name][0])
        assert "max-age=86400" in served.headers["cache-control"]
    csp = page.headers["content-security-policy"]
    assert "https:" not in csp and "http:" not in csp
    assert "script-src 'self' 'unsafe-inline'" in csp
    # only the pinned files: nothing else of the package, no way out of its folder
    for other in (
        "index.html",
        "oauth2-redirect.html",
        "swagger-initializer.js",
        "..%2F..%2F__init__.py",
    ):
        assert (await client.get(f"/schema-assets/{other}")).status_code == 404, other


async def test_api_reference_refuses_a_file_that_fails_its_digest(
    client: AsyncTestClient,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[type-arg]
) -> None:
    _verified.cache_clear()
    monkeypatch.setitem(ASSET_DIGESTS, "swagger-ui.css", ("text/css", "0" * 64))
    try:
        assert (await client.get("/schema-assets/swagger-ui.css")).status_code == 503
    finally:
        _verified.cache_clear()


async def test_openapi_documents_how_each_operation_authenticates(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    doc = (await client.get("/schema/openapi.json")).json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["hrApiKey"]["scheme"] == "bearer"
    assert schemes["staffSession"]["in"] == "cookie"
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            assert op.get("summary"), f"{method} {path} has no summary"
            security = op.get("security") or []
            if path.startswith(("/api/v1/", "/integrations/greenhouse/")):
                assert security == [{"hrApiKey": []}], f"{method} {path}"
            elif path.startswith("/staff/") and op["operationId"] != "staffSignIn":
                assert security == [{"staffSession": []}], f"{method} {path}"
            else:
                assert security == [], f"{method} {path}"
