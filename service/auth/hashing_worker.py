"""What runs inside the password-hashing worker processes (kept free of heavy imports, so a
worker starts in a fraction of a second)."""

from __future__ import annotations

import contextlib
import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()


def lower_priority() -> None:
    """Process initializer: take CPU only when nothing else wants it (``SCHED_IDLE``, else
    nice 19); argon2's own lane threads inherit it."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux, or not permitted: the next best thing
        with contextlib.suppress(AttributeError, OSError):
            os.nice(19)


def verify(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches the argon2 ``stored_hash`` (False for a malformed one)."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
