"""Cohort profile rendering: one job per candidate, progress read from the queue.

A coordinator's request is a ``profile_batches`` row (who, which cohort, which variant, how
many); each member's profile is a ``render_profile`` job tagged with the batch, deferred in
the same transaction. Issuing a profile is idempotent (an unchanged profile is stored once),
so a job that runs again after a crash stores nothing twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

import asyncpg
import msgspec
import procrastinate

from service.jobs.defer import defer
from service.jobs.engine import app
from service.jobs.retry import Backoff, PermanentJobError
from service.jobs.runtime import runtime_of
from service.profiles.data import Variant
from service.profiles.sources import load_profile_data
from service.tenancy.cohorts import get_cohort

BatchStatus = Literal["queued", "running", "done", "failed"]


class NothingToReport(PermanentJobError):
    """The candidate has no scored assessment yet."""


@app.task(
    name="render_profile",
    queue="profiles",
    pass_context=True,
    retry=Backoff(attempts=5, first=2, cap=300),
)
async def render_profile(
    context: procrastinate.JobContext,
    *,
    batch: str,
    organization: str,
    candidate: str,
    variant: str,
) -> str:
    """Build, sign, render and store one candidate's profile; returns its id."""
    runtime = runtime_of(context)
    organization_id, candidate_id = uuid.UUID(organization), uuid.UUID(candidate)
    # No transaction around the render: the PDF is made in another process while nothing is
    # locked; storing it is one idempotent statement.
    async with runtime.pool.acquire() as conn:
        built = await load_profile_data(
            conn,
            organization_id=organization_id,
            candidate_id=candidate_id,
            variant=msgspec.convert(variant, Variant),
            content=runtime.content,
        )
        if built is None:
            raise NothingToReport("no scored results to report yet")
        stored = await runtime.profiles.issue(
            conn,
            organization_id=organization_id,
            candidate_id=candidate_id,
            attempt_id=built.attempt_id,
            data=built.data,
        )
    return str(stored.id)


class BatchProgress(msgspec.Struct, frozen=True):
    """A cohort rendering request's progress as shown to coordinators."""

    id: uuid.UUID
    organization_id: uuid.UUID
    cohort_id: uuid.UUID | None
    variant: Variant
    total: int
    done: int
    failed: int
    status: BatchStatus
    created_by: str
    created_at: datetime

    @property
    def percent(self) -> float:
        """Share of profiles finished (done or failed), 0–100."""
        return 100.0 if self.total == 0 else 100.0 * (self.done + self.failed) / self.total


async def request_cohort_profiles(
    conn: asyncpg.Connection,
    *,
    organization_id: uuid.UUID,
    cohort_id: uuid.UUID,
    variant: Variant,
    created_by: str,
) -> BatchProgress:
    """Record the request and defer one job per current member, in one transaction
    (NotFound for an unknown cohort or another organization's)."""
    batch_id = uuid.uuid4()
    async with conn.transaction():
        await get_cohort(conn, organization_id, cohort_id)
        members = await conn.fetch(
            """SELECT candidate_id FROM cohort_members
               WHERE organization_id = $1 AND cohort_id = $2 ORDER BY candidate_id""",
            organization_id,
            cohort_id,
        )
        await conn.execute(
            """INSERT INTO profile_batches (id, organization_id, cohort_id, variant, total,
                                            created_by) VALUES ($1, $2, $3, $4, $5, $6)""",
            batch_id,
            organization_id,
            cohort_id,
            variant,
            len(members),
            created_by,
        )
        for member in members:
            await defer(
                conn,
                render_profile,
                batch=str(batch_id),
                organization=str(organization_id),
                candidate=str(member["candidate_id"]),
                variant=variant,
            )
        progress = await batch_progress(conn, organization_id, batch_id)
    assert progress is not None
    return progress


async def batch_progress(
    conn: asyncpg.Connection, organization_id: uuid.UUID, batch_id: uuid.UUID
) -> BatchProgress | None:
    """The request's progress from its jobs' states, scoped to its organization."""
    row = await conn.fetchrow(
        """SELECT b.id, b.organization_id, b.cohort_id, b.variant, b.total, b.created_by,
                  b.created_at,
                  count(*) FILTER (WHERE j.status = 'succeeded') AS done,
                  count(*) FILTER (WHERE j.status IN ('failed', 'cancelled', 'aborted'))
                      AS failed,
                  count(*) FILTER (WHERE j.status = 'doing') AS doing
           FROM profile_batches b
           LEFT JOIN procrastinate_jobs j ON j.args ? 'batch' AND j.args ->> 'batch' = b.id::text
           WHERE b.organization_id = $1 AND b.id = $2
           GROUP BY b.id""",
        organization_id,
        batch_id,
    )
    if row is None:
        return None
    finished = row["done"] + row["failed"]
    status: BatchStatus = (
        ("failed" if row["failed"] == row["total"] and row["total"] else "done")
        if finished >= row["total"]
        else "running"
        if finished or row["doing"]
        else "queued"
    )
    fields = {
        k: row[k]
        for k in (
            "id",
            "organization_id",
            "cohort_id",
            "variant",
            "total",
            "created_by",
            "created_at",
            "done",
            "failed",
        )
    }
    return BatchProgress(**fields, status=status)


async def cohort_batches(
    conn: asyncpg.Connection, organization_id: uuid.UUID, cohort_id: uuid.UUID, *, limit: int = 3
) -> list[BatchProgress]:
    """The cohort's latest rendering requests with their progress, newest first."""
    ids = await conn.fetch(
        """SELECT id FROM profile_batches WHERE organization_id = $1 AND cohort_id = $2
           ORDER BY created_at DESC, id LIMIT $3""",
        organization_id,
        cohort_id,
        limit,
    )
    found = [await batch_progress(conn, organization_id, r["id"]) for r in ids]
    return [p for p in found if p is not None]


class BatchPdf(msgspec.Struct, frozen=True):
    """One rendered profile of a batch, named for a file in an archive."""

    filename: str
    pdf: bytes


async def batch_pdfs(
    conn: asyncpg.Connection, organization_id: uuid.UUID, batch_id: uuid.UUID
) -> list[BatchPdf]:
    """The PDFs a finished batch rendered: for each candidate whose job succeeded, their
    newest stored profile of the batch's variant (an unchanged profile is stored once, so
    it may predate the batch)."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (p.candidate_id) p.id, p.variant, p.pdf, c.family_name,
                  c.given_name
           FROM profile_batches b
           JOIN procrastinate_jobs j ON j.args ? 'batch' AND j.args ->> 'batch' = b.id::text
                AND j.status = 'succeeded'
           JOIN profiles p ON p.organization_id = b.organization_id
                AND p.candidate_id = (j.args ->> 'candidate')::uuid
                AND p.variant = b.variant AND p.pdf IS NOT NULL
           JOIN candidates c ON c.organization_id = p.organization_id AND c.id = p.candidate_id
           WHERE b.organization_id = $1 AND b.id = $2
           ORDER BY p.candidate_id, p.created_at DESC, p.id""",
        organization_id,
        batch_id,
    )
    return [
        BatchPdf(
            filename=f"{_slug(r['family_name'])}-{_slug(r['given_name'])}-{r['variant']}-"
            f"{str(r['id'])[:8]}.pdf",
            pdf=r["pdf"],
        )
        for r in rows
    ]


def _slug(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")
    return cleaned[:40] or "candidate"
