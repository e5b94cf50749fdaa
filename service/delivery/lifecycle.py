"""An invitation's life as HR systems see it: started (the candidate consented), completed
(every assessment of the package is finished), with the events that announce each, once."""

from __future__ import annotations

import uuid

import asyncpg

from service.tenancy import events


def _links(candidate_id: uuid.UUID, invitation_id: uuid.UUID) -> dict[str, str]:
    return {
        "invitation": f"/api/v1/invitations/{invitation_id}",
        "candidate": f"/api/v1/candidates/{candidate_id}",
    }


async def mark_started(
    conn: asyncpg.Connection, organization_id: uuid.UUID, invitation_id: uuid.UUID
) -> bool:
    """Record consent as the start (first time only) and emit ``invitation.started``;
    whether this call was the first."""
    candidate_id = await conn.fetchval(
        """UPDATE invitations SET consented_at = now(), started_at = coalesce(started_at, now())
           WHERE organization_id = $1 AND id = $2 AND consented_at IS NULL
           RETURNING candidate_id""",
        organization_id,
        invitation_id,
    )
    if candidate_id is None:
        return False
    await events.emit(
        conn,
        organization_id,
        "invitation.started",
        {
            "invitation_id": str(invitation_id),
            "candidate_id": str(candidate_id),
            "links": _links(candidate_id, invitation_id),
        },
        invitation_id=invitation_id,
    )
    return True


async def attempt_completed(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    *,
    attempt_id: uuid.UUID,
    invitation_id: uuid.UUID,
    candidate_id: uuid.UUID,
    assessment_id: str,
    reason: str,
) -> None:
    """Emit ``attempt.completed``; when it was the package's last open assessment, mark the
    invitation completed and emit ``invitation.completed`` (once)."""
    await events.emit(
        conn,
        organization_id,
        "attempt.completed",
        {
            "attempt_id": str(attempt_id),
            "invitation_id": str(invitation_id),
            "candidate_id": str(candidate_id),
            "assessment_id": assessment_id,
            "reason": reason,
            "links": {
                **_links(candidate_id, invitation_id),
                "result": f"/api/v1/results/{attempt_id}",
            },
        },
        invitation_id=invitation_id,
    )
    done = await conn.fetchval(
        """UPDATE invitations i SET completed_at = now()
           WHERE i.organization_id = $1 AND i.id = $2 AND i.completed_at IS NULL
             AND NOT EXISTS (
                 SELECT 1 FROM unnest(i.assessments) AS p(assessment_id)
                 WHERE NOT EXISTS (SELECT 1 FROM attempts t
                                   WHERE t.invitation_id = i.id
                                     AND t.assessment_id = p.assessment_id
                                     AND t.status <> 'in_progress'))
           RETURNING true""",
        organization_id,
        invitation_id,
    )
    if done:
        await events.emit(
            conn,
            organization_id,
            "invitation.completed",
            {
                "invitation_id": str(invitation_id),
                "candidate_id": str(candidate_id),
                "links": _links(candidate_id, invitation_id),
            },
            invitation_id=invitation_id,
        )
