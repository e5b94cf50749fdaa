"""The Greenhouse Assessment Partner endpoints, exactly as Greenhouse calls them (HTTP Basic
with the organization's API key as the username, scope `greenhouse`), and the expiring
profile link recruiters open from Greenhouse."""

from __future__ import annotations

import logging
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from service.delivery.greenhouse import (
    GreenhouseTest,
    ResponseError,
    SendTest,
    SentTest,
    TestStatus,
    list_tests,
    send_test,
    test_status,
)
from service.delivery.invitations import MailPolicy
from service.profiles.downloads import current_profile_pdf
from service.profiles.links import create_profile_link, resolve_profile_link
from service.tenancy import audit
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.downloads import pdf_response
from service.web.guards import HR_API_SECURITY, CurrentPrincipal, require_api_key
from service.web.openapi import errors
from service.web.profiles import CurrentProfiles
from service.web.settings import AppSettings

log = logging.getLogger(__name__)
SCOPE = {"scope": "greenhouse"}


class GreenhouseController(Controller):
    """Greenhouse calls these; partner_interview_id is our invitation id."""

    path = "/integrations/greenhouse"
    tags = ["greenhouse"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [require_api_key]  # noqa: RUF012
    security = HR_API_SECURITY

    @get(
        "/list_tests",
        operation_id="greenhouseListTests",
        opt=SCOPE,
        summary="Greenhouse: the tests on offer",
        responses=errors(),
    )
    async def tests(
        self, content: CurrentContent, principal: CurrentPrincipal
    ) -> list[GreenhouseTest]:
        """A bare array of `partner_test_id` and `partner_test_name`: each package (such
        as the clerk screening), then each assessment on its own."""
        return list_tests(content)

    @post(
        "/send_test",
        operation_id="greenhouseSendTest",
        opt=SCOPE,
        status_code=200,
        summary="Greenhouse: send a test to a candidate",
        responses=errors(404, 409, 422),
    )
    async def send(
        self,
        data: JSONBody[SendTest],
        conn: Conn,
        principal: CurrentPrincipal,
        content: CurrentContent,
        settings: AppSettings,
    ) -> SentTest:
        """Registers the candidate (found again by their Greenhouse profile), invites and
        e-mails them, and PATCHes `url` (no body, with retries) once they are done."""
        sent = await send_test(
            conn,
            principal.organization_id,
            data,
            content=content,
            base_url=settings.public_base_url,
            mail=MailPolicy(smtp=settings.smtp_configured),
            allow_private=settings.webhook_allow_private,
            actor=principal.actor,
        )
        await audit.record(
            conn,
            principal.organization_id,
            actor=principal.actor,
            action="greenhouse.send_test",
            subject_kind="invitation",
            subject_id=sent.partner_interview_id,
        )
        return sent

    @get(
        "/test_status",
        operation_id="greenhouseTestStatus",
        opt=SCOPE,
        summary="Greenhouse: a test's status and, once complete, its score",
        responses=errors(404),
    )
    async def status(
        self,
        conn: Conn,
        principal: CurrentPrincipal,
        settings: AppSettings,
        partner_interview_id: Annotated[str, QueryParameter(min_length=1, max_length=100)],
    ) -> TestStatus:
        """`partner_status` is `complete` once every assessment is done; then
        `partner_profile_url` is a fresh link (valid 90 days) to the employer profile,
        `partner_score` the mean scaled score (100-400) and `metadata` a flat object of
        scores, competency percents and the readiness estimate."""
        found, candidate_id = await test_status(
            conn, principal.organization_id, partner_interview_id
        )
        if found.partner_status != "complete":
            return found
        token = await create_profile_link(conn, principal.organization_id, candidate_id)
        base = settings.public_base_url.rstrip("/")
        return TestStatus(
            partner_status=found.partner_status,
            partner_profile_url=f"{base}/integrations/profiles/{token}",
            partner_score=found.partner_score,
            metadata=found.metadata,
        )

    @post(
        "/response_error",
        operation_id="greenhouseResponseError",
        opt=SCOPE,
        status_code=200,
        summary="Greenhouse: report a malformed reply",
        responses=errors(),
    )
    async def response_error(
        self, data: JSONBody[ResponseError], conn: Conn, principal: CurrentPrincipal
    ) -> dict[str, str]:
        """Logged (without the candidate's e-mail) and audited for us to fix; answers 200."""
        log.warning(
            "greenhouse reported a malformed reply",
            extra={
                "api_call": data.api_call,
                "errors": len(data.errors),
                "partner_test_id": data.partner_test_id,
            },
        )
        await audit.record(
            conn,
            principal.organization_id,
            actor=principal.actor,
            action="greenhouse.response_error",
            subject_kind="invitation",
            subject_id=data.partner_interview_id or "",
            reason=data.api_call[:200],
        )
        return {}


class SharedProfileController(Controller):
    """The employer profile behind an expiring link (no API key: the link is the key)."""

    path = "/integrations/profiles"
    tags = ["greenhouse"]  # noqa: RUF012

    @get(
        "/{token:str}",
        operation_id="sharedProfilePdf",
        media_type="application/pdf",
        summary="A candidate's employer profile through an expiring link",
        responses=errors(404, 410, always=(503,)),
    )
    async def profile(
        self, token: FromPath[str], conn: Conn, content: CurrentContent, profiles: CurrentProfiles
    ) -> Response[bytes]:
        """The signed employer profile (PDF). Unknown links are 404, expired ones 410."""
        organization_id, candidate_id = await resolve_profile_link(conn, token)
        pdf = await current_profile_pdf(
            conn,
            profiles,
            content,
            organization_id=organization_id,
            candidate_id=candidate_id,
            variant="employer",
        )
        await audit.record(
            conn,
            organization_id,
            actor="profile_link",
            action="profile.download",
            subject_kind="candidate",
            subject_id=candidate_id,
        )
        return pdf_response(pdf)
