"""The audit log: who read or changed which candidate's results, and why."""

from __future__ import annotations

import uuid

import asyncpg


async def record(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    *,
    actor: str,
    action: str,
    subject_kind: str,
    subject_id: object,
    reason: str | None = None,
) -> None:
    """Append one entry; never holds PII beyond ids."""
    await conn.execute(
        """INSERT INTO audit_log (organization_id, actor, action, subject_kind, subject_id, reason)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        organization_id,
        actor,
        action,
        subject_kind,
        str(subject_id),
        reason,
    )
