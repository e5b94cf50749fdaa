"""Profile services for the running app: signer, render pool, job runner, lifespan, DI.

Mount in ``create_app``::

    lifespan=[pool_lifespan(settings, database_url), profiles_lifespan(settings)],
    dependencies={..., "profiles": Provide(provide_profiles, sync_to_thread=False),
                  "profile_signer": Provide(provide_profile_signer, sync_to_thread=False)},
    route_handlers=[..., VerificationController],

``profiles_lifespan`` must come after the database lifespan: it resumes unfinished cohort
jobs on the app's pool at start, and stops the render workers at shutdown (jobs in flight
stay pending in the database and resume at the next start).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg
from litestar.di import NamedDependency

from service.profiles import repository
from service.profiles.data import ProfileData
from service.profiles.issue import issue_profile
from service.profiles.jobs import ProfileBuilder, ProfileJobRunner, resume_open_jobs, run_job
from service.profiles.pool import RenderPool
from service.profiles.signing import ProfileSigner, load_or_create_seed

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.datastructures import State

    from service.settings import Settings

SIGNING_KEY_FILE = "profile-signing-key"


def signer_from_settings(settings: Settings) -> ProfileSigner:
    """The signer from CHARTREADY_PROFILE_SIGNING_KEY, or from a seed kept in the data dir."""
    seed = settings.profile_signing_key or load_or_create_seed(
        Path(settings.data_dir) / SIGNING_KEY_FILE
    )
    return ProfileSigner.from_settings(seed, settings.profile_verify_keys)


class ProfileRuntime:
    """What request handlers need to issue and download profiles and run cohort jobs."""

    def __init__(
        self,
        *,
        signer: ProfileSigner,
        render_pool: RenderPool,
        public_base_url: str,
        db_pool: asyncpg.Pool | None = None,
        builder: ProfileBuilder | None = None,
    ) -> None:
        self.signer = signer
        self.render_pool = render_pool
        self.public_base_url = public_base_url
        self.db_pool = db_pool
        self.builder = builder
        self.tasks: set[asyncio.Task[None]] = set()

    async def issue(
        self,
        conn: asyncpg.Connection,
        *,
        organization_id: uuid.UUID,
        candidate_id: uuid.UUID,
        attempt_id: uuid.UUID | None,
        data: ProfileData,
    ) -> repository.StoredProfile:
        """Sign, render (in the pool) and store ``data``, or return the identical stored one."""
        return await issue_profile(
            conn,
            organization_id=organization_id,
            candidate_id=candidate_id,
            attempt_id=attempt_id,
            data=data,
            signer=self.signer,
            renderer=self.render_pool,
            public_base_url=self.public_base_url,
        )

    def job_runner(self) -> ProfileJobRunner:
        """A runner for cohort jobs (needs the app's pool and a builder)."""
        if self.db_pool is None or self.builder is None:
            raise RuntimeError("cohort jobs need the database pool and a profile builder")
        return ProfileJobRunner(
            pool=self.db_pool,
            build=self.builder,
            signer=self.signer,
            renderer=self.render_pool,
            public_base_url=self.public_base_url,
            concurrency=self.render_pool.workers,
        )

    def start_job(self, job_id: uuid.UUID) -> asyncio.Task[None]:
        """Process a queued job in the background (after ``create_cohort_job`` committed)."""
        task = asyncio.create_task(run_job(self.job_runner(), job_id))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task


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
