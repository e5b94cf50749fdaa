"""The optional "about you" page after the assessment: self-reported sex and race/ethnicity
for fairness checks only (kept apart, never used in scoring or the readiness estimate).

Reached from the completion page once every assessment is finished. Every answer has
"prefer not to say"; leaving a question unanswered counts as that, and the page never shows
what was answered before (it is read only by the statistics and by admins).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from service.delivery.attempts import attempt_statuses
from service.delivery.invitations import Invitation, resolve_invitation
from service.demographics.categories import (
    LABELS,
    PREFER_NOT_TO_SAY,
    RACE_ETHNICITY_CATEGORIES,
    SEX_CATEGORIES,
)
from service.demographics.store import SelfReport, record_self_report, reported_at
from service.faces.candidate.web import Links, error_page, go, page
from service.ground.errors import ChartReadyError, Conflict
from service.tenancy import audit
from service.web.database import Conn


class AboutYouForm(msgspec.Struct, frozen=True):
    """The two questions; absent means "prefer not to say"."""

    sex: str = PREFER_NOT_TO_SAY
    race_ethnicity: str = PREFER_NOT_TO_SAY


def _options(values: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"value": v, "label": LABELS[v]} for v in (*values, PREFER_NOT_TO_SAY)]


async def _finished_one(conn: Conn, invitation: Invitation) -> None:
    """The page follows an assessment: at least one must be finished."""
    statuses = await attempt_statuses(conn, invitation.id)
    if not any(status != "in_progress" for status in statuses.values()):
        raise Conflict("This optional page opens after you finish an assessment.")


def _context(invitation: Invitation, token: str, **extra: Any) -> dict[str, Any]:
    return {
        "org": invitation.organization_name,
        "home": Links(token).home,
        "action": f"{Links(token).home}/about-you",
        "sex_options": _options(SEX_CATEGORIES),
        "race_options": _options(RACE_ETHNICITY_CATEGORIES),
        **extra,
    }


class CandidateDemographicsPage(Controller):
    """GET shows the notice and the two optional questions; POST stores the answers."""

    path = "/take/{token:str}/about-you"
    include_in_schema = False
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get(operation_id="candidateAboutYou")
    async def form(self, token: FromPath[str], conn: Conn) -> Template:
        """The notice of purpose and the optional questions (never pre-filled)."""
        invitation = await resolve_invitation(conn, token)
        await _finished_one(conn, invitation)
        answered = await reported_at(conn, invitation.organization_id, invitation.candidate_id)
        return page("about_you.html", _context(invitation, token, answered=answered))

    @post(operation_id="candidateAboutYouSave", status_code=303)
    async def save(
        self, token: FromPath[str], conn: Conn, data: URLEncodedBody[AboutYouForm]
    ) -> Redirect:
        """Store the answers (replacing earlier ones) and say thank you."""
        invitation = await resolve_invitation(conn, token)
        await _finished_one(conn, invitation)
        async with conn.transaction():
            await record_self_report(
                conn,
                invitation.organization_id,
                invitation.candidate_id,
                SelfReport(sex=data.sex, race_ethnicity=data.race_ethnicity),
            )
            await audit.record(
                conn,
                invitation.organization_id,
                actor="candidate",
                action="demographics.self_report",
                subject_kind="candidate",
                subject_id=invitation.candidate_id,
            )
        return go(f"{Links(token).home}/about-you/thanks")

    @get("/thanks", operation_id="candidateAboutYouThanks")
    async def thanks(self, token: FromPath[str], conn: Conn) -> Template:
        """Confirmation; nothing of the answers is shown back."""
        invitation = await resolve_invitation(conn, token)
        return page("about_you_thanks.html", _context(invitation, token))
