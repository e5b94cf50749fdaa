"""Findings 1, 7, 8 and 13 (sign-out): the staff sign-in endpoint under attack.

Run against the real app under uvicorn, with X-Forwarded-For naming the client as a reverse
proxy would (uvicorn trusts it from 127.0.0.1, its default)."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest
from argon2 import PasswordHasher, extract_parameters
from litestar.testing import AsyncTestClient

from service.auth import login_throttle
from service.auth.passwords import DUMMY_HASH, HASHER
from service.ground.settings import Settings
from tests.conftest import make_settings
from tests.results.factories import PASSWORD, make_user, org_slug, sign_in
from tests.security.conftest import Served
from tests.web.test_error_shape import assert_problem

ALICE = "alice@example.org"


def _form(slug: str, email: str = ALICE, password: str = "wrong password") -> dict[str, str]:
    return {"organization": slug, "email": email, "password": password}


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


@pytest.fixture
def served_settings(db_url: str) -> Settings:
    """Room for many sign-ins to wait, so only the throttle decides in these tests."""
    return make_settings(database_url=db_url, password_hash_queue=200)


async def test_concurrent_guesses_get_exactly_the_allowed_checks(
    served: Served,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    """Finding 7: 60 concurrent guesses used to get 10 real checks instead of 5."""
    await make_user(pool, org_id, "admin", ALICE)
    slug = await org_slug(pool, org_id)
    async with httpx.AsyncClient(base_url=served.url, timeout=60) as http:
        replies = await asyncio.gather(
            *(
                http.post("/staff/session", json=_form(slug), headers=_from("203.0.113.7"))
                for _ in range(60)
            )
        )
    statuses = sorted(r.status_code for r in replies)
    assert statuses.count(401) == login_throttle.ACCOUNT_ADDRESS_LIMIT
    assert statuses.count(429) == 60 - login_throttle.ACCOUNT_ADDRESS_LIMIT
    assert served.app.state.passwords.checks == login_throttle.ACCOUNT_ADDRESS_LIMIT


async def test_a_guesser_locks_out_only_itself_and_only_in_one_organization(
    served: Served,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    """Finding 7: anyone could lock any e-mail out of every organization."""
    other_org = uuid.uuid4()
    await pool.execute(
        "INSERT INTO organizations (id, slug, name) VALUES ($1, $2, 'Other')",
        other_org,
        f"other-{other_org.hex[:8]}",
    )
    await make_user(pool, org_id, "admin", ALICE)
    await make_user(pool, other_org, "rater", ALICE)
    slug, other_slug = await org_slug(pool, org_id), await org_slug(pool, other_org)
    attacker, owner = _from("198.51.100.66"), _from("192.0.2.10")
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
        for _ in range(login_throttle.ACCOUNT_ADDRESS_LIMIT):
            assert (
                await http.post("/staff/session", json=_form(slug), headers=attacker)
            ).status_code == 401
        locked = await http.post("/staff/session", json=_form(slug), headers=attacker)
        body = assert_problem(locked, 429)
        # Exactly like the HR API's 429: the same problem type, with Retry-After seconds.
        assert body["type"].endswith("/rate-limited") and body["title"] == "Too many requests"
        assert 1 <= int(locked.headers["retry-after"]) <= 15 * 60
        # Even the right password is refused from the guessing address...
        assert (
            await http.post("/staff/session", json=_form(slug, password=PASSWORD), headers=attacker)
        ).status_code == 429
        # ...but the owner, from their own address, signs in,
        mine = await http.post("/staff/session", json=_form(slug, password=PASSWORD), headers=owner)
        assert mine.status_code == 201, mine.text
        # and the same e-mail in another organization is untouched, even from the attacker.
        theirs = await http.post(
            "/staff/session", json=_form(other_slug, password=PASSWORD), headers=attacker
        )
        assert theirs.status_code == 201, theirs.text


async def test_a_distributed_guesser_meets_a_short_back_off_not_a_lock(
    served: Served,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    """Guesses at one account from many addresses: after ACCOUNT_FREE the account accepts
    one attempt per ACCOUNT_SPACING, so the owner waits seconds, never 15 minutes."""
    await make_user(pool, org_id, "admin", ALICE)
    slug = await org_slug(pool, org_id)
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
        for n in range(login_throttle.ACCOUNT_FREE):
            r = await http.post("/staff/session", json=_form(slug), headers=_from(f"10.0.0.{n}"))
            assert r.status_code == 401
        refused = await http.post(
            "/staff/session", json=_form(slug, password=PASSWORD), headers=_from("192.0.2.10")
        )
        assert_problem(refused, 429)
        wait = int(refused.headers["retry-after"])
        assert 1 <= wait <= login_throttle.ACCOUNT_SPACING.total_seconds()
        await asyncio.sleep(wait)
        again = await http.post(
            "/staff/session", json=_form(slug, password=PASSWORD), headers=_from("192.0.2.10")
        )
        assert again.status_code == 201, again.text


def _idle_hashers() -> list[int]:
    """Child processes of this test process running under the idle CPU policy."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if os.sched_getscheduler(child.pid) == os.SCHED_IDLE:
                found.append(child.pid)
        except OSError:
            continue
    return found


