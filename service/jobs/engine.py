"""The one procrastinate App every job module registers its tasks on.

procrastinate ties each task to one App; this one has no database until ``worker.connected``
points it at one. ``import_paths`` makes a worker import every job module, so it knows every
task whatever imported it.
"""

from __future__ import annotations

import procrastinate

JOB_MODULES = (
    "service.jobs.profiles",
    "service.jobs.expiry",
    "service.jobs.maintenance",
    "service.jobs.webhooks",
    "service.jobs.emails",
    "service.jobs.hr_upkeep",
)

app = procrastinate.App(connector=procrastinate.PsycopgConnector(), import_paths=list(JOB_MODULES))
