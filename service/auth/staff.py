"""Staff sign-in: argon2id passwords, server-side sessions, CSRF tokens, login throttling.

Sessions live in PostgreSQL so they work across workers and die at logout. Only a SHA-256
of the session token is stored; the cookie carries the token. Unsafe requests made with the
cookie must echo the session's CSRF token in the X-CSRF-Token header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

import asyncpg
import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service.auth.roles import ROLES
from service.ground.errors import RateLimited, Unauthorized

SESSION_COOKIE = "cr_session"
SESSION_LIFETIME = timedelta(hours=8)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class TooManyAttempts(RateLimited):
    """Sign-in throttled after repeated failures."""


class StaffUser(msgspec.Struct, frozen=True):
    """A signed-in staff member."""

    id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    display_name: str
    role: str
    csrf_token: str

    @property
    def actor(self) -> str:
        """How the audit log names this person."""
        return f"user:{self.id}"


class NewSession(msgspec.Struct, frozen=True):
    """A session just opened: the cookie value and the user."""

    token: str
    user: StaffUser


def hash_password(password: str) -> str:
    """argon2id hash for storage."""
    return _hasher.hash(password)


MIN_PASSWORD_LENGTH = 12


async def create_staff_user(conn: asyncpg.Connection, organization_id: uuid.UUID, *,
                            email: str, display_name: str, role: str,
                            password: str) -> uuid.UUID:
    """Store a staff user with an argon2id hash of ``password``; ValueError for a role that
    does not exist or a password shorter than MIN_PASSWORD_LENGTH."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user_id = uuid.uuid4()
    await conn.execute(
        """INSERT INTO users (id, organization_id, email, display_name, role, password_hash)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        user_id, organization_id, email.strip().lower(), display_name, role,
        hash_password(password))
    return user_id


def _sha(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


async def login(
    conn: asyncpg.Connection, organization_slug: str, email: str, password: str
) -> NewSession:
    """Check the password and open a session; throttled per email after repeated failures."""
    email_key = _sha(email.strip().lower())
    failures = await conn.fetchval(
        "SELECT count(*) FROM login_failures WHERE email_sha256 = $1 AND at > now() - $2::interval",
        email_key, FAILURE_WINDOW,
    )
    if failures >= MAX_FAILURES:
        raise TooManyAttempts("Too many failed sign-ins; wait 15 minutes and try again",
                              retry_after=int(FAILURE_WINDOW.total_seconds()))
    row = await conn.fetchrow(
        """SELECT u.id, u.organization_id, u.email, u.display_name, u.role, u.password_hash
           FROM users u JOIN organizations o ON o.id = u.organization_id
           WHERE o.slug = $1 AND lower(u.email) = lower($2) AND NOT u.disabled""",
        organization_slug, email.strip(),
    )
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
        ok = row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None:
        await conn.execute("INSERT INTO login_failures (email_sha256) VALUES ($1)", email_key)
        raise Unauthorized("Unknown organization, email or password")
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    await conn.execute(
        """INSERT INTO staff_sessions (token_sha256, organization_id, user_id, csrf_token,
               expires_at) VALUES ($1, $2, $3, $4, now() + $5::interval)""",
        _sha(token), row["organization_id"], row["id"], csrf, SESSION_LIFETIME,
    )
    user = StaffUser(row["id"], row["organization_id"], row["email"], row["display_name"],
                     row["role"], csrf)
    return NewSession(token, user)


async def session_user(conn: asyncpg.Connection, token: str) -> StaffUser | None:
    """The user of a live session, or None."""
    if not token or len(token) > 100:
        return None
    row = await conn.fetchrow(
        """SELECT u.id, u.organization_id, u.email, u.display_name, u.role, s.csrf_token
           FROM staff_sessions s JOIN users u
             ON u.id = s.user_id AND u.organization_id = s.organization_id
           WHERE s.token_sha256 = $1 AND s.expires_at > now() AND NOT u.disabled""",
        _sha(token),
    )
    return None if row is None else StaffUser(**dict(row))


async def logout(conn: asyncpg.Connection, token: str) -> None:
    """End the session now."""
    await conn.execute("DELETE FROM staff_sessions WHERE token_sha256 = $1", _sha(token))


def csrf_matches(user: StaffUser, presented: str | None) -> bool:
    """Constant-time comparison of the presented CSRF token with the session's."""
    return presented is not None and hmac.compare_digest(user.csrf_token, presented)
