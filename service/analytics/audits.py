"""Stored bias audits: run one over the organization's data, keep it, list and read them.

A stored audit fixes its date and numbers, so the summary an employer publishes can be
reproduced; LL144 lets an employer rely on an audit for one year (``valid_until``).
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

from service.analytics.population import Outcome
from service.analytics.reports import BiasAuditReport, bias_audit_report
from service.analytics.selection import Selection
from service.assessments.bank import ContentVersion
from service.ground.errors import NotFound
from service.tenancy import audit as audit_log


class AuditRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What to audit: the outcome and, optionally, one assessment, cohort and date range."""

    outcome: Outcome
    assessment_id: str | None = None
    cohort_id: uuid.UUID | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class StoredAudit(msgspec.Struct, frozen=True, kw_only=True):
    """A bias audit as run and kept."""

    id: uuid.UUID
    created_at: dt.datetime
    created_by: str
    valid_until: dt.date
    report: BiasAuditReport


class AuditListing(msgspec.Struct, frozen=True, kw_only=True):
    """One stored audit in a list."""

    id: uuid.UUID
    created_at: dt.datetime
    created_by: str
    valid_until: dt.date
    outcome: Outcome
    assessment_id: str | None
    data_source: str
    individuals: int


def valid_until(created_at: dt.datetime) -> dt.date:
    """One year after the audit (LL144: an audit older than a year may not be relied on)."""
    day = created_at.date()
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


async def create_audit(
    conn: asyncpg.Connection,
    content: ContentVersion,
    organization_id: uuid.UUID,
    request: AuditRequest,
    *,
    actor: str,
) -> StoredAudit:
    """Run the audit on the stored data, keep it, and note it in the audit log."""
    selection = Selection(
        cohort_id=request.cohort_id, date_from=request.date_from, date_to=request.date_to
    )
    report = await bias_audit_report(
        conn,
        content,
        organization_id,
        selection,
        outcome=request.outcome,
        assessment_id=request.assessment_id,
    )
    audit_id = uuid.uuid4()
    async with conn.transaction():
        created_at: dt.datetime = await conn.fetchval(
            """INSERT INTO bias_audits (id, organization_id, outcome, assessment_id, cohort_id,
                   date_from, date_to, data_source, report, created_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING created_at""",
            audit_id,
            organization_id,
            request.outcome,
            request.assessment_id,
            request.cohort_id,
            request.date_from,
            request.date_to,
            report.coverage.data_source.kind,
            msgspec.to_builtins(report),
            actor,
        )
        await audit_log.record(
            conn,
            organization_id,
            actor=actor,
            action="bias_audit.create",
            subject_kind="bias_audit",
            subject_id=audit_id,
        )
    return StoredAudit(
        id=audit_id,
        created_at=created_at,
        created_by=actor,
        valid_until=valid_until(created_at),
        report=report,
    )


async def list_audits(
    conn: asyncpg.Connection, organization_id: uuid.UUID, *, limit: int = 50
) -> list[AuditListing]:
    """The organization's stored audits, newest first."""
    rows = await conn.fetch(
        """SELECT id, created_at, created_by, outcome, assessment_id, data_source,
                  (report -> 'audit' ->> 'n')::int AS individuals
           FROM bias_audits WHERE organization_id = $1
           ORDER BY created_at DESC, id LIMIT $2""",
        organization_id,
        limit,
    )
    return [AuditListing(valid_until=valid_until(r["created_at"]), **dict(r)) for r in rows]


async def get_audit(
    conn: asyncpg.Connection, organization_id: uuid.UUID, audit_id: uuid.UUID
) -> StoredAudit:
    """One stored audit of the organization (NotFound otherwise)."""
    row = await conn.fetchrow(
        """SELECT id, created_at, created_by, report FROM bias_audits
           WHERE organization_id = $1 AND id = $2""",
        organization_id,
        audit_id,
    )
    if row is None:
        raise NotFound(f"No bias audit {audit_id}", field="audit_id")
    return StoredAudit(
        id=row["id"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        valid_until=valid_until(row["created_at"]),
        report=msgspec.convert(row["report"], BiasAuditReport),
    )
