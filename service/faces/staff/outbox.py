"""Staff: the e-mail outbox, where candidate e-mails wait when SMTP is not configured."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from service.delivery.emails import OutboxMessage, outbox
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import STAFF_SECURITY, CurrentStaff, require_staff


class OutboxController(Controller):
    """Messages kept for staff to read (and pass on) when nothing sends e-mail."""

    path = "/staff/outbox"
    tags = ["staff"]  # noqa: RUF012
    guards = [require_staff]  # noqa: RUF012
    security = STAFF_SECURITY

    @get(
        operation_id="staffOutbox",
        summary="E-mails waiting in the outbox",
        opt={"role": "coordinator"},
    )
    async def index(
        self,
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[OutboxMessage]:
        """Newest first, composed as they would be sent (plain text and HTML). Without
        CHARTREADY_SMTP_HOST every invitation and reminder waits here, never lost."""
        return await outbox(conn, staff.organization_id, content, limit=limit)
