"""HR API v1: invitations (created by a coordinator's tool or an ATS)."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody

from service.delivery.invitations import IssuedInvitation, NewInvitation, create_invitation
from service.tenancy import audit
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import HR_API_SECURITY, CurrentPrincipal, require_api_key
from service.web.settings import AppSettings


class InvitationController(Controller):
    """Invite a registered candidate to a package of assessments."""

    path = "/api/v1/invitations"
    tags = ["invitations"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [require_api_key]  # noqa: RUF012
    security = HR_API_SECURITY

    @post(operation_id="createInvitation",
          summary="Invite a candidate to assessments", opt={"scope": "invitations:write"})
    async def create(self, data: JSONBody[NewInvitation], conn: Conn,
                     principal: CurrentPrincipal, content: CurrentContent,
                     settings: AppSettings) -> IssuedInvitation:
        """Create an invitation. The response's `url` holds the token and is shown only once:
        only a hash of the token is stored."""
        async with conn.transaction():
            issued = await create_invitation(
                conn, principal.organization_id, data, content=content,
                base_url=settings.public_base_url, created_by=principal.actor,
            )
            await audit.record(conn, principal.organization_id, actor=principal.actor,
                               action="invitation.create", subject_kind="candidate",
                               subject_id=data.candidate_id)
        return issued
