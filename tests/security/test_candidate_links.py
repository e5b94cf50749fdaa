"""Findings 2 and 10: what an invitation link may show, and revoking links.

- A link shows only what was done through that invitation: a key that may only invite
  cannot read earlier results by inviting the same candidate again.
- An expired link may still download its profile for RESULTS_AFTER_EXPIRY (so a candidate
  who finished on the last day can fetch it), then shows only that it expired.
- A revoked link shows nothing, from the API or the CLI, at once.
"""

from __future__ import annotations

import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from service.auth.api_keys import create_api_key
from service.faces.candidate.profile_page import RESULTS_AFTER_EXPIRY
from tests.cli.test_tenant_commands import chartready
from tests.faces.test_profile_downloads import scored_candidate
from tests.web.test_error_shape import assert_problem


async def test_an_invite_only_key_cannot_read_results_through_a_new_link(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    candidate, first_token = await scored_candidate(pool, org_id)
    async with pool.acquire() as conn:
        key = await create_api_key(conn, org_id, "inviter", ["invitations:write"])
    hr = {"Authorization": f"Bearer {key.secret}"}
    assert_problem(await client.get(f"/api/v1/candidates/{candidate}/profile.pdf", headers=hr), 403)
    issued = await client.post(
        "/api/v1/invitations",
        headers=hr,
        json={"candidate_id": str(candidate), "assessments": ["privacy"]},
    )
    assert issued.status_code == 201, issued.text
    new_link = issued.json()["url"].split("://", 1)[1].split("/", 1)[1]
    r = await client.get(f"/{new_link}/profile.pdf")
    assert r.status_code == 404 and not r.content.startswith(b"%PDF")
    assert "No competency profile yet" in r.text
    own = await client.get(f"/take/{first_token}/profile.pdf")  # the control
    assert own.status_code == 200 and own.content.startswith(b"%PDF")


async def test_an_expired_link_downloads_its_profile_only_within_the_grace(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    _, token = await scored_candidate(pool, org_id)
    await pool.execute(
        "UPDATE invitations SET created_at = now() - interval '90 days', "
        "expires_at = now() - interval '1 day'"
    )
    assert (await client.get(f"/take/{token}/profile.pdf")).status_code == 200
    await pool.execute(
        "UPDATE invitations SET expires_at = now() - $1::interval - interval '1 minute'",
        RESULTS_AFTER_EXPIRY,
    )
    r = await client.get(f"/take/{token}/profile.pdf")
    assert r.status_code == 410 and not r.content.startswith(b"%PDF")
    assert "expired" in r.text


async def test_revoking_through_the_api_ends_the_link_at_once(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    auth: dict[str, str],  # type: ignore[type-arg]
) -> None:
    _, token = await scored_candidate(pool, org_id)
    invitation = await pool.fetchval("SELECT id FROM invitations")
    assert (await client.get(f"/take/{token}/profile.pdf")).status_code == 200
    r = await client.post(f"/api/v1/invitations/{invitation}/revoke", headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == str(invitation) and r.json()["status"] == "cancelled"
    assert r.json()["cancelled_at"]
    again = await client.post(f"/api/v1/invitations/{invitation}/revoke", headers=auth)
    assert again.json()["cancelled_at"] == r.json()["cancelled_at"]  # idempotent
    for path in (f"/take/{token}/profile.pdf", f"/take/{token}"):
        assert (await client.get(path)).status_code == 404
    audit = await pool.fetch("SELECT action FROM audit_log WHERE action = 'invitation.revoke'")
    assert len(audit) == 2
    assert_problem(
        await client.post(f"/api/v1/invitations/{uuid.uuid4()}/revoke", headers=auth), 404
    )


async def test_revoking_from_the_cli(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,
    db_url: str,  # type: ignore[type-arg]
) -> None:
    slug = await pool.fetchval("SELECT slug FROM organizations WHERE id = $1", org_id)
    code, out, err = await chartready(
        db_url, "invite", "--org", slug, "--email", "c@x.org", "--assessments", "privacy"
    )
    assert code == 0, err
    link = out.strip()
    token = link.rsplit("/", 1)[1]
    invitation = err.split("invitation ", 1)[1].split()[0]
    assert (await client.get(f"/take/{token}")).status_code == 200
    code, out, err = await chartready(db_url, "invite-revoke", "--org", slug, invitation)
    assert code == 0 and f"invitation {invitation} revoked" in out, err
    assert (await client.get(f"/take/{token}")).status_code == 404
    assert (
        await pool.fetchval("SELECT actor FROM audit_log WHERE action = 'invitation.revoke'")
        == "cli"
    )
    code, _, err = await chartready(db_url, "invite-revoke", "--org", slug, str(uuid.uuid4()))
    assert code == 1 and "no invitation" in err
