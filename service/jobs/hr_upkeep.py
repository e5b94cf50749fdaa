"""Periodic upkeep of the HR integration, every minute: reminders before invitations
expire, stored links of ended invitations forgotten, expired idempotency keys and profile
links removed, and any scored attempt without a published result published (attempts scored
before results were published)."""

from __future__ import annotations

import procrastinate

from service.delivery.reminders import forget_ended_links, queue_reminders
from service.jobs.engine import app
from service.jobs.runtime import runtime_of
from service.results.published import publish_result, unpublished_attempts


@app.periodic(cron="* * * * *")
@app.task(name="hr_upkeep", queue="maintenance", queueing_lock="hr-upkeep", pass_context=True)
async def hr_upkeep(context: procrastinate.JobContext, timestamp: int) -> dict[str, int]:
    """One pass; returns what it did, by kind."""
    runtime = runtime_of(context)
    settings = runtime.settings
    done: dict[str, int] = {}
    async with runtime.pool.acquire() as conn:
        async with conn.transaction():
            done["reminders"] = await queue_reminders(
                conn,
                hours_before=settings.reminder_hours_before_expiry,
                smtp=settings.smtp_configured,
            )
        done["links_forgotten"] = await forget_ended_links(conn)
        done["idempotency_keys_removed"] = int(
            (await conn.execute("DELETE FROM idempotency_keys WHERE expires_at <= now()")).split()[
                -1
            ]
        )
        done["profile_links_removed"] = int(
            (
                await conn.execute(
                    "DELETE FROM profile_links WHERE expires_at <= now() - interval '30 days'"
                )
            ).split()[-1]
        )
        published = 0
        for organization_id, attempt_id in await unpublished_attempts(conn):
            if await publish_result(conn, runtime.content, organization_id, attempt_id):
                published += 1
        done["results_published"] = published
    return done
