"""The app's profile runtime: started in the lifespan, handed to handlers as dependencies.

``profiles_lifespan`` must come after the database lifespan: it resumes unfinished cohort
jobs on the app's pool at start, and stops the render workers at shutdown (jobs in flight
stay pending in the database and resume at the next start).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import NamedDependency

from service.ground.settings import Settings
from service.profiles.jobs import ProfileBuilder, resume_open_jobs
from service.profiles.pool import RenderPool
from service.profiles.runtime import ProfileRuntime, signer_from_settings
from service.profiles.signing import ProfileSigner


def profiles_lifespan(
    settings: Settings, *, builder_factory: Callable[[], ProfileBuilder] | None = None
) -> Any:
    """Lifespan: start the render pool, expose ``app.state.profiles``, resume open jobs.

    ``builder_factory`` (e.g. ``lambda: database_builder(load_content())``) enables cohort
    jobs; without it profiles can still be issued and verified.
    """

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        render_pool = RenderPool(workers=settings.pdf_workers)
        runtime = ProfileRuntime(
            signer=signer_from_settings(settings),
            render_pool=render_pool,
            public_base_url=settings.public_base_url,
            db_pool=getattr(app.state, "pool", None),
            builder=builder_factory() if builder_factory else None,
        )
        app.state.profiles = runtime
        try:
            if runtime.db_pool is not None and runtime.builder is not None:
                for task in await resume_open_jobs(runtime.job_runner()):
                    runtime.tasks.add(task)
                    task.add_done_callback(runtime.tasks.discard)
            yield
        finally:
            for task in list(runtime.tasks):
                task.cancel()
            for task in list(runtime.tasks):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await asyncio.get_running_loop().run_in_executor(None, render_pool.close)

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
