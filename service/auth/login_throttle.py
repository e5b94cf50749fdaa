"""Sign-in throttling: per client address, per account from that address, and per account.

Every attempt is counted *before* its password is checked, by an atomic upsert in
PostgreSQL (so it holds across workers, and 60 concurrent guesses get exactly the allowed
number of checks). Three counters, in this order, each in a fixed 15-minute window:

- the client address, across accounts: ``ADDRESS_LIMIT`` attempts (a successful sign-in
  gives its attempt back, so an office behind one address is not locked out by its own
  staff);
- the account (organization + e-mail) from that address: ``ACCOUNT_ADDRESS_LIMIT``
  attempts, then that address is locked out of that account for the rest of the window; a
  success clears it. The owner signing in from elsewhere is unaffected;
- the account from every address: ``ACCOUNT_FREE`` attempts, then a short back-off of one
  attempt per ``ACCOUNT_SPACING`` (a guesser spread over many addresses gets no more than
  that, and the real owner still gets in after at most a few seconds, never a hard lock).

An attempt refused by any counter is not counted by the others (the counting runs in one
transaction that is rolled back on refusal). Counters are keyed by SHA-256 digests, never
by the e-mail or address themselves, and rows are deleted once their window is long past.
"""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

import asyncpg
import msgspec

WINDOW = timedelta(minutes=15)
ADDRESS_LIMIT = 30
ACCOUNT_ADDRESS_LIMIT = 5
ACCOUNT_FREE = 10
ACCOUNT_SPACING = timedelta(seconds=5)
_CLEANUP_ODDS = 50  # one attempt in this many deletes long-expired rows

_TAKE = """
INSERT INTO login_throttle AS t (key_sha256, window_start, attempts, next_at)
VALUES ($1, now(), 1, now())
ON CONFLICT (key_sha256) DO UPDATE SET
    window_start = CASE WHEN t.window_start <= now() - $2::interval THEN now()
                        ELSE t.window_start END,
    attempts = CASE WHEN t.window_start <= now() - $2::interval THEN 1
                    ELSE t.attempts + 1 END,
    next_at = CASE WHEN t.window_start <= now() - $2::interval OR t.attempts + 1 < $3
                   THEN now() ELSE now() + coalesce($4::interval, interval '0') END
WHERE t.window_start <= now() - $2::interval OR t.attempts < $3
   OR ($4::interval IS NOT NULL AND t.next_at <= now())
RETURNING attempts
"""

_RETRY_AFTER = """
SELECT greatest(1, ceil(extract(epoch FROM
           CASE WHEN $3::interval IS NULL THEN window_start + $2::interval
                ELSE least(next_at, window_start + $2::interval) END - now())))::int
FROM login_throttle WHERE key_sha256 = $1
"""


class Keys(msgspec.Struct, frozen=True):
    """The three counters' keys for one attempt."""

    address: bytes
    account_address: bytes
    account: bytes


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x00".join(parts).encode()).digest()


def keys_for(organization: str, email: str, address: str) -> Keys:
    """Counter keys for a sign-in to ``organization``/``email`` from ``address``."""
    account = (organization.strip().lower(), email.strip().lower())
    return Keys(
        address=_digest("address", address),
        account_address=_digest("account-address", *account, address),
        account=_digest("account", *account),
    )


class _Refused(Exception):
    """Raised inside the counting transaction to roll it back."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


async def take_attempt(conn: asyncpg.Connection, keys: Keys) -> int | None:
    """Count one attempt on every counter; None when allowed, else the seconds until the
    refusing counter allows another (and nothing is counted)."""
    if random.randrange(_CLEANUP_ODDS) == 0:  # noqa: S311 - not a secret
        await conn.execute(
            "DELETE FROM login_throttle WHERE window_start < now() - $1::interval", WINDOW * 4
        )
    steps = (
        (keys.address, ADDRESS_LIMIT, None),
        (keys.account_address, ACCOUNT_ADDRESS_LIMIT, None),
        (keys.account, ACCOUNT_FREE, ACCOUNT_SPACING),
    )
    try:
        async with conn.transaction():  # row locks in this fixed order: no deadlock
            for key, limit, spacing in steps:
                if await conn.fetchval(_TAKE, key, WINDOW, limit, spacing) is None:
                    raise _Refused(await conn.fetchval(_RETRY_AFTER, key, WINDOW, spacing))
    except _Refused as refused:
        return refused.retry_after
    return None


async def forgive(conn: asyncpg.Connection, keys: Keys) -> None:
    """After a successful sign-in: its attempt does not count against the address, and the
    account's lockout from this address is cleared."""
    await conn.execute(
        """WITH gone AS (DELETE FROM login_throttle WHERE key_sha256 = $2)
           UPDATE login_throttle SET attempts = greatest(attempts - 1, 0)
           WHERE key_sha256 = $1""",
        keys.address,
        keys.account_address,
    )
