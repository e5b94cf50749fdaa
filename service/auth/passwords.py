"""Password hashing off the event loop, with bounded concurrency and idle CPU priority.

argon2id is deliberately expensive (~0.1 s of CPU and 64 MiB per check). Run on the event
loop, a handful of clients posting sign-ins stalled every other request of the worker. Here
each check runs in a small thread pool (argon2-cffi releases the GIL), at most ``threads``
at once per worker process; up to ``queue`` more sign-ins wait their turn, and anything
beyond that is refused at once with 429, before it touches the database. The hashing
threads run under the idle CPU policy (``SCHED_IDLE``, else nice 19), so under load the
candidates' autosaves keep the CPU and a sign-in waits instead.

Unknown accounts are checked against a dummy hash with the same parameters, so the answer
takes as long whether or not the e-mail exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service.errors import TooManyRequests

if TYPE_CHECKING:
    from litestar import Litestar

HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
DUMMY_HASH = HASHER.hash(secrets.token_hex(16))
"""Verified against when the account is unknown, so timing does not reveal which exist."""
BUSY_RETRY_SECONDS = 1


def _idle_priority() -> None:
    """Thread initializer: take CPU only when nothing else wants it (per thread on Linux)."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux, or not permitted: the next best thing
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def hash_password(password: str) -> str:
    """argon2id hash for storage (synchronous: for the CLI and tests)."""
    return HASHER.hash(password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class PasswordChecker:
    """Checks passwords in ``threads`` idle-priority threads; ``queue`` more may wait."""

    def __init__(self, *, threads: int = 1, queue: int = 16) -> None:
        self.threads, self.capacity = threads, threads + queue
        self._executor = ThreadPoolExecutor(max_workers=threads, initializer=_idle_priority,
                                            thread_name_prefix="password")
        self._slots: asyncio.Semaphore | None = None
        self._admitted = 0
        self.checks = 0
        """Passwords checked so far (a real account's or the dummy hash)."""

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Hold a place among the sign-ins this worker is handling; TooManyRequests (with
        Retry-After) when ``threads + queue`` are already in hand."""
        if self._admitted >= self.capacity:
            raise TooManyRequests(
                "Too many sign-ins are being checked right now; retry in a moment",
                headers={"Retry-After": str(BUSY_RETRY_SECONDS)})
        self._admitted += 1
        try:
            yield
        finally:
            self._admitted -= 1

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored_hash`` (None: an unknown account, checked
        against the dummy hash so it takes as long, and always False)."""
        if self._slots is None:  # created on first use, in the app's event loop
            self._slots = asyncio.Semaphore(self.threads)
        async with self._slots:
            self.checks += 1
            matched = await asyncio.get_running_loop().run_in_executor(
                self._executor, _verify, stored_hash or DUMMY_HASH, password)
        return matched and stored_hash is not None

    def close(self) -> None:
        """Stop the threads (after the checks in progress)."""
        self._executor.shutdown(wait=True, cancel_futures=True)


def password_checker_lifespan(*, threads: int, queue: int) -> Any:
    """Lifespan: ``app.state.passwords`` for the sign-in endpoint, closed at shutdown."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        checker = PasswordChecker(threads=threads, queue=queue)
        app.state.passwords = checker
        try:
            yield
        finally:
            await asyncio.get_running_loop().run_in_executor(None, checker.close)

    return lifespan
