"""The app's profile runtime: started in the lifespan, handed to handlers as dependencies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import NamedDependency

from service.ground.settings import Settings
from service.profiles.runtime import ProfileRuntime
from service.profiles.signing import ProfileSigner


def profiles_lifespan(
    settings: Settings,
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Lifespan: start the render pool and expose ``app.state.profiles``; stop it at the end."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        runtime = ProfileRuntime.from_settings(settings)
        app.state.profiles = runtime
        try:
            yield
        finally:
            await asyncio.get_running_loop().run_in_executor(None, runtime.close)

    return lifespan


def provide_profiles(state: State) -> ProfileRuntime:
    """Dependency ``profiles``."""
    runtime: ProfileRuntime = state.profiles
    return runtime


def provide_profile_signer(state: State) -> ProfileSigner:
    """Dependency ``profile_signer`` (used by the verify face)."""
    runtime: ProfileRuntime = state.profiles
    return runtime.signer


CurrentProfiles = NamedDependency[ProfileRuntime]
"""Annotate a handler parameter named ``profiles`` with this to get the runtime."""
