"""Password hashing off the event loop, with bounded concurrency and idle CPU priority.

argon2id is deliberately expensive (~0.1 s of CPU and 64 MiB per check). Run on the event
loop, a handful of clients posting sign-ins stalled every other request of the worker. Here
each check runs in a small pool of separate processes (``workers`` per app worker), so
neither the GIL nor argon2's large allocations (page faults, unmapping, the address-space
lock) touch the process that answers candidates; those processes run under the idle CPU
policy (``SCHED_IDLE``, else nice 19), so under load the autosaves keep the CPU and a
sign-in waits instead. Up to ``queue`` more sign-ins wait their turn; anything beyond that
is refused at once with 429, before it touches the database.

Unknown accounts are checked against a dummy hash with the same parameters, so the answer
takes as long whether or not the e-mail exists.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import secrets
import time
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager

from argon2 import PasswordHasher

from service.auth import hashing_worker
from service.ground.errors import RateLimited

HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
DUMMY_HASH = HASHER.hash(secrets.token_hex(16))
"""Verified against when the account is unknown, so timing does not reveal which exist."""
BUSY_RETRY_SECONDS = 1
HASH_CPU_SHARE = 0.15
"""Largest share of a CPU core one hashing slot may use, however many sign-ins arrive:
argon2id streams 64 MiB per check, which slows others' memory and caches even at idle
priority, so a flood of sign-ins is also paced."""


def hash_password(password: str) -> str:
    """argon2id hash for storage (synchronous: for the CLI and tests)."""
    return HASHER.hash(password)


class PasswordChecker:
    """Checks passwords in ``workers`` idle-priority processes (started on first use);
    ``queue`` more sign-ins may wait."""

    def __init__(self, *, workers: int = 1, queue: int = 16) -> None:
        self.workers, self.capacity = workers, workers + queue
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=hashing_worker.lower_priority,
        )
        self._slots: asyncio.Semaphore | None = None
        self._admitted = 0
        self.checks = 0
        """Passwords checked so far (a real account's or the dummy hash)."""

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Hold a place among the sign-ins this worker is handling; RateLimited (429 with
        Retry-After) when ``workers + queue`` are already in hand."""
        if self._admitted >= self.capacity:
            raise RateLimited(
                "Too many sign-ins are being checked right now; retry in a moment",
                retry_after=BUSY_RETRY_SECONDS,
            )
        self._admitted += 1
        try:
            yield
        finally:
            self._admitted -= 1

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored_hash`` (None: an unknown account, checked
        against the dummy hash so it takes as long, and always False)."""
        if self._slots is None:  # created on first use, in the app's event loop
            self._slots = asyncio.Semaphore(self.workers)
        async with self._slots:
            self.checks += 1
            began = time.monotonic()
            matched = await asyncio.get_running_loop().run_in_executor(
                self._executor, hashing_worker.verify, stored_hash or DUMMY_HASH, password
            )
            # Keep the slot a while longer, so checks use at most HASH_CPU_SHARE of a core
            # per slot however many arrive (a lone sign-in is not delayed by this).
            await asyncio.sleep((time.monotonic() - began) * (1 / HASH_CPU_SHARE - 1))
        return matched and stored_hash is not None

    def close(self) -> None:
        """Stop the processes (after the checks in progress)."""
        self._executor.shutdown(wait=True, cancel_futures=True)
