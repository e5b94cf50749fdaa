"""Profile services for a running process: the signer, the render pool and cohort jobs.

``service.web.profiles`` starts one for the app; the CLI and benchmarks build their own.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg

from service.profiles import repository
from service.profiles.data import ProfileData
from service.profiles.issue import issue_profile
from service.profiles.jobs import ProfileBuilder, ProfileJobRunner, run_job
from service.profiles.pool import RenderPool
from service.profiles.signing import ProfileSigner, load_or_create_seed

if TYPE_CHECKING:
    from service.ground.settings import Settings

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
