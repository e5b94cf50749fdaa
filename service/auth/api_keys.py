"""API keys for HR systems: 256 random bits, shown once, stored only as SHA-256.

A fast hash is right here (unlike passwords): the secret is uniformly random and long, so
there is nothing to brute-force, and lookups stay one indexed query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import uuid
from datetime import datetime

import asyncpg
import msgspec

SCOPES = frozenset(
    {
        "candidates:read",
        "candidates:write",
        "invitations:read",
        "invitations:write",
        "results:read",
        "outcomes:write",
        "webhooks:manage",
        "greenhouse",
    }
)


class Principal(msgspec.Struct, frozen=True):
    """Who is calling: an organization's API key and what it may do."""

    organization_id: uuid.UUID
    key_id: uuid.UUID
    scopes: frozenset[str]

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"api_key:{self.key_id}"


class IssuedKey(msgspec.Struct, frozen=True):
    """A freshly created key; `secret` is shown once and never stored."""

    id: uuid.UUID
    name: str
    secret: str
    scopes: list[str]
    created_at: datetime


def digest(secret: str) -> bytes:
    """The stored form of a key."""
    return hashlib.sha256(secret.encode()).digest()


async def create_api_key(
    conn: asyncpg.Connection, organization_id: uuid.UUID, name: str, scopes: list[str]
) -> IssuedKey:
    """Mint, store (hashed) and return a key with the given scopes."""
    unknown = set(scopes) - SCOPES
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    prefix = secrets.token_hex(4)
    secret = f"crk_{prefix}_{secrets.token_urlsafe(32)}"
    key_id = uuid.uuid4()
    created_at = await conn.fetchval(
        """INSERT INTO api_keys (id, organization_id, name, prefix, secret_sha256, scopes)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at""",
        key_id,
        organization_id,
        name,
        prefix,
        digest(secret),
        sorted(scopes),
    )
    return IssuedKey(key_id, name, secret, sorted(scopes), created_at)


class KeySummary(msgspec.Struct, frozen=True):
    """What an administrator sees of a key: never its secret (nor its hash)."""

    prefix: str
    name: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


async def list_api_keys(conn: asyncpg.Connection, organization_id: uuid.UUID) -> list[KeySummary]:
    """The organization's keys, newest first."""
    rows = await conn.fetch(
        """SELECT prefix, name, scopes, created_at, last_used_at, revoked_at FROM api_keys
           WHERE organization_id = $1 ORDER BY created_at DESC""",
        organization_id,
    )
    return [KeySummary(**dict(row)) for row in rows]


async def revoke_api_key(
    conn: asyncpg.Connection, organization_id: uuid.UUID, prefix: str
) -> uuid.UUID | None:
    """Revoke the organization's live key with this prefix at once; its id, or None when
    there is no such live key."""
    key_id: uuid.UUID | None = await conn.fetchval(
        """UPDATE api_keys SET revoked_at = now()
           WHERE organization_id = $1 AND prefix = $2 AND revoked_at IS NULL RETURNING id""",
        organization_id,
        prefix,
    )
    return key_id


def secret_from_header(authorization: str | None) -> str | None:
    """Extract a key from `Bearer <key>` or HTTP Basic with the key as username
    (the Greenhouse convention); None when absent or malformed."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return value.strip() or None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, _, _ = decoded.partition(":")
        return username or None
    return None


RATE_WINDOW_SECONDS = 60
"""Length of the fixed window in which a key's requests are counted."""


class KeyUse(msgspec.Struct, frozen=True):
    """One authenticated request: who, and how much of the key's current window it used."""

    principal: Principal
    window_requests: int
    """Requests in the current window, this one included."""
    window_resets_in: float
    """Seconds until the window starts afresh."""


_WINDOW_OVER = (
    f"(rate_window_start IS NULL OR "
    f"rate_window_start <= now() - interval '{RATE_WINDOW_SECONDS} seconds')"
)
# The count and last use are bookkeeping: losing the last instant of them in a crash is
# harmless, so this statement's own (implicit) transaction commits without waiting for the
# disk: set_config(..., true) lasts until that commit. Every HR API request makes one.
_AUTHENTICATE = f"""
UPDATE api_keys SET last_used_at = now(),
    rate_window_start = CASE WHEN {_WINDOW_OVER} THEN now() ELSE rate_window_start END,
    rate_window_count = CASE WHEN {_WINDOW_OVER} THEN 1
                             ELSE least(rate_window_count, 2147483646) + 1 END
FROM (SELECT set_config('synchronous_commit', 'off', true)) AS bookkeeping
WHERE secret_sha256 = $1 AND revoked_at IS NULL
RETURNING id, organization_id, scopes, rate_window_count,
    extract(epoch FROM rate_window_start + interval '{RATE_WINDOW_SECONDS} seconds' - now())
        AS resets_in
"""  # noqa: S608 - the only interpolations are constants


async def authenticate(conn: asyncpg.Connection, secret: str) -> KeyUse | None:
    """The principal for a live key and its use of the current rate window (one UPDATE,
    counted across all workers), or None for unknown or revoked keys."""
    if not secret.startswith("crk_") or len(secret) > 200:
        return None
    row = await conn.fetchrow(_AUTHENTICATE, digest(secret))
    if row is None:
        return None
    principal = Principal(row["organization_id"], row["id"], frozenset(row["scopes"]))
    return KeyUse(principal, row["rate_window_count"], float(row["resets_in"]))
