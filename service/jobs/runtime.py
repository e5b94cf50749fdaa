"""What a job needs to do its work, handed to every task through the job context."""

from __future__ import annotations

import asyncpg
import procrastinate

from service.assessments.bank import ContentVersion
from service.ground.settings import Settings
from service.profiles.runtime import ProfileRuntime

RUNTIME_KEY = "chartready"


class JobRuntime:
    """The database pool (asyncpg, as everywhere else), the loaded content, the settings and
    the profile services, shared by every job a worker runs."""

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        content: ContentVersion,
        settings: Settings,
        profiles: ProfileRuntime,
    ) -> None:
        self.pool = pool
        self.content = content
        self.settings = settings
        self.profiles = profiles

    def context(self) -> dict[str, object]:
        """The worker's ``additional_context``."""
        return {RUNTIME_KEY: self}


def runtime_of(context: procrastinate.JobContext) -> JobRuntime:
    """The runtime of the worker running this job."""
    runtime = context.additional_context[RUNTIME_KEY]
    assert isinstance(runtime, JobRuntime)
    return runtime