def _running(pid: int) -> bool:
    """Whether any thread of ``pid`` is on a CPU or runnable right now."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            if (task / "stat").read_text().rsplit(")", 1)[1].split()[0] == "R":
                return True
        except (OSError, IndexError):
            continue
    return False


async def test_password_checks_run_off_the_event_loop_at_idle_priority(
    served: Served,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    """Finding 1: hashing on the event loop stalled every other request of the worker.
    A user with a deliberately slow hash (about 20x the normal cost) signs in; while the
    check runs in an idle-priority process, the same server answers other requests."""
    slow = PasswordHasher(time_cost=60).hash(PASSWORD)
    await make_user(pool, org_id, "admin", ALICE)
    await pool.execute("UPDATE users SET password_hash = $1 WHERE email = $2", slow, ALICE)
    slug = await org_slug(pool, org_id)
    async with httpx.AsyncClient(base_url=served.url, timeout=120) as http:
        signing_in = asyncio.create_task(
            http.post("/staff/session", json=_form(slug, password=PASSWORD))
        )
        busy: list[int] = []
        for _ in range(1000):
            busy = [pid for pid in _idle_hashers() if _running(pid)]
            if busy:
                break
            await asyncio.sleep(0.01)
        assert busy, "no idle-priority process ever ran the check"
        assert os.getpid() not in busy
        answered = [await http.get("/health") for _ in range(5)]
        assert all(r.status_code == 200 for r in answered)
        assert not signing_in.done() and any(_running(pid) for pid in busy)  # still hashing
        assert (await signing_in).status_code == 201


async def test_unknown_accounts_cost_one_check_with_the_same_parameters(
    served: Served,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    """Finding 1: equal timing for unknown and known accounts: each attempt runs exactly one
    argon2id check, against the dummy hash (same parameters) when the account is unknown."""
    await make_user(pool, org_id, "admin", ALICE)
    stored = await pool.fetchval("SELECT password_hash FROM users WHERE email = $1", ALICE)
    assert extract_parameters(DUMMY_HASH) == extract_parameters(stored)
    assert extract_parameters(DUMMY_HASH) == extract_parameters(HASHER.hash("x"))
    slug = await org_slug(pool, org_id)
    checker = served.app.state.passwords
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
        for form in (
            _form(slug),
            _form(slug, email="nobody@example.org"),
            _form("no-such-org", email="nobody@example.org"),
        ):
            before = checker.checks
            assert (await http.post("/staff/session", json=form)).status_code == 401
            assert checker.checks == before + 1


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
async def test_sign_in_must_be_json_so_no_site_can_post_it_as_a_form(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
    content_type: str | None,
) -> None:
    """Finding 8 (login CSRF): a cross-site form can send text/plain or no content type."""
    await make_user(pool, org_id, "admin", ALICE)
    body = (
        f'{{"organization": "{await org_slug(pool, org_id)}", "email": "{ALICE}", '
        f'"password": "{PASSWORD}"}}'
    ).encode()
    headers = {"content-type": content_type} if content_type else {}
    r = await client.post("/staff/session", content=body, headers=headers)
    assert r.status_code in (400, 415), r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "set-cookie" not in r.headers
    assert await pool.fetchval("SELECT count(*) FROM staff_sessions") == 0
    ok = await client.post(
        "/staff/session", content=body, headers={"content-type": "application/json"}
    )
    assert ok.status_code == 201


async def test_sign_out_everywhere_ends_every_session_of_the_user(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    """Finding 13: sign-out could not end a user's other sessions (a lost laptop)."""
    await make_user(pool, org_id, "admin", ALICE)
    await make_user(pool, org_id, "rater", "bob@example.org")
    slug = await org_slug(pool, org_id)
    laptop = await sign_in(client, slug, ALICE)
    laptop_cookie = client.cookies.get("cr_session")
    client.cookies.clear()
    await sign_in(client, slug, "bob@example.org")
    bob_cookie = client.cookies.get("cr_session")
    client.cookies.clear()
    phone = await sign_in(client, slug, ALICE)
    assert await pool.fetchval("SELECT count(*) FROM staff_sessions") == 3
    ended = await client.delete("/staff/session", params={"everywhere": "true"}, headers=phone)
    assert ended.status_code == 200 and ended.json() == {"sessions_ended": 2}
    client.cookies.clear()
    client.cookies.set("cr_session", laptop_cookie)
    assert_problem(await client.get("/staff/session"), 401)
    assert_problem(await client.delete("/staff/session", headers=laptop), 401)
    client.cookies.set("cr_session", bob_cookie)  # another user's session is untouched
    assert (await client.get("/staff/session")).json()["email"] == "bob@example.org"
