"""The expiry sweep: finalise and score attempts whose time ran out while nobody was looking.

A periodic task every few seconds; procrastinate defers it once per period however many
workers run, and the queueing lock keeps at most one waiting. ``chartready sweep`` runs the
same pass by hand."""

from __future__ import annotations

import procrastinate

from service.delivery.catalog import catalog_of
from service.delivery.finalize import sweep_once
from service.jobs.engine import app
from service.jobs.runtime import runtime_of
from service.readiness.estimates import thresholds_of

SWEEP_EVERY_SECONDS = 5


@app.periodic(cron=f"* * * * * */{SWEEP_EVERY_SECONDS}")
@app.task(
    name="sweep_expired_attempts", queue="maintenance", queueing_lock="sweep", pass_context=True
)
async def sweep_expired_attempts(context: procrastinate.JobContext, timestamp: int) -> int:
    """Finalise every attempt past its deadline (plus grace); returns how many."""
    runtime = runtime_of(context)
    catalog, thresholds = catalog_of(runtime.content), thresholds_of(runtime.settings)
    total = 0
    while done := await sweep_once(runtime.pool, catalog, thresholds):
        total += done
    return total
