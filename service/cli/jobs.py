"""`chartready worker` runs background jobs; `chartready jobs` looks at and retries them."""

from __future__ import annotations

import argparse
import asyncio
import sys

from service.cli.common import Add, database_url
from service.ground.settings import Settings


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run a job worker until SIGTERM or SIGINT (running jobs finish first)."""
    from service.assessments.content import load_content  # noqa: PLC0415
    from service.ground.db import create_pool  # noqa: PLC0415
    from service.ground.logs import configure_logging  # noqa: PLC0415
    from service.jobs.runtime import JobRuntime  # noqa: PLC0415
    from service.jobs.worker import QUEUES, connected, worker_options  # noqa: PLC0415
    from service.profiles.runtime import ProfileRuntime  # noqa: PLC0415

    url = database_url(settings)
    queues = [q.strip() for q in args.queues.split(",")] if args.queues else None
    unknown = sorted(set(queues or ()) - set(QUEUES))
    if unknown:
        print(
            f"chartready worker: unknown queue(s) {', '.join(unknown)}; known: {', '.join(QUEUES)}",
            file=sys.stderr,
        )
        return 2
    configure_logging(settings.log_level)

    async def work() -> None:
        pool = await create_pool(url, min_size=1, max_size=settings.db_pool_max)
        profiles = ProfileRuntime.from_settings(settings)
        try:
            runtime = JobRuntime(
                pool=pool, content=load_content(), settings=settings, profiles=profiles
            )
            async with connected(url) as jobs:
                await jobs.run_worker_async(
                    **worker_options(settings, runtime, concurrency=args.concurrency, queues=queues)
                )
        finally:
            await pool.close()
            await asyncio.get_running_loop().run_in_executor(None, profiles.close)

    asyncio.run(work())
    return 0


def cmd_jobs(args: argparse.Namespace, settings: Settings) -> int:
    """List recent jobs by status with their last error, or retry a failed one."""
    import asyncpg  # noqa: PLC0415

    from service.ground.errors import ChartReadyError  # noqa: PLC0415
    from service.jobs.inspect import recent_jobs, retry_failed_job  # noqa: PLC0415

    async def run() -> str:
        conn = await asyncpg.connect(database_url(settings))
        try:
            if args.retry is not None:
                await retry_failed_job(conn, args.retry)
                return f"job {args.retry} queued again"
            jobs = await recent_jobs(conn, status=args.status, limit=args.limit)
        finally:
            await conn.close()
        lines = [f"{'id':>8}  {'status':<10} {'tries':>5}  {'task':<40} last error"]
        lines += [
            f"{j.id:>8}  {j.status:<10} {j.attempts:>5}  {j.task:<40} {j.last_error or ''}"
            for j in jobs
        ]
        return "\n".join(lines)

    try:
        print(asyncio.run(run()))
    except ChartReadyError as problem:
        print(f"chartready jobs: {problem.detail}", file=sys.stderr)
        return 1
    return 0


def register(add: Add) -> None:
    """The commands of this module."""
    p = add(
        "worker",
        cmd_worker,
        "Run a background job worker (several may run on several "
        "machines); SIGTERM lets running jobs finish.",
    )
    p.add_argument(
        "--concurrency", type=int, help="jobs at a time (default CHARTREADY_JOBS_CONCURRENCY)"
    )
    p.add_argument(
        "--queues", help="comma-separated queues to serve (default: all): profiles, maintenance"
    )
    from service.jobs.inspect import STATUSES  # noqa: PLC0415

    p = add(
        "jobs",
        cmd_jobs,
        "List recent background jobs with their last error, or retry a failed one.",
    )
    p.add_argument("--status", choices=STATUSES, help="only jobs in this status")
    p.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    p.add_argument("--retry", type=int, metavar="JOB_ID", help="queue this failed job again")
