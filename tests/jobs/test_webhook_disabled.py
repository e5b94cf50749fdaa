"""A disabled webhook endpoint gets nothing: no new deliveries, and a pending one is left
unsent by the worker; enabled again, new events reach it."""

from __future__ import annotations

import uuid

import asyncpg

from service.tenancy.events import emit
from service.tenancy.webhooks import NewWebhook, create_webhook, set_webhook_disabled
from tests.conftest import make_settings
from tests.faces.hr_api.receiver import receiving
from tests.jobs.helpers import wait_for, worker_in_process


async def test_a_disabled_endpoint_is_sent_nothing(
    db_url: str, pool: asyncpg.Pool, org_id: uuid.UUID
) -> None:
    with receiving() as receiver:
        async with pool.acquire() as conn:
            hook = await create_webhook(
                conn,
                org_id,
                NewWebhook(url=receiver.url + "/hooks", events=["result.created"]),
                allow_private=True,
            )
            async with conn.transaction():  # pending when the endpoint is disabled
                await emit(conn, org_id, "result.created", {"id": "before"})
            await set_webhook_disabled(conn, org_id, hook.id, disabled=True)
            async with conn.transaction():
                await emit(conn, org_id, "result.created", {"id": "while disabled"})
        settings = make_settings(database_url=db_url, webhook_allow_private=True)
        async with worker_in_process(settings, pool):
            await wait_for(
                pool,
                "SELECT count(*) = 1 FROM procrastinate_jobs WHERE task_name = 'deliver_webhook' "
                "AND status = 'succeeded'",
            )
        assert receiver.requests == []
        statuses = await pool.fetch("SELECT status FROM webhook_deliveries")
        assert [r["status"] for r in statuses] == ["pending"]  # only the one made before
        async with pool.acquire() as conn:
            await set_webhook_disabled(conn, org_id, hook.id, disabled=False)
            async with conn.transaction():
                await emit(conn, org_id, "result.created", {"id": "after"})
        async with worker_in_process(settings, pool):
            await wait_for(
                pool, "SELECT count(*) = 1 FROM webhook_deliveries WHERE status = 'succeeded'"
            )
        assert len(receiver.requests) == 1
