"""Staff: an attempt's integrity signals, with their context (never a verdict)."""

from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.params import FromPath

from service.delivery.integrity import IntegrityEvent, list_events
from service.tenancy import audit
from service.web.database import Conn
from service.web.guards import STAFF_SECURITY, CurrentStaff, require_staff


class AttemptIntegrityController(Controller):
    """Integrity signals for coordinators and admins; every read is audited."""

    path = "/staff/attempts"
    tags = ["staff"]  # noqa: RUF012
    guards = [require_staff]  # noqa: RUF012
    security = STAFF_SECURITY

    @get(
        "/{attempt_id:uuid}/integrity-events",
        operation_id="attemptIntegrityEvents",
        summary="An attempt's integrity signals",
        opt={"role": "coordinator"},
    )
    async def events(
        self, attempt_id: FromPath[uuid.UUID], conn: Conn, staff: CurrentStaff
    ) -> list[IntegrityEvent]:
        """Focus losses, hidden tabs, pastes into written answers, implausibly fast answers
        and simultaneous use in a second tab, in the order they happened, with severity and
        context. They are signals for a person to weigh, never an automatic decision; events
        of candidates with an accommodation carry severity `info`."""
        async with conn.transaction():
            found = await list_events(conn, staff.organization_id, attempt_id)
            await audit.record(
                conn,
                staff.organization_id,
                actor=staff.actor,
                action="integrity.read",
                subject_kind="attempt",
                subject_id=attempt_id,
            )
        return found
