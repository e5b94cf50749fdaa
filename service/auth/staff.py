"""Staff sign-in: argon2id passwords, server-side sessions, CSRF tokens, login throttling.

Sessions live in PostgreSQL so they work across workers and die at logout. Only a SHA-256
of the session token is stored; the cookie carries the token. Unsafe requests made with the
cookie must echo the session's CSRF token in the X-CSRF-Token header. Passwords are checked
off the event loop (``service.auth.passwords``) after the attempt has been counted by the
throttle (``service.auth.login_throttle``); no database connection is held meanwhile.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta

import asyncpg
import msgspec

from service.auth import login_throttle
from service.auth.password_policy import WeakPassword, check_new_password
from service.auth.passwords import PasswordChecker, hash_password
from service.auth.roles import ROLES
from service.ground.db import acquire
from service.ground.errors import RateLimited, Unauthorized

SESSION_COOKIE = "cr_session"
SESSION_LIFETIME = timedelta(hours=8)
REFUSAL_DELAY_SECONDS = 1.0
"""A throttled sign-in is answered after this pause, so a client hammering the endpoint
in a loop costs the service almost nothing (waiting holds no connection and no CPU)."""


class StaffUser(msgspec.Struct, frozen=True):
    """A signed-in staff member."""

    id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    display_name: str
    role: str
    csrf_token: str
    expires_at: datetime | None = None
    password_change_required: bool = False

    @property
    def actor(self) -> str:
        """How the audit log names this person."""
        return f"user:{self.id}"


class NewSession(msgspec.Struct, frozen=True):
    """A session just opened: the cookie value and the user."""

    token: str
    user: StaffUser


async def create_staff_user(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    *,
    email: str,
    display_name: str,
    role: str,
    password: str,
    generated: bool = False,
) -> uuid.UUID:
    """Store a staff user with an argon2id hash of ``password``; ValueError for a role that
    does not exist or a password the policy refuses (too short, common, breached or built
    from the person's or organization's names: ``service.auth.password_policy``). A
    ``generated`` password (an administrator gave it) must be changed at first sign-in."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    org = await conn.fetchrow("SELECT slug, name FROM organizations WHERE id = $1", organization_id)
    context = (email, display_name, *((org["slug"], org["name"]) if org else ()))
    try:
        check_new_password(password, context=context)
    except WeakPassword as weak:
        raise ValueError(str(weak)) from None
    user_id = uuid.uuid4()
    await conn.execute(
        """INSERT INTO users (id, organization_id, email, display_name, role, password_hash,
                              password_change_required)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        user_id,
        organization_id,
        email.strip().lower(),
        display_name,
        role,
        hash_password(password),
        generated,
    )
    return user_id


def _sha(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


async def login(
    pool: asyncpg.Pool,
    passwords: PasswordChecker,
    *,
    organization_slug: str,
    email: str,
    password: str,
    address: str,
) -> NewSession:
    """Check the password and open a session. RateLimited (429 with Retry-After) when the
    throttle or the hashing capacity refuses; Unauthorized for a wrong organization,
    e-mail or password (each taking the same time)."""
    try:
        return await _login(pool, passwords, organization_slug, email, password, address)
    except RateLimited:
        await asyncio.sleep(REFUSAL_DELAY_SECONDS)
        raise


async def _login(
    pool: asyncpg.Pool,
    passwords: PasswordChecker,
    organization_slug: str,
    email: str,
    password: str,
    address: str,
) -> NewSession:
    keys = login_throttle.keys_for(organization_slug, email, address)
    async with passwords.admitted():
        async with acquire(pool) as conn:
            wait = await login_throttle.take_attempt(conn, keys)
            row = (
                None
                if wait is not None
                else await conn.fetchrow(
                    """SELECT u.id, u.organization_id, u.email, u.display_name, u.role,
                          u.password_hash, u.password_change_required
                   FROM users u JOIN organizations o ON o.id = u.organization_id
                   WHERE o.slug = $1 AND lower(u.email) = lower($2) AND NOT u.disabled""",
                    organization_slug,
                    email.strip(),
                )
            )
        if wait is not None:
            raise RateLimited(f"Too many sign-in attempts; retry in {wait} s", retry_after=wait)
        if not await passwords.verify(row["password_hash"] if row else None, password):
            raise Unauthorized("Unknown organization, email or password")
    assert row is not None  # verify() is never true for an unknown account
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    async with acquire(pool) as conn, conn.transaction():
        await login_throttle.forgive(conn, keys)
        await conn.execute(
            """INSERT INTO staff_sessions (token_sha256, organization_id, user_id, csrf_token,
                   expires_at) VALUES ($1, $2, $3, $4, now() + $5::interval)""",
            _sha(token),
            row["organization_id"],
            row["id"],
            csrf,
            SESSION_LIFETIME,
        )
    user = StaffUser(
        row["id"],
        row["organization_id"],
        row["email"],
        row["display_name"],
        row["role"],
        csrf,
        password_change_required=row["password_change_required"],
    )
    return NewSession(token, user)


async def session_user(conn: asyncpg.Connection, token: str) -> StaffUser | None:
    """The user of a live session, or None."""
    if not token or len(token) > 100:
        return None
    row = await conn.fetchrow(
        """SELECT u.id, u.organization_id, u.email, u.display_name, u.role, s.csrf_token,
                  s.expires_at, u.password_change_required
           FROM staff_sessions s JOIN users u
             ON u.id = s.user_id AND u.organization_id = s.organization_id
           WHERE s.token_sha256 = $1 AND s.expires_at > now() AND NOT u.disabled""",
        _sha(token),
    )
    return None if row is None else StaffUser(**dict(row))


async def logout(conn: asyncpg.Connection, token: str, *, everywhere: bool = False) -> int:
    """End the session now, or with ``everywhere`` every session of its user (a lost
    laptop, a shared computer); returns how many ended."""
    if everywhere:
        ended: int = await conn.fetchval(
            """WITH mine AS (SELECT organization_id, user_id FROM staff_sessions
                             WHERE token_sha256 = $1),
                    gone AS (DELETE FROM staff_sessions s USING mine
                             WHERE s.organization_id = mine.organization_id
                               AND s.user_id = mine.user_id RETURNING 1)
               SELECT count(*) FROM gone""",
            _sha(token),
        )
        return ended
    status = await conn.execute("DELETE FROM staff_sessions WHERE token_sha256 = $1", _sha(token))
    return int(status.rsplit(" ", 1)[-1])


def csrf_matches(user: StaffUser, presented: str | None) -> bool:
    """Constant-time comparison of the presented CSRF token with the session's."""
    return presented is not None and hmac.compare_digest(user.csrf_token, presented)


async def change_password(
    pool: asyncpg.Pool,
    passwords: PasswordChecker,
    user: StaffUser,
    *,
    current: str,
    new: str,
    keep_token: str,
) -> int:
    """Replace ``user``'s password after checking the current one (off the event loop);
    every other session of the user ends. Unauthorized for a wrong current password;
    ValueError for a new one the policy refuses. Returns how many sessions ended."""
    async with passwords.admitted():
        async with acquire(pool) as conn:
            row = await conn.fetchrow(
                """SELECT u.password_hash, o.slug, o.name FROM users u
                   JOIN organizations o ON o.id = u.organization_id
                   WHERE u.organization_id = $1 AND u.id = $2 AND NOT u.disabled""",
                user.organization_id,
                user.id,
            )
        if row is None or not await passwords.verify(row["password_hash"], current):
            raise Unauthorized("The current password is not right", field="current")
    try:
        check_new_password(new, context=(user.email, user.display_name, row["slug"], row["name"]))
    except WeakPassword as weak:
        raise ValueError(str(weak)) from None
    async with acquire(pool) as conn, conn.transaction():
        await conn.execute(
            """UPDATE users SET password_hash = $3, password_change_required = false
               WHERE organization_id = $1 AND id = $2""",
            user.organization_id,
            user.id,
            hash_password(new),
        )
        ended: int = await conn.fetchval(
            """WITH gone AS (DELETE FROM staff_sessions WHERE organization_id = $1
                             AND user_id = $2 AND token_sha256 <> $3 RETURNING 1)
               SELECT count(*) FROM gone""",
            user.organization_id,
            user.id,
            _sha(keep_token),
        )
    return ended


class StaffAccount(msgspec.Struct, frozen=True):
    """A staff user as an administrator sees them (never the password hash)."""

    id: uuid.UUID
    email: str
    display_name: str
    role: str
    disabled: bool
    created_at: datetime
    sessions: int
    password_change_required: bool


async def list_staff(conn: asyncpg.Connection, organization_id: uuid.UUID) -> list[StaffAccount]:
    """The organization's staff users with their live session count, by name."""
    rows = await conn.fetch(
        """SELECT u.id, u.email, u.display_name, u.role, u.disabled, u.created_at,
                  (SELECT count(*) FROM staff_sessions s
                   WHERE s.organization_id = u.organization_id AND s.user_id = u.id
                     AND s.expires_at > now())::int AS sessions,
                  u.password_change_required
           FROM users u WHERE u.organization_id = $1
           ORDER BY lower(u.display_name), u.email""",
        organization_id,
    )
    return [StaffAccount(**dict(r)) for r in rows]


async def set_role(
    conn: asyncpg.Connection, organization_id: uuid.UUID, user_id: uuid.UUID, role: str
) -> bool:
    """Give a user of the organization another role; False when there is no such user.
    The new role holds from the user's next request (sessions read it live)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    done = await conn.fetchval(
        "UPDATE users SET role = $3 WHERE organization_id = $1 AND id = $2 RETURNING id",
        organization_id,
        user_id,
        role,
    )
    return done is not None


async def reset_password(
    conn: asyncpg.Connection, organization_id: uuid.UUID, user_id: uuid.UUID, password: str
) -> int | None:
    """Give a user of the organization a password an administrator generated (they must
    choose their own at next sign-in) and end every session of theirs. Returns how many
    sessions ended, or None when there is no such user."""
    async with conn.transaction():
        done = await conn.fetchval(
            """UPDATE users SET password_hash = $3, password_change_required = true
               WHERE organization_id = $1 AND id = $2 RETURNING id""",
            organization_id,
            user_id,
            hash_password(password),
        )
        if done is None:
            return None
        return await _end_sessions(conn, organization_id, user_id)


async def _end_sessions(
    conn: asyncpg.Connection, organization_id: uuid.UUID, user_id: uuid.UUID
) -> int:
    ended: int = await conn.fetchval(
        """WITH gone AS (DELETE FROM staff_sessions WHERE organization_id = $1
                         AND user_id = $2 RETURNING 1)
           SELECT count(*) FROM gone""",
        organization_id,
        user_id,
    )
    return ended


async def set_disabled(
    conn: asyncpg.Connection, organization_id: uuid.UUID, user_id: uuid.UUID, *, disabled: bool
) -> int | None:
    """Deactivate (or reactivate) a user of the organization. Deactivating ends every session
    of theirs at once. Returns how many sessions ended, or None when there is no such user."""
    async with conn.transaction():
        done = await conn.fetchval(
            "UPDATE users SET disabled = $3 WHERE organization_id = $1 AND id = $2 RETURNING id",
            organization_id,
            user_id,
            disabled,
        )
        if done is None:
            return None
        if not disabled:
            return 0
        return await _end_sessions(conn, organization_id, user_id)
