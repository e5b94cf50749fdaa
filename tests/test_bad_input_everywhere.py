"""Every endpoint that takes input answers bad input with a 4xx problem, never a 500.

Endpoints are discovered from the OpenAPI document, and the candidate pages' HTML form
posts (not in the document) from the app's routes, so new ones are covered automatically.
Callers are authenticated (API key, staff session with CSRF) so the payloads reach
validation rather than stopping at the door.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from service.assessments.content import load_content
from service.delivery.catalog import catalog_of
from tests.delivery.conftest import add_candidate, attempt_row, begin, invite
from tests.results.factories import staff_headers

NASTY_BODIES: list[tuple[str, bytes]] = [
    ("malformed", b'{"given_name": "x",'),
    ("not an object", b"[1, 2, 3]"),
    (
        "wrong types",
        json.dumps(
            {
                "given_name": 1,
                "email": [],
                "levels": "x",
                "answer": {"a": 1},
                "seq": "one",
                "reason": 5,
                "attempt_id": 7,
            }
        ).encode(),
    ),
    (
        "nul bytes",
        json.dumps(
            {
                "given_name": "a\u0000b",
                "family_name": "\u0000",
                "email": "a\u0000@b.co",
                "reason": "\u0000",
                "notes": "\u0000",
                "item_id": "\u0000",
                "answer": "\u0000",
            }
        ).encode(),
    ),
    (
        "huge ints",
        json.dumps(
            {
                "limit": 10**30,
                "seq": 10**30,
                "levels": {"content": 10**30},
                "client_seq": -(10**30),
                "time_multiplier": 10**30,
            }
        ).encode(),
    ),
    ("deep nesting", b"[" * 5000 + b"]" * 5000),
    ("ten megabytes", b'{"x": "' + b"a" * (10 * 1024 * 1024) + b'"}'),
]


async def _endpoints(client: AsyncTestClient) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    doc = (await client.get("/schema/openapi.json")).json()
    out = []
    for path, ops in doc["paths"].items():
        for method in ("post", "put", "patch", "delete"):
            if method in ops:
                out.append((method.upper(), re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)))
    return out


def _assert_4xx_problem(r: Any, what: str) -> None:
    assert 400 <= r.status_code < 500, f"{what}: {r.status_code} {r.text[:300]}"
    if r.headers.get("content-type", "").startswith("application/"):
        assert r.headers["content-type"].startswith("application/problem+json"), what


async def test_nasty_bodies_get_4xx_problems(
    client: AsyncTestClient,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
    org_id: uuid.UUID,
    api_key: str,
) -> None:
    endpoints = await _endpoints(client)
    assert len(endpoints) >= 4
    headers = {
        **await staff_headers(client, pool, org_id, "admin", "admin@example.org"),
        "Authorization": f"Bearer {api_key}",
        "content-type": "application/json",
    }
    before = await pool.fetchval("SELECT count(*) FROM candidates")
    for method, path in endpoints:
        if path == "/staff/session":
            continue  # signing out would end the session the other calls rely on
        for name, body in NASTY_BODIES:
            r = await client.request(method, path, content=body, headers=headers)
            _assert_4xx_problem(r, f"{method} {path} with {name}")
    assert await pool.fetchval("SELECT count(*) FROM candidates") == before


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.mark.parametrize("path", ["/api/v1/candidates", "/staff/ratings"])
async def test_random_json_never_500(
    client: AsyncTestClient,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
    org_id: uuid.UUID,
    api_key: str,
    path: str,
) -> None:
    headers = {
        **await staff_headers(client, pool, org_id, "admin", "admin@example.org"),
        "Authorization": f"Bearer {api_key}",
    }
    bodies: list[dict[str, Any]] = []

    # hypothesis drives a sync function: it generates the bodies, the event loop sends them
    @settings(
        max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(
        body=st.dictionaries(
            st.sampled_from(
                [
                    "given_name",
                    "family_name",
                    "email",
                    "external_id",
                    "attempt_id",
                    "item_id",
                    "levels",
                    "notes",
                ]
            ),
            json_values,
            max_size=6,
        )
    )
    def collect(body: dict[str, Any]) -> None:
        bodies.append(body)

    collect()
    seen: list[int] = []
    for body in bodies:
        r = await client.post(path, json=body, headers=headers)
        seen.append(r.status_code)
        assert r.status_code < 500, (body, r.text[:300])
    assert any(400 <= s < 500 for s in seen)


NASTY_FORMS: list[tuple[str, bytes, str]] = [
    ("nul byte", b"agree=ye\x00s&confirm=\x00", "application/x-www-form-urlencoded"),
    ("bad percent-encoding", b"agree=%ff%fe%&confirm=%zz", "application/x-www-form-urlencoded"),
    (
        "broken multipart",
        b"--b\r\nContent-Disposition: form-data\r\n\r\nx",
        "multipart/form-data; boundary=b",
    ),
    ("json to a form", b'{"agree": [1, {"x": null}]}', "application/json"),
    ("ten megabytes", b"agree=" + b"a" * (10 * 1024 * 1024), "application/x-www-form-urlencoded"),
]


def _candidate_form_posts(client: AsyncTestClient, values: dict[str, str]) -> list[str]:  # type: ignore[type-arg]
    """Every POST route of the candidate pages (HTML forms, not in the OpenAPI document),
    with its path parameters filled in from ``values``."""
    paths = []
    for route in client.app.routes:
        if route.path.startswith("/take/") and "POST" in getattr(route, "methods", ()):
            paths.append(re.sub(r"\{(\w+):\w+\}", lambda m: values[m.group(1)], route.path))
    return paths


async def test_candidate_form_posts_refuse_bad_bodies(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    catalog = catalog_of(load_content())
    fresh = await invite(pool, org_id, await add_candidate(pool, org_id), catalog)
    started = await invite(pool, org_id, await add_candidate(pool, org_id), catalog)
    await begin(client, started)
    section = catalog.section_plans[(await attempt_row(pool, started))["form_id"]][0].section.id
    stored = (
        "SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM attempts), "
        "(SELECT count(*) FROM invitations WHERE consented_at IS NOT NULL)"
    )
    before = tuple(await pool.fetchrow(stored))
    checked = 0
    for token in (fresh, started):
        values = {"token": token, "assessment_id": "coding", "section_id": section}
        for path in _candidate_form_posts(client, values):
            for name, body, content_type in NASTY_FORMS:
                r = await client.post(
                    path,
                    content=body,
                    follow_redirects=False,
                    headers={"content-type": content_type},
                )
                assert r.status_code < 500, f"POST {path} with {name}: {r.text[:300]}"
                checked += 1
    assert checked >= 2 * 8 * len(NASTY_FORMS)  # consent, start, begin, finish, submit, ...
    assert tuple(await pool.fetchrow(stored)) == before
