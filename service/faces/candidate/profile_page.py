"""The candidate's own competency profile, downloaded through their invitation link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Controller, Response, get
from litestar.params import FromPath

from service.delivery.invitations import ExpiredLink, resolve_invitation
from service.faces.candidate.web import error_page
from service.ground.errors import ChartReadyError
from service.profiles.downloads import current_profile_pdf
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.downloads import pdf_response
from service.web.profiles import CurrentProfiles

RESULTS_AFTER_EXPIRY = timedelta(days=30)
"""How long after its expiry a link still downloads the profile, so a candidate who
finished on the last day can fetch it; then the link shows only that it expired."""


class CandidateProfileDownload(Controller):
    """`GET /take/{token}/profile.pdf`: the candidate variant (feedback, what to learn next)
    of what was done through this invitation only (a new invitation of the same person
    must not reveal earlier results); up to RESULTS_AFTER_EXPIRY after the link expired."""

    path = "/take/{token:str}/profile.pdf"
    include_in_schema = False
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get(operation_id="candidateProfilePdf")
    async def download(
        self, token: FromPath[str], conn: Conn, content: CurrentContent, profiles: CurrentProfiles
    ) -> Response[bytes]:
        """The profile of the candidate's scored assessments."""
        invitation = await resolve_invitation(conn, token)
        if datetime.now(UTC) > invitation.expires_at + RESULTS_AFTER_EXPIRY:
            raise ExpiredLink(
                "This link has expired, and with it the download of your "
                "profile. Ask the organization that invited you for a copy."
            )
        pdf = await current_profile_pdf(
            conn,
            profiles,
            content,
            organization_id=invitation.organization_id,
            candidate_id=invitation.candidate_id,
            variant="candidate",
            invitation_id=invitation.id,
        )
        return pdf_response(pdf)
