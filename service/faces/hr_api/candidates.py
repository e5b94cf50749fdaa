"""HR API v1: candidates."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from litestar import Controller, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from service.faces.hr_api.params import Cursor, UpdatedSince, parse_since
from service.ground.types import ExternalId
from service.profiles.downloads import current_profile_pdf
from service.tenancy import audit
from service.tenancy.candidates import (
    Candidate,
    CandidatePage,
    NewCandidate,
    create_candidate,
    get_candidate,
    list_candidates,
)
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.downloads import pdf_response
from service.web.guards import HR_API_SECURITY, CurrentPrincipal, require_api_key
from service.web.openapi import errors
from service.web.profiles import CurrentProfiles

LOCATION = [
    ResponseHeader(
        name="Location",
        documentation_only=True,
        description="The new candidate: /api/v1/candidates/{id}",
    )
]
PDF = ResponseSpec(
    data_container=bytes,
    media_type="application/pdf",
    description="The signed PDF/A-3 competency profile",
    generate_examples=False,
)


class CandidateController(Controller):
    """Register and read candidates of the caller's organization."""

    path = "/api/v1/candidates"
    tags = ["candidates"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [require_api_key]  # noqa: RUF012
    security = HR_API_SECURITY

    @post(
        operation_id="createCandidate",
        summary="Register a candidate",
        opt={"scope": "candidates:write"},
        status_code=201,
        response_headers=LOCATION,
        responses=errors(409, 422),
    )
    async def create(
        self, data: JSONBody[NewCandidate], conn: Conn, principal: CurrentPrincipal
    ) -> Response[Candidate]:
        """Register a candidate; 409 when the external_id is already used (the problem's
        `existing_id` names that candidate)."""
        async with conn.transaction():
            candidate = await create_candidate(conn, principal.organization_id, data)
            await audit.record(
                conn,
                principal.organization_id,
                actor=principal.actor,
                action="candidate.create",
                subject_kind="candidate",
                subject_id=candidate.id,
            )
        return Response(
            candidate, status_code=201, headers={"Location": f"/api/v1/candidates/{candidate.id}"}
        )

    @get(
        operation_id="listCandidates",
        summary="List candidates",
        opt={"scope": "candidates:read"},
        responses=errors(422),
    )
    async def index(
        self,
        conn: Conn,
        principal: CurrentPrincipal,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        cursor: Cursor = None,
        updated_since: UpdatedSince = None,
        external_id: Annotated[
            ExternalId | None,
            QueryParameter(description="Only the candidate with this external_id (your own id)"),
        ] = None,
    ) -> CandidatePage:
        """Newest first, a page at a time: pass `next_cursor` back as `cursor` (it keeps the
        filters) until it is null. Look a candidate up by your own id with `external_id`."""
        return await list_candidates(
            conn,
            principal.organization_id,
            limit=limit,
            cursor=cursor,
            updated_since=parse_since(updated_since),
            external_id=external_id,
        )

    @get(
        "/{candidate_id:uuid}",
        operation_id="getCandidate",
        summary="Read a candidate",
        opt={"scope": "candidates:read"},
        responses=errors(404),
    )
    async def read(
        self, candidate_id: FromPath[uuid.UUID], conn: Conn, principal: CurrentPrincipal
    ) -> Candidate:
        """One candidate; the read is audited."""
        candidate = await get_candidate(conn, principal.organization_id, candidate_id)
        await audit.record(
            conn,
            principal.organization_id,
            actor=principal.actor,
            action="candidate.read",
            subject_kind="candidate",
            subject_id=candidate_id,
        )
        return candidate

    @get(
        "/{candidate_id:uuid}/profile.pdf",
        operation_id="getCandidateProfilePdf",
        summary="Download a candidate's signed competency profile (PDF)",
        opt={"scope": "results:read"},
        media_type="application/pdf",
        responses={200: PDF, **errors(404)},
    )
    async def profile(
        self,
        candidate_id: FromPath[uuid.UUID],
        conn: Conn,
        principal: CurrentPrincipal,
        content: CurrentContent,
        profiles: CurrentProfiles,
        variant: Annotated[
            Literal["employer", "candidate"],
            QueryParameter(
                description="employer (default) adds integrity signals, rater notes and "
                "versions; candidate is the copy the candidate gets"
            ),
        ] = "employer",
    ) -> Response[bytes]:
        """The candidate's signed competency profile (PDF), employer or candidate copy; 404
        before anything is scored. The read is audited."""
        pdf = await current_profile_pdf(
            conn,
            profiles,
            content,
            organization_id=principal.organization_id,
            candidate_id=candidate_id,
            variant=variant,
        )
        await audit.record(
            conn,
            principal.organization_id,
            actor=principal.actor,
            action="profile.download",
            subject_kind="candidate",
            subject_id=candidate_id,
        )
        return pdf_response(pdf)
