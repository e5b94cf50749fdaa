"""The password checker's place in the app: ``app.state.passwords`` for the sign-in
endpoint, started with the app and stopped with it (``service.auth.passwords``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar

from service.auth.passwords import PasswordChecker


def password_checker_lifespan(*, workers: int, queue: int) -> Any:
    """Lifespan: ``app.state.passwords`` for the sign-in endpoint, closed at shutdown."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        checker = PasswordChecker(workers=workers, queue=queue)
        app.state.passwords = checker
        try:
            yield
        finally:
            await asyncio.get_running_loop().run_in_executor(None, checker.close)

    return lifespan
