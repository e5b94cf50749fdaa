"""The model card page over HTTP: metrics, group calibration, the reliability diagram with its
table, provenance, and rollback for admins (audited, in the organization's own scope)."""

from __future__ import annotations

import csv
import io
import uuid

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.readiness.model import TrainedModel, fit_and_select
from service.readiness.registry import Provenance, activate, active_version, register_model
from tests.faces.dashboard.helpers import dashboard_sign_in
from tests.readiness.helpers import synthetic_percents
from tests.results.factories import make_user, org_slug


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    x, y, _ = synthetic_percents(900, seed=3)
    groups = {"sex": ["female", "male", "unknown"] * 300}
    return fit_and_select(x, y, seed=0, candidates=("logistic_sigmoid",), groups=groups)


async def _model(
    pool: asyncpg.Pool, trained: TrainedModel, org: uuid.UUID | None, kind: str = "real"
) -> str:
    provenance = (
        Provenance("real", 40, note="real outcomes")
        if kind == "real"
        else Provenance("simulated", 500, content_version="c-0123456789ab", note="the prior")
    )
    async with pool.acquire() as conn:
        model = await register_model(
            conn, trained, organization_id=org, provenance=provenance, seed=0, created_by="test"
        )
        await activate(conn, model.version, organization_id=org, activated_by="test", reason="t")
    return model.version


async def _as(client: AsyncTestClient, slug: str, email: str) -> str:  # type: ignore[type-arg]
    client.cookies.clear()
    return await dashboard_sign_in(client, slug, email)


async def test_card_shows_metrics_groups_reliability_and_provenance(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    trained: TrainedModel,  # type: ignore[type-arg]
) -> None:
    version = await _model(pool, trained, None, kind="simulated")
    await make_user(pool, org_id, "coordinator", "coord@example.org")
    await _as(client, await org_slug(pool, org_id), "coord@example.org")
    r = await client.get("/dashboard/model")
    assert r.status_code == 200, r.text[:500]
    v = trained.validation
    assert f"Model {version}" in r.text
    assert "Trained on SIMULATED candidates" in r.text and 'data-provenance="simulated"' in r.text
    assert f"{v.brier:.3f}" in r.text and f"{v.ece:.3f}" in r.text
    for group, m in trained.validation_by_group["sex"].items():
        assert f'<th scope="row">{group}</th>' in r.text and f"{m.brier:.3f}" in r.text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in r.text and 'role="img"' in r.text
    assert '<title id="reliability-title">' in r.text and "<desc" in r.text
    used = [b for b in v.reliability if b.count]
    assert r.text.count("<circle") == len(used)
    assert 'id="reliability"' in r.text  # the table beside the chart
    rows = list(
        csv.DictReader(
            io.StringIO((await client.get("/dashboard/model/model.csv?table=reliability")).text)
        )
    )
    assert [int(row["count"]) for row in rows] == [b.count for b in v.reliability]
    assert rows[0]["provenance"] == "simulated"
    card = await client.get("/dashboard/model/card.md")
    assert card.status_code == 200 and f"# Readiness model {version}" in card.text
    assert "Roll back" not in r.text  # coordinators read, admins roll back


async def test_admin_rolls_back_the_organizations_model(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    trained: TrainedModel,  # type: ignore[type-arg]
) -> None:
    first = await _model(pool, trained, org_id)
    second = await _model(pool, trained, org_id)
    await make_user(pool, org_id, "admin", "admin@example.org")
    await make_user(pool, org_id, "coordinator", "coord@example.org")
    slug = await org_slug(pool, org_id)
    csrf = await _as(client, slug, "coord@example.org")
    refused = await client.post(
        "/dashboard/model/rollback", data={"_csrf": csrf, "reason": "x y z"}
    )
    assert refused.status_code == 403
    csrf = await _as(client, slug, "admin@example.org")
    page = await client.get("/dashboard/model")
    assert f"Roll back {second}" in page.text and "REAL hiring outcomes" in page.text
    bad = await client.post("/dashboard/model/rollback", data={"_csrf": csrf, "reason": ""})
    assert bad.status_code == 422 and 'id="rollback-error"' in bad.text
    forged = await client.post("/dashboard/model/rollback", data={"reason": "no token"})
    assert forged.status_code == 403
    async with pool.acquire() as conn:
        assert await active_version(conn, organization_id=org_id) == second
    done = await client.post(
        "/dashboard/model/rollback",
        data={"_csrf": csrf, "reason": "calibration drifted"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith(f"={first}")
    async with pool.acquire() as conn:
        assert await active_version(conn, organization_id=org_id) == first
    shown = await client.get(done.headers["location"])
    assert f"the active model is now {first}" in shown.text
    entry = await pool.fetchrow(
        "SELECT actor, subject_id, reason FROM audit_log WHERE action = 'readiness_model.rollback'"
    )
    assert entry["subject_id"] == second and "calibration drifted" in entry["reason"]
    # nothing earlier to return to: said on the page, nothing changes
    again = await client.post(
        "/dashboard/model/rollback", data={"_csrf": csrf, "reason": "again please"}
    )
    assert again.status_code == 409 and "nothing to roll back to" in again.text


async def test_the_shared_model_is_not_rolled_back_from_one_organization(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    trained: TrainedModel,  # type: ignore[type-arg]
) -> None:
    await _model(pool, trained, None, kind="simulated")
    shared = await _model(pool, trained, None, kind="simulated")
    other = uuid.uuid4()
    await pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, 'other-org', 'Other')", other
    )
    theirs = await _model(pool, trained, other)
    await make_user(pool, org_id, "admin", "admin@example.org")
    await make_user(pool, org_id, "viewer", "view@example.org")
    slug = await org_slug(pool, org_id)
    await _as(client, slug, "view@example.org")
    assert (await client.get("/dashboard/model")).status_code == 403
    csrf = await _as(client, slug, "admin@example.org")
    page = await client.get("/dashboard/model")
    assert theirs not in page.text  # another organization's model is not listed
    r = await client.post("/dashboard/model/rollback", data={"_csrf": csrf, "reason": "try it"})
    assert r.status_code == 409 and "only an operator can" in r.text
    async with pool.acquire() as conn:
        assert await active_version(conn, organization_id=None) == shared
