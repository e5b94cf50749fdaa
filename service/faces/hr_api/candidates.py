"""HR API v1: candidates."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from service.profiles.downloads import current_profile_pdf
from service.tenancy import audit
from service.tenancy.candidates import (
    Candidate,
    NewCandidate,
    create_candidate,
    get_candidate,
    list_candidates,
)
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.downloads import pdf_response
from service.web.guards import HR_API_SECURITY, CurrentPrincipal, require_api_key
from service.web.profiles import CurrentProfiles


class CandidateController(Controller):
    """Register and read candidates of the caller's organization."""

    path = "/api/v1/candidates"
    tags = ["candidates"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [require_api_key]  # noqa: RUF012
    security = HR_API_SECURITY

    @post(operation_id="createCandidate",
          summary="Register a candidate", opt={"scope": "candidates:write"})
    async def create(
        self, data: JSONBody[NewCandidate], conn: Conn, principal: CurrentPrincipal
    ) -> Candidate:
        """Register a candidate; 409 when the external_id is already used."""
        async with conn.transaction():
            candidate = await create_candidate(conn, principal.organization_id, data)
            await audit.record(conn, principal.organization_id, actor=principal.actor,
                               action="candidate.create", subject_kind="candidate",
                               subject_id=candidate.id)
        return candidate

    @get(operation_id="listCandidates",
         summary="List candidates", opt={"scope": "candidates:read"})
    async def index(
        self,
        conn: Conn,
        principal: CurrentPrincipal,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> list[Candidate]:
        """A page of candidates, newest first."""
        return await list_candidates(conn, principal.organization_id, limit=limit, offset=offset)

    @get("/{candidate_id:uuid}", operation_id="getCandidate",
         summary="Read a candidate", opt={"scope": "candidates:read"})
    async def read(
        self, candidate_id: FromPath[uuid.UUID], conn: Conn, principal: CurrentPrincipal
    ) -> Candidate:
        """One candidate; the read is audited."""
        candidate = await get_candidate(conn, principal.organization_id, candidate_id)
        await audit.record(conn, principal.organization_id, actor=principal.actor,
                           action="candidate.read", subject_kind="candidate",
                           subject_id=candidate_id)
        return candidate

    @get("/{candidate_id:uuid}/profile.pdf", operation_id="getCandidateProfilePdf",
         summary="Download a candidate's signed competency profile (PDF)",
         opt={"scope": "results:read"})
    async def profile(
        self, candidate_id: FromPath[uuid.UUID], conn: Conn, principal: CurrentPrincipal,
        content: CurrentContent, profiles: CurrentProfiles,
    ) -> Response[bytes]:
        """The candidate's signed employer competency profile (PDF); the read is audited."""
        pdf = await current_profile_pdf(conn, profiles, content,
                                        organization_id=principal.organization_id,
                                        candidate_id=candidate_id, variant="employer")
        await audit.record(conn, principal.organization_id, actor=principal.actor,
                           action="profile.download", subject_kind="candidate",
                           subject_id=candidate_id)
        return pdf_response(pdf)
