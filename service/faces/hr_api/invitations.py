"""HR API v1: invitations (created by a coordinator's tool or an ATS): create, read, list,
cancel (revoke) and re-issue the link."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody, QueryParameter

from service.delivery.invitation_views import (
    InvitationPage,
    InvitationStatus,
    InvitationView,
    get_invitation,
    list_invitations,
)
from service.delivery.invitations import (
    IssuedInvitation,
    NewInvitation,
    create_invitation,
)
from service.delivery.revocation import Reissue, reissue_invitation, revoke_invitation
from service.faces.hr_api.params import Cursor
from service.tenancy import audit
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import HR_API_SECURITY, CurrentPrincipal, require_api_key
from service.web.openapi import errors
from service.web.settings import AppSettings, mail_policy

LOCATION = [
    ResponseHeader(
        name="Location",
        documentation_only=True,
        description="The new invitation: /api/v1/invitations/{id}",
    )
]


class InvitationController(Controller):
    """Invite a registered candidate to a package of assessments; follow the invitation."""

    path = "/api/v1/invitations"
    tags = ["invitations"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [require_api_key]  # noqa: RUF012
    security = HR_API_SECURITY

    @post(
        operation_id="createInvitation",
        summary="Invite a candidate to assessments",
        opt={"scope": "invitations:write"},
        status_code=201,
        response_headers=LOCATION,
        responses=errors(404, 422),
    )
    async def create(
        self,
        data: JSONBody[NewInvitation],
        conn: Conn,
        principal: CurrentPrincipal,
        content: CurrentContent,
        settings: AppSettings,
    ) -> Response[IssuedInvitation]:
        """Create an invitation and e-mail the candidate (unless `send_email` is false).
        The response's `url` holds the token and is shown only once: only a hash of the
        token is stored. With `callback_url`, every event about this invitation is POSTed
        there, signed with the `callback_secret` returned here once."""
        async with conn.transaction():
            issued = await create_invitation(
                conn,
                principal.organization_id,
                data,
                content=content,
                base_url=settings.public_base_url,
                created_by=principal.actor,
                mail=mail_policy(settings),
                allow_private_callbacks=settings.webhook_allow_private,
            )
            await audit.record(
                conn,
                principal.organization_id,
                actor=principal.actor,
                action="invitation.create",
                subject_kind="candidate",
                subject_id=data.candidate_id,
            )
        return Response(
            issued, status_code=201, headers={"Location": f"/api/v1/invitations/{issued.id}"}
        )

    @get(
        operation_id="listInvitations",
        summary="List invitations",
        opt={"scope": "invitations:read"},
        responses=errors(422),
    )
    async def index(
        self,
        conn: Conn,
        principal: CurrentPrincipal,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        cursor: Cursor = None,
        candidate_id: Annotated[
            uuid.UUID | None, QueryParameter(description="Only this candidate's invitations")
        ] = None,
        status: Annotated[
            InvitationStatus | None, QueryParameter(description="Only invitations in this status")
        ] = None,
    ) -> InvitationPage:
        """Newest first, a page at a time: pass `next_cursor` back as `cursor` (it keeps
        the filters) until it is null."""
        return await list_invitations(
            conn,
            principal.organization_id,
            limit=limit,
            cursor=cursor,
            candidate_id=candidate_id,
            status=status,
        )

    @get(
        "/{invitation_id:uuid}",
        operation_id="getInvitation",
        summary="Read an invitation",
        opt={"scope": "invitations:read"},
        responses=errors(404),
    )
    async def read(
        self, invitation_id: FromPath[uuid.UUID], conn: Conn, principal: CurrentPrincipal
    ) -> InvitationView:
        """Status (sent, started, completed, expired or cancelled), per-assessment progress
        with result ids, and the state of the candidate's e-mail (a bounce shows here)."""
        return await get_invitation(conn, principal.organization_id, invitation_id)

    @post(
        "/{invitation_id:uuid}/revoke",
        operation_id="revokeInvitation",
        summary="Cancel (revoke) an invitation",
        opt={"scope": "invitations:write"},
        status_code=200,
        responses=errors(404),
    )
    async def revoke(
        self, invitation_id: FromPath[uuid.UUID], conn: Conn, principal: CurrentPrincipal
    ) -> InvitationView:
        """The link stops working at once: every page and endpoint answers as for an unknown
        link and autosaves are refused. Idempotent (revoking again keeps the first time);
        the status becomes `cancelled`."""
        await revoke_invitation(
            conn, principal.organization_id, invitation_id, actor=principal.actor
        )
        return await get_invitation(conn, principal.organization_id, invitation_id)

    @post(
        "/{invitation_id:uuid}/reissue",
        operation_id="reissueInvitation",
        summary="Re-issue an invitation's link",
        opt={"scope": "invitations:write"},
        status_code=200,
        responses=errors(404, 409),
    )
    async def reissue(
        self,
        invitation_id: FromPath[uuid.UUID],
        data: JSONBody[Reissue],
        conn: Conn,
        principal: CurrentPrincipal,
        settings: AppSettings,
    ) -> IssuedInvitation:
        """A new link (shown once) replaces the old one, which stops working at once; the
        candidate keeps their progress. E-mailed unless `send_email` is false. 409 for a
        cancelled or completed invitation."""
        return await reissue_invitation(
            conn,
            principal.organization_id,
            invitation_id,
            data,
            base_url=settings.public_base_url,
            actor=principal.actor,
            mail=mail_policy(settings),
        )
