"""Keeping the queue healthy: jobs of a dead worker are retried, old finished jobs removed."""

from __future__ import annotations

import procrastinate

from service.jobs.engine import app
from service.jobs.runtime import runtime_of

KEEP_SUCCEEDED_HOURS = 24 * 30
"""Finished jobs (and cohort progress read from them) stay visible this long."""


@app.periodic(cron="* * * * * */15")
@app.task(
    name="retry_stalled_jobs", queue="maintenance", queueing_lock="stalled", pass_context=True
)
async def retry_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> int:
    """Put back in the queue every job left 'doing' by a worker whose heartbeat stopped (a
    SIGKILL, a lost machine); returns how many."""
    settings = runtime_of(context).settings
    manager = context.app.job_manager
    stalled = list(
        await manager.get_stalled_jobs(seconds_since_heartbeat=3 * settings.jobs_heartbeat_seconds)
    )
    for job in stalled:
        await manager.retry_job(job)
    return len(stalled)


@app.periodic(cron="17 3 * * *")
@app.task(name="remove_old_jobs", queue="maintenance", queueing_lock="old-jobs", pass_context=True)
async def remove_old_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
    """Delete succeeded jobs older than ``KEEP_SUCCEEDED_HOURS``; failed ones are kept."""
    await context.app.job_manager.delete_old_jobs(nb_hours=KEEP_SUCCEEDED_HOURS)
