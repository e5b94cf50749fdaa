"""HR API v1: the catalog of assessments a candidate can be invited to."""

from __future__ import annotations

from litestar import Controller, get

from service.delivery.offer import AssessmentInfo, assessment_catalog
from service.web.content import CurrentContent
from service.web.guards import HR_API_SECURITY, CurrentPrincipal, require_api_key
from service.web.openapi import errors


class AssessmentController(Controller):
    """What can be invited to."""

    path = "/api/v1/assessments"
    tags = ["assessments"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [require_api_key]  # noqa: RUF012
    security = HR_API_SECURITY

    @get(
        operation_id="listAssessments",
        summary="List the assessments you can invite to",
        opt={"scope": "invitations:read"},
        responses=errors(),
    )
    async def index(
        self,
        content: CurrentContent,
        principal: CurrentPrincipal,
    ) -> list[AssessmentInfo]:
        """Each assessment's id (use it in `assessments` when inviting), title, the
        competencies it measures, its time limit, the items on a form and the content
        version it comes from."""
        return assessment_catalog(content)
