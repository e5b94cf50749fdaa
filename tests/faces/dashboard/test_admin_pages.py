"""Administration over HTTP: staff users, API keys (shown once, working, revoked), webhooks,
failed jobs; admins only, audited, CSRF, tenant isolation, bad input re-shown."""

from __future__ import annotations

import re
import uuid

import asyncpg
from litestar.testing import AsyncTestClient

from service.tenancy.events import emit
from tests.faces.dashboard.helpers import dashboard_sign_in
from tests.results.factories import make_user, org_slug


async def _as(client: AsyncTestClient, slug: str, email: str) -> str:  # type: ignore[type-arg]
    client.cookies.clear()
    return await dashboard_sign_in(client, slug, email)


async def _actions(pool: asyncpg.Pool, org: uuid.UUID) -> list[str]:
    rows = await pool.fetch(
        "SELECT action FROM audit_log WHERE organization_id = $1 ORDER BY id", org
    )
    return [r["action"] for r in rows]


async def test_only_admins_reach_administration(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    slug = await org_slug(pool, org_id)
    for role in ("viewer", "rater", "coordinator"):
        await make_user(pool, org_id, role, f"{role}@example.org")
        csrf = await _as(client, slug, f"{role}@example.org")
        r = await client.get("/dashboard/admin")
        assert r.status_code == 403 and "needs the admin role" in r.text, role
        assert 'href="/dashboard/admin"' not in r.text
        assert (await client.get("/dashboard/admin/users.csv")).status_code == 403
        made = await client.post(
            "/dashboard/admin/api-keys",
            data={"_csrf": csrf, "name": "sneaky", "scopes": "results:read"},
        )
        assert made.status_code == 403, role
    assert await pool.fetchval("SELECT count(*) FROM api_keys") == 0


async def test_users_created_role_changed_and_deactivation_ends_sessions(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    admin = await make_user(pool, org_id, "admin", "admin@example.org")
    rater = await make_user(pool, org_id, "rater", "rater@example.org")
    slug = await org_slug(pool, org_id)
    # the rater is signed in (in another browser)
    await _as(client, slug, "rater@example.org")
    rater_cookie = client.cookies.get("cr_session")
    csrf = await _as(client, slug, "admin@example.org")
    admin_cookie = client.cookies.get("cr_session")
    page = await client.get("/dashboard/admin")
    assert page.status_code == 200 and "rater@example.org" in page.text
    # bad input: the form again with the errors beside the fields, nothing stored
    bad = await client.post(
        "/dashboard/admin/users",
        data={"_csrf": csrf, "email": "not-an-address", "display_name": "", "role": "boss"},
    )
    assert bad.status_code == 422
    assert 'id="error-email"' in bad.text and 'id="error-display_name"' in bad.text
    assert 'id="error-role"' in bad.text and 'value="not-an-address"' in bad.text
    made = await client.post(
        "/dashboard/admin/users",
        data={
            "_csrf": csrf,
            "email": "New.Coord@example.org",
            "display_name": "Nia",
            "role": "coordinator",
        },
    )
    assert made.status_code == 201
    password = re.search(r'<p class="secret" id="secret">([^<]+)</p>', made.text)
    assert password
    dup = await client.post(
        "/dashboard/admin/users",
        data={
            "_csrf": csrf,
            "email": "new.coord@example.org",
            "display_name": "Nia",
            "role": "rater",
        },
    )
    assert dup.status_code == 409 and "already exists" in dup.text
    # the shown password works, and is never shown again
    again = await client.get("/dashboard/admin")
    assert password.group(1) not in again.text
    client.cookies.clear()
    await dashboard_sign_in(client, slug, "new.coord@example.org", password.group(1))
    # role change, then deactivation: the rater's live session ends at once
    client.cookies.set("cr_session", admin_cookie)
    r = await client.post(
        f"/dashboard/admin/users/{rater}/role",
        data={"_csrf": csrf, "role": "viewer"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert await pool.fetchval("SELECT role FROM users WHERE id = $1", rater) == "viewer"
    r = await client.post(
        f"/dashboard/admin/users/{rater}/deactivate", data={"_csrf": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM staff_sessions WHERE user_id = $1", rater) == 0
    client.cookies.set("cr_session", rater_cookie)
    gone = await client.get("/dashboard", follow_redirects=False)
    assert gone.status_code == 303 and "/dashboard/sign-in" in gone.headers["location"]
    client.cookies.set("cr_session", admin_cookie)
    # an admin cannot lock themselves out
    self_off = await client.post(f"/dashboard/admin/users/{admin}/deactivate", data={"_csrf": csrf})
    assert self_off.status_code == 409
    assert not await pool.fetchval("SELECT disabled FROM users WHERE id = $1", admin)
    # without the CSRF token nothing changes
    forged = await client.post(f"/dashboard/admin/users/{rater}/reactivate", data={})
    assert forged.status_code == 403
    assert await pool.fetchval("SELECT disabled FROM users WHERE id = $1", rater)
    assert await _actions(pool, org_id) == ["user.create", "user.role", "user.deactivate"]
    csv = await client.get("/dashboard/admin/users.csv")
    assert csv.status_code == 200 and "argon2" not in csv.text  # never a hash
    assert password.group(1) not in csv.text
    assert f"{rater},rater@example.org,rater,viewer,false,false,0," in csv.text
    assert ",new.coord@example.org,Nia,coordinator,true,true," in csv.text  # not yet changed


async def test_a_password_an_admin_gave_opens_only_the_password_page_until_changed(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    """A first password (and a reset one) is known to the admin too: its owner reaches
    nothing but the password page and sign-out until they choose their own."""
    await make_user(pool, org_id, "admin", "admin@example.org")
    slug = await org_slug(pool, org_id)
    csrf = await _as(client, slug, "admin@example.org")
    admin_cookie = client.cookies.get("cr_session")
    made = await client.post(
        "/dashboard/admin/users",
        data={"_csrf": csrf, "email": "kim@example.org", "display_name": "Kim", "role": "rater"},
    )
    first = re.search(r'<p class="secret" id="secret">([^<]+)</p>', made.text)
    assert made.status_code == 201 and first
    kim = await pool.fetchval("SELECT id FROM users WHERE email = 'kim@example.org'")

    client.cookies.clear()
    kim_csrf = await dashboard_sign_in(client, slug, "kim@example.org", first.group(1))
    page = await client.get("/dashboard/ratings", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/dashboard/password"
    shown = await client.get("/dashboard/password")
    assert "An administrator set your present password" in shown.text
    posted = await client.post("/dashboard/admin/users", data={"_csrf": kim_csrf})
    assert posted.status_code == 403 and "choose your own first" in posted.text
    me = await client.get("/staff/session")  # the JSON face says so, and refuses the rest
    assert me.status_code == 200 and me.json()["password_change_required"] is True
    queue = await client.get("/staff/ratings/queue")
    assert queue.status_code == 403
    assert queue.headers["content-type"].startswith("application/problem+json")
    assert "choose your own first" in queue.json()["detail"]

    own = "quiet harbour lanterns drift past seven cedars"
    changed = await client.post(
        "/dashboard/password",
        data={"_csrf": kim_csrf, "current": first.group(1), "new": own, "repeat": own},
    )
    assert changed.status_code == 200 and "Password changed." in changed.text
    assert (await client.get("/dashboard/ratings")).status_code == 200
    assert not await pool.fetchval("SELECT password_change_required FROM users WHERE id = $1", kim)

    # Forgotten: the admin resets it; Kim's session ends, the new one is again a first one.
    kim_cookie = client.cookies.get("cr_session")
    client.cookies.set("cr_session", admin_cookie)
    mine = await client.post(
        f"/dashboard/admin/users/{await _admin_id(pool)}/password", data={"_csrf": csrf}
    )
    assert mine.status_code == 409  # one's own password is changed on the password page
    reset = await client.post(f"/dashboard/admin/users/{kim}/password", data={"_csrf": csrf})
    fresh = re.search(r'<p class="secret" id="secret">([^<]+)</p>', reset.text)
    assert reset.status_code == 200 and fresh and fresh.group(1) != first.group(1)
    assert "1 session(s) ended" in reset.text
    assert "password from an admin, not yet changed" in reset.text
    client.cookies.set("cr_session", kim_cookie)
    gone = await client.get("/dashboard", follow_redirects=False)
    assert gone.status_code == 303 and "/dashboard/sign-in" in gone.headers["location"]
    client.cookies.clear()
    await dashboard_sign_in(client, slug, "kim@example.org", fresh.group(1))
    again = await client.get("/dashboard", follow_redirects=False)
    assert again.headers["location"] == "/dashboard/password"
    assert await _actions(pool, org_id) == ["user.create", "user.password_reset"]


async def _admin_id(pool: asyncpg.Pool) -> uuid.UUID:  # type: ignore[type-arg]
    found: uuid.UUID = await pool.fetchval("SELECT id FROM users WHERE email = 'admin@example.org'")
    return found


async def test_api_key_shown_once_works_then_revoked_gives_401(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "admin", "admin@example.org")
    slug = await org_slug(pool, org_id)
    csrf = await _as(client, slug, "admin@example.org")
    bad = await client.post("/dashboard/admin/api-keys", data={"_csrf": csrf, "name": "ATS"})
    assert bad.status_code == 422 and 'id="error-scopes"' in bad.text
    made = await client.post(
        "/dashboard/admin/api-keys",
        data={"_csrf": csrf, "name": "ATS", "scopes": ["webhooks:manage", "results:read"]},
    )
    assert made.status_code == 201
    found = re.search(r'<p class="secret" id="secret">(crk_[^<]+)</p>', made.text)
    assert found
    secret = found.group(1)
    assert secret not in (await client.get("/dashboard/admin")).text  # shown once
    listed = await client.get("/api/v1/webhooks", headers={"Authorization": f"Bearer {secret}"})
    assert listed.status_code == 200, listed.text
    prefix = secret.split("_")[1]
    r = await client.post(
        f"/dashboard/admin/api-keys/{prefix}/revoke", data={"_csrf": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    refused = await client.get("/api/v1/webhooks", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    assert await _actions(pool, org_id) == ["api_key.create", "api_key.revoke"]
    csv = await client.get("/dashboard/admin/api-keys.csv")
    assert prefix in csv.text and secret not in csv.text


async def test_webhooks_added_logged_and_removed(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "admin", "admin@example.org")
    slug = await org_slug(pool, org_id)
    csrf = await _as(client, slug, "admin@example.org")
    bad = await client.post(
        "/dashboard/admin/webhooks",
        data={"_csrf": csrf, "url": "http://10.0.0.1/hook", "events": "result.created"},
    )
    assert bad.status_code == 422 and 'id="error-url"' in bad.text
    none = await client.post(
        "/dashboard/admin/webhooks", data={"_csrf": csrf, "url": "https://ats.example.com/h"}
    )
    assert none.status_code == 422 and 'id="error-events"' in none.text
    made = await client.post(
        "/dashboard/admin/webhooks",
        data={
            "_csrf": csrf,
            "url": "https://ats.example.com/hooks",
            "events": ["result.created", "profile.ready"],
        },
    )
    assert made.status_code == 201 and "whsec_" in made.text
    hook = await pool.fetchval(
        "SELECT id FROM webhook_endpoints WHERE organization_id = $1", org_id
    )
    log = await client.get(f"/dashboard/admin/webhooks/{hook}")
    assert log.status_code == 200 and "Nothing has been sent" in log.text
    log_csv = await client.get(f"/dashboard/admin/webhooks/{hook}/deliveries.csv")
    assert log_csv.status_code == 200 and log_csv.text.startswith("delivery_id,event_id")
    # disabled: events make no deliveries for it; enabled again: they do
    deliveries = "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $1"
    r = await client.post(
        f"/dashboard/admin/webhooks/{hook}/disable", data={"_csrf": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    shown = await client.get(r.headers["location"])
    assert "disabled" in shown.text and f"/dashboard/admin/webhooks/{hook}/enable" in shown.text
    async with pool.acquire() as conn, conn.transaction():
        await emit(conn, org_id, "result.created", {"id": "x"})
    assert await pool.fetchval(deliveries, hook) == 0
    await client.post(f"/dashboard/admin/webhooks/{hook}/enable", data={"_csrf": csrf})
    async with pool.acquire() as conn, conn.transaction():
        await emit(conn, org_id, "result.created", {"id": "y"})
    assert await pool.fetchval(deliveries, hook) == 1
    log = await client.get(f"/dashboard/admin/webhooks/{hook}")
    assert "result.created" in log.text and "pending" in log.text
    log_csv = await client.get(f"/dashboard/admin/webhooks/{hook}/deliveries.csv")
    assert len(log_csv.text.strip().splitlines()) == 2
    r = await client.post(
        f"/dashboard/admin/webhooks/{hook}/remove", data={"_csrf": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM webhook_endpoints") == 0
    assert await _actions(pool, org_id) == [
        "webhook.create",
        "webhook.disable",
        "webhook.enable",
        "webhook.delete",
    ]


async def _failed_job(pool: asyncpg.Pool, org: uuid.UUID) -> int:
    job: int = await pool.fetchval(
        """INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, attempts)
           VALUES ('profiles', 'render_profile', $1::jsonb, 'todo', 0) RETURNING id""",
        {"organization": str(org), "batch": str(uuid.uuid4())},
    )
    await pool.execute("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = $1", job)
    await pool.execute(
        "UPDATE procrastinate_jobs SET status = 'failed', attempts = 1 WHERE id = $1", job
    )
    await pool.execute(
        "INSERT INTO job_errors (job_id, attempt, error) VALUES ($1, 1, 'NothingToReport: x')",
        job,
    )
    return job


async def test_failed_jobs_listed_and_retried_per_organization(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "admin", "admin@example.org")
    slug = await org_slug(pool, org_id)
    other = uuid.uuid4()
    await pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, 'Other')", other, "other-org"
    )
    mine, theirs = await _failed_job(pool, org_id), await _failed_job(pool, other)
    csrf = await _as(client, slug, "admin@example.org")
    page = await client.get("/dashboard/admin")
    assert f"/dashboard/admin/jobs/{mine}/retry" in page.text
    assert f"/dashboard/admin/jobs/{theirs}/retry" not in page.text  # tenant isolation
    assert "NothingToReport" in page.text
    r = await client.post(
        f"/dashboard/admin/jobs/{theirs}/retry", data={"_csrf": csrf}, follow_redirects=False
    )
    assert r.status_code == 404
    r = await client.post(
        f"/dashboard/admin/jobs/{mine}/retry", data={"_csrf": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    status = "SELECT status::text FROM procrastinate_jobs WHERE id = $1"
    assert await pool.fetchval(status, mine) == "todo"
    assert await pool.fetchval(status, theirs) == "failed"
    assert await _actions(pool, org_id) == ["job.retry"]
    # another organization's admin sees none of this organization's users or keys
    await make_user(pool, other, "admin", "their-admin@example.org")
    await _as(client, "other-org", "their-admin@example.org")
    theirs_page = await client.get("/dashboard/admin")
    assert "admin@example.org" not in theirs_page.text.replace("their-admin@example.org", "")


async def test_nul_bytes_and_huge_ids_are_refused_not_500(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    await make_user(pool, org_id, "admin", "admin@example.org")
    csrf = await _as(client, await org_slug(pool, org_id), "admin@example.org")
    posts = {
        "/dashboard/admin/users": {
            "email": "a\x00@example.org",
            "display_name": "x\x00",
            "role": "rater",
        },
        "/dashboard/admin/api-keys": {"name": "k\x00", "scopes": "results:read"},
        "/dashboard/admin/webhooks": {
            "url": "https://a.example.com/\x00",
            "events": "result.created",
        },
        f"/dashboard/admin/jobs/{2**70}/retry": {},
        "/dashboard/admin/users/not-a-uuid/deactivate": {},
        "/dashboard/admin/api-keys/zz%00/revoke": {},
        f"/dashboard/ratings/{uuid.uuid4()}/COM%00A": {"level.content": "1"},
        "/dashboard/model/rollback": {"reason": "bad\x00reason"},
    }
    for url, data in posts.items():
        r = await client.post(url, data={"_csrf": csrf, **data})
        assert 400 <= r.status_code < 500, (url, r.status_code, r.text[:300])
    for url in (
        f"/dashboard/ratings/{uuid.uuid4()}/COM%00A",
        "/dashboard/statistics?form=%00&cohort_id=%00&date_from=%00",
        "/dashboard/fairness?outcome=%00&reference=%00&focal=%00&attribute=%00",
        "/dashboard/model/model.csv?table=%00",
    ):
        r = await client.get(url)
        assert 400 <= r.status_code < 500, (url, r.status_code, r.text[:300])
    assert await pool.fetchval("SELECT count(*) FROM api_keys") == 0
