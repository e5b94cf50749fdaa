"""The OpenAPI document tells the truth: every HR API and Greenhouse operation is called
(successes and the errors it documents), and each real response's status, media type and
body must match what the document says for that operation."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

import asyncpg
import jsonschema
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from tests.conftest import make_settings
from tests.faces.hr_api.helpers import (
    key_with,
    new_invitation,
    scored_results,
    take,
    token_of,
)

HR_PREFIXES = ("/api/v1/", "/integrations/")


class Conformance:
    """Calls operations by operationId and checks each response against the document."""

    def __init__(self, client: AsyncTestClient, doc: dict[str, Any]) -> None:  # type: ignore[type-arg]
        self.client, self.doc = client, doc
        self.operations: dict[str, tuple[str, str, dict[str, Any]]] = {}
        for path, item in doc["paths"].items():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    self.operations[op["operationId"]] = (method.upper(), path, op)
        self.seen: dict[str, set[int]] = {}

    async def call(
        self, operation_id: str, *, path: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        method, template, op = self.operations[operation_id]
        url = template.format(**(path or {}))
        r = await self.client.request(method, url, **kwargs)
        self.check(operation_id, op, r)
        self.seen.setdefault(operation_id, set()).add(r.status_code)
        return r

    def check(self, operation_id: str, op: dict[str, Any], r: Any) -> None:
        status = str(r.status_code)
        assert status in op["responses"], (operation_id, status, r.text[:300])
        documented = op["responses"][status]
        content = documented.get("content")
        if not content:
            assert not r.content, (operation_id, status)
            return
        media = r.headers["content-type"].split(";")[0]
        assert media in content, (operation_id, status, media, list(content))
        schema = content[media].get("schema")
        if media == "application/pdf" or schema is None:
            return
        jsonschema.Draft202012Validator({**schema, "components": self.doc["components"]}).validate(
            r.json()
        )


@pytest.fixture
async def app_client(db_url: str) -> Any:
    app = create_app(make_settings(database_url=db_url, webhook_allow_private=True, pdf_workers=1))
    async with AsyncTestClient(app=app) as c:
        yield c


async def test_every_operation_answers_as_documented(
    app_client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
    auth: dict[str, str],
    db_url: str,
) -> None:
    client = app_client
    doc = (await client.get("/schema/openapi.json")).json()
    c = Conformance(client, doc)
    nobody = {"Authorization": "Bearer crk_unknown"}
    weak = await key_with(pool, org_id, "candidates:read")
    gh = {
        "Authorization": "Basic "
        + base64.b64encode((auth["Authorization"].removeprefix("Bearer ") + ":").encode()).decode()
    }
    missing = str(uuid.uuid4())

    await c.call("listAssessments", headers=auth)
    await c.call("listAssessments", headers=nobody)
    await c.call("listAssessments", headers=weak)
    body = {
        "given_name": "Ann",
        "family_name": "Lee",
        "email": "ann@example.org",
        "external_id": "ext-1",
    }
    created = (await c.call("createCandidate", json=body, headers=auth)).json()
    await c.call("createCandidate", json=body, headers=auth)  # 409 naming the existing one
    await c.call("createCandidate", json={**body, "extra": 1}, headers=auth)  # 400
    await c.call("listCandidates", headers=auth, params={"external_id": "ext-1"})
    await c.call("listCandidates", headers=auth, params={"cursor": "@@"})  # 422
    await c.call("getCandidate", path={"candidate_id": created["id"]}, headers=auth)
    await c.call("getCandidate", path={"candidate_id": missing}, headers=auth)
    await c.call("getCandidateProfilePdf", path={"candidate_id": created["id"]}, headers=auth)

    issued = (
        await c.call(
            "createInvitation",
            headers=auth,
            json={"candidate_id": created["id"], "assessments": ["coding"]},
        )
    ).json()
    await c.call(
        "createInvitation",
        headers=auth,
        json={"candidate_id": created["id"], "assessments": ["nothing"]},
    )  # 422
    await c.call(
        "createInvitation", headers=auth, json={"candidate_id": missing, "assessments": ["coding"]}
    )  # 404
    await c.call("listInvitations", headers=auth, params={"status": "sent"})
    await c.call("getInvitation", path={"invitation_id": issued["id"]}, headers=auth)
    reissued = (
        await c.call(
            "reissueInvitation", path={"invitation_id": issued["id"]}, headers=auth, json={}
        )
    ).json()
    await take(client, token_of(reissued))
    await c.call(
        "reissueInvitation", path={"invitation_id": issued["id"]}, headers=auth, json={}
    )  # 409: completed
    other = await new_invitation(client, auth, created["id"])
    await c.call("revokeInvitation", path={"invitation_id": other["id"]}, headers=auth)
    await c.call("revokeInvitation", path={"invitation_id": missing}, headers=auth)
    await c.call("getCandidateProfilePdf", path={"candidate_id": created["id"]}, headers=auth)

    page = (await c.call("listResults", headers=auth, params={"limit": 1})).json()
    result_id = page["items"][0]["id"]
    await c.call("listResults", headers=auth, params={"limit": 0})  # 400
    await c.call("getResult", path={"result_id": result_id}, headers=auth)
    await c.call("getResult", path={"result_id": missing}, headers=auth)
    await c.call("listResultVersions", path={"result_id": result_id}, headers=auth)
    await c.call("getResultVersion", path={"result_id": result_id, "version": 1}, headers=auth)
    await c.call("getResultVersion", path={"result_id": result_id, "version": 9}, headers=auth)
    await c.call("listCandidateResults", path={"candidate_id": created["id"]}, headers=auth)
    await c.call(
        "recordOutcome",
        headers=auth,
        json={
            "candidate_id": created["id"],
            "hired": True,
            "observed_on": dt.datetime.now(dt.UTC).date().isoformat(),
            "retained_90_days": True,
            "supervisor_rating": 4,
        },
    )
    await c.call(
        "recordOutcome",
        headers=auth,
        json={
            "candidate_id": created["id"],
            "hired": False,
            "observed_on": "2024-01-01",
            "supervisor_rating": 3,
        },
    )  # 422

    hook = (
        await c.call(
            "createWebhook",
            headers=auth,
            json={"url": "http://127.0.0.1:9/hook", "events": ["result.created"]},
        )
    ).json()
    await c.call("listWebhooks", headers=auth)
    await c.call("getWebhook", path={"webhook_id": hook["id"]}, headers=auth)
    await c.call("rotateWebhookSecret", path={"webhook_id": hook["id"]}, headers=auth)
    await scored_results(pool, org_id, 1)  # an event for the hook
    deliveries = (
        await c.call("listWebhookDeliveries", path={"webhook_id": hook["id"]}, headers=auth)
    ).json()
    await c.call(
        "redeliverWebhook",
        headers=auth,
        path={"webhook_id": hook["id"], "delivery_id": deliveries["items"][0]["id"]},
    )
    await c.call(
        "redeliverWebhook", headers=auth, path={"webhook_id": hook["id"], "delivery_id": missing}
    )
    await c.call("deleteWebhook", path={"webhook_id": hook["id"]}, headers=auth)
    await c.call("deleteWebhook", path={"webhook_id": hook["id"]}, headers=auth)

    await c.call("greenhouseListTests", headers=gh)
    sent = (
        await c.call(
            "greenhouseSendTest",
            headers=gh,
            json={
                "partner_test_id": "coding",
                "url": "http://127.0.0.1:9/gh",
                "candidate": {"first_name": "B", "last_name": "C", "email": "b@example.org"},
            },
        )
    ).json()
    await c.call(
        "greenhouseTestStatus",
        headers=gh,
        params={"partner_interview_id": sent["partner_interview_id"]},
    )
    await c.call("greenhouseTestStatus", headers=gh, params={"partner_interview_id": "x"})
    await c.call(
        "greenhouseResponseError", headers=gh, json={"api_call": "send_test", "errors": ["bad"]}
    )
    await c.call("sharedProfilePdf", path={"token": "x" * 43})

    hr_ops = {op for op, (_, path, _) in c.operations.items() if path.startswith(HR_PREFIXES)}
    assert hr_ops <= set(c.seen), f"not exercised: {sorted(hr_ops - set(c.seen))}"
    for op in hr_ops - {"sharedProfilePdf"}:
        assert any(s < 300 for s in c.seen[op]), (op, c.seen[op])
    assert {401, 403} <= c.seen["listAssessments"]


async def test_rate_limited_responses_are_documented(
    db_url: str, pool: asyncpg.Pool, auth: dict[str, str]
) -> None:
    app = create_app(make_settings(database_url=db_url, api_rate_limit=1))
    async with AsyncTestClient(app=app) as client:
        c = Conformance(client, (await client.get("/schema/openapi.json")).json())
        await c.call("listResults", headers=auth)
        r = await c.call("listResults", headers=auth)
        assert r.status_code == 429 and r.headers["retry-after"]
