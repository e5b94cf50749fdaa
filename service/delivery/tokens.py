"""Invitation tokens: 192 random bits in the link, only their SHA-256 stored.

A fast hash is right for uniformly random secrets (nothing to brute-force) and keeps the
lookup one indexed equality, which the autosave hot path relies on.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 24  # 192 bits; the brief asks for at least 128
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def mint_token() -> str:
    """A fresh URL-safe token (32 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> bytes | None:
    """The stored form of ``token``; None when it cannot be one of ours (tampered)."""
    if not _TOKEN.match(token):
        return None
    return hashlib.sha256(token.encode()).digest()
