"""The candidate's own competency profile, downloaded through their invitation link."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.params import FromPath

from service.delivery.invitations import resolve_invitation
from service.faces.candidate.web import error_page
from service.ground.errors import ChartReadyError
from service.profiles.downloads import current_profile_pdf
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.downloads import pdf_response
from service.web.profiles import CurrentProfiles


class CandidateProfileDownload(Controller):
    """`GET /take/{token}/profile.pdf`: the candidate variant (feedback, what to learn next)."""

    path = "/take/{token:str}/profile.pdf"
    include_in_schema = False
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get(operation_id="candidateProfilePdf")
    async def download(self, token: FromPath[str], conn: Conn, content: CurrentContent,
                       profiles: CurrentProfiles) -> Response[bytes]:
        """The profile of the candidate's scored assessments."""
        invitation = await resolve_invitation(conn, token)
        pdf = await current_profile_pdf(conn, profiles, content,
                                        organization_id=invitation.organization_id,
                                        candidate_id=invitation.candidate_id,
                                        variant="candidate")
        return pdf_response(pdf)
