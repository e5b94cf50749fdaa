"""Candidate pages, part 1: the start page (notice and consent), starting and resuming an
assessment, section introductions and the item pages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from service.assessments.bank import ContentVersion
from service.delivery.attempts import (
    AttemptState,
    attempt_statuses,
    enter_section,
    load_attempt,
    start_attempt,
    visit_item,
)
from service.delivery.catalog import Catalog, SectionPlan, catalog_of
from service.delivery.finalize import finalize_attempt
from service.delivery.invitations import (
    Invitation,
    record_consent,
    require_live,
    resolve_invitation,
)
from service.delivery.timing import attempt_seconds, seconds_left
from service.faces.candidate.views import item_view
from service.faces.candidate.web import Links, error_page, go, page, resume_url
from service.ground.errors import ChartReadyError, Conflict, InvalidInput, NotFound
from service.readiness.predict import BandThresholds
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.settings import Thresholds

Position = Annotated[int, msgspec.Meta(ge=1, le=1000)]


class ConsentForm(msgspec.Struct, frozen=True):
    """The consent checkbox."""

    agree: Literal["yes"] | None = None


class AssessmentCard(msgspec.Struct, frozen=True, kw_only=True):
    """One assessment of the package on the start page. ``seconds_left``: the running
    clock of an assessment in progress (None when untimed or not running)."""

    id: str
    title: str
    description: str
    minutes: int | None
    standard_minutes: int
    state: str
    url: str
    seconds_left: int | None = None


async def _cards(
    conn: Conn, invitation: Invitation, catalog: Catalog, token: str, thresholds: BandThresholds
) -> list[AssessmentCard]:
    cards = []
    statuses = await attempt_statuses(conn, invitation.id)
    for assessment_id in invitation.assessments:
        assessment = catalog.assessment(assessment_id)
        stored = statuses.get(assessment_id)
        state = None
        if stored == "in_progress":  # its clock: read it (finalizing it if time ran out)
            state = await current_state(conn, invitation, assessment_id, catalog, thresholds)
            stored = state.status
        status = (
            "not_started"
            if stored is None
            else ("in_progress" if stored == "in_progress" else "finished")
        )
        seconds = attempt_seconds(assessment.time_limit_minutes, invitation.accommodation)
        cards.append(
            AssessmentCard(
                id=assessment_id,
                title=assessment.title,
                description=assessment.description,
                minutes=None if seconds is None else round(seconds / 60),
                standard_minutes=assessment.time_limit_minutes,
                state=status,
                url=Links(token, assessment_id).resume,
                seconds_left=seconds_left(state.deadline_at, state.now)
                if state is not None and state.in_progress
                else None,
            )
        )
    return cards


def running_clock(cards: list[AssessmentCard]) -> AssessmentCard | None:
    """The assessment whose clock is running, if any: while it runs no other may start,
    so a clock never runs unseen."""
    return next((c for c in cards if c.state == "in_progress" and c.seconds_left is not None), None)


def total_minutes(cards: list[AssessmentCard]) -> int | None:
    """Minutes for the whole package (with accommodations); None when untimed."""
    if any(c.minutes is None for c in cards):
        return None
    return sum(c.minutes or 0 for c in cards)


async def current_state(
    conn: Conn,
    invitation: Invitation,
    assessment_id: str,
    catalog: Catalog,
    thresholds: BandThresholds,
) -> AttemptState:
    """The attempt, finalized first if its time ran out (so pages never show a dead clock)."""
    if assessment_id not in invitation.assessments:
        raise NotFound("This assessment is not part of your invitation.")
    state = await load_attempt(conn, invitation, assessment_id)
    if state is None:
        raise NotFound(
            "This assessment has not been started yet. Start it from your invitation page."
        )
    if state.in_progress and state.current_section() is None:
        await finalize_attempt(
            conn, catalog, state.organization_id, state.id, "deadline", thresholds
        )
        state = await load_attempt(conn, invitation, assessment_id)
        assert state is not None
    return state


class PageContext(msgspec.Struct, frozen=True):
    """What every in-attempt page starts from: who, which content, where they are."""

    invitation: Invitation
    catalog: Catalog
    links: Links
    state: AttemptState

    def resume(self) -> Redirect:
        """Send the candidate to where they belong now."""
        return go(resume_url(self.state, self.catalog, self.links))

    def answering(self) -> SectionPlan | None:
        """The plan of the section the candidate is answering (entered and still open)."""
        current = self.state.current_section()
        if current is None or current.entered_at is None:
            return None
        return self.catalog.plan_for(self.state.form_id, current.section_id)


async def open_page(
    conn: Conn,
    token: str,
    assessment_id: str,
    content: ContentVersion,
    thresholds: BandThresholds,
) -> PageContext:
    """Resolve the link and load the attempt (finalizing it if its time ran out)."""
    invitation = await resolve_invitation(conn, token)
    catalog = catalog_of(content)
    state = await current_state(conn, invitation, assessment_id, catalog, thresholds)
    return PageContext(invitation, catalog, Links(token, assessment_id), state)


def timer_context(state: AttemptState, section_id: str) -> dict[str, Any]:
    """What the visible timer needs: seconds left in the section (None = untimed)."""
    section = state.section(section_id)
    return {
        "seconds_left": seconds_left(section.deadline_at, state.now),
        "attempt_seconds_left": seconds_left(state.deadline_at, state.now),
    }


class CandidatePages(Controller):
    """Server-rendered pages a candidate reaches from the invitation link."""

    path = "/take/{token:str}"
    include_in_schema = False
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get(operation_id="candidateStart")
    async def start_page(
        self, token: FromPath[str], conn: Conn, content: CurrentContent, thresholds: Thresholds
    ) -> Template:
        """The notice owed to candidates, consent, then the package of assessments."""
        invitation = await resolve_invitation(conn, token)
        catalog = catalog_of(content)
        links = Links(token)
        cards = await _cards(conn, invitation, catalog, token, thresholds)
        if invitation.expired and not any(c.state == "in_progress" for c in cards):
            require_live(invitation)
        return page(
            "start.html",
            {
                "org": invitation.organization_name,
                "invitation": invitation,
                "cards": cards,
                "consent_url": f"{links.home}/consent",
                "home": links.home,
                "assessment_titles": [c.title for c in cards],
                "accommodated": invitation.accommodation.accommodated,
                "total_minutes": total_minutes(cards),
                "running": running_clock(cards),
                "all_finished": all(c.state == "finished" for c in cards),
                "profile_url": links.profile,
            },
        )

    @post("/consent", operation_id="candidateConsent", status_code=303)
    async def consent(
        self, token: FromPath[str], conn: Conn, data: URLEncodedBody[ConsentForm]
    ) -> Redirect:
        """Record consent; without the box ticked, explain and go nowhere."""
        invitation = await resolve_invitation(conn, token)
        require_live(invitation)
        if data.agree != "yes":
            raise InvalidInput(
                "Please tick the box to confirm you have read the notice and "
                "agree, or contact the organization that invited you.",
                field="agree",
            )
        await record_consent(conn, invitation)
        return go(Links(token).home)

    @post("/{assessment_id:str}/start", operation_id="candidateStartAssessment", status_code=303)
    async def start_assessment(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        conn: Conn,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Redirect:
        """Start the assessment (or continue it) and go to where the candidate belongs.

        While another assessment's clock is running, a new one does not start (Conflict):
        the candidate would otherwise leave a clock running unseen.
        """
        invitation = await resolve_invitation(conn, token)
        catalog = catalog_of(content)
        if (
            assessment_id in invitation.assessments
            and await load_attempt(conn, invitation, assessment_id) is None
        ):
            running = running_clock(await _cards(conn, invitation, catalog, token, thresholds))
            if running is not None:
                raise Conflict(
                    f"Please finish {running.title} first: its time is running. "
                    "You can start the next assessment as soon as you submit it.",
                    field="assessment",
                )
        await start_attempt(conn, invitation, assessment_id, catalog)
        return go(Links(token, assessment_id).resume)

    @get("/{assessment_id:str}", operation_id="candidateResume")
    async def resume(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        conn: Conn,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Redirect:
        """Send the candidate to exactly where they were (any device, after any reload)."""
        invitation = await resolve_invitation(conn, token)
        catalog = catalog_of(content)
        links = Links(token, assessment_id)
        if await load_attempt(conn, invitation, assessment_id) is None:
            return go(links.home)
        state = await current_state(conn, invitation, assessment_id, catalog, thresholds)
        return go(resume_url(state, catalog, links))

    @get("/{assessment_id:str}/section/{section_id:str}", operation_id="candidateSection")
    async def section_intro(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        section_id: FromPath[str],
        conn: Conn,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Template | Redirect:
        """A section's introduction: what it covers, how many questions, how much time."""
        ctx = await open_page(conn, token, assessment_id, content, thresholds)
        invitation, catalog, links, state = ctx.invitation, ctx.catalog, ctx.links, ctx.state
        current = state.current_section()
        if current is None or current.section_id != section_id or current.entered_at:
            return ctx.resume()
        plan = catalog.plan_for(state.form_id, section_id)
        assessment = catalog.assessment(assessment_id)
        return page(
            "section.html",
            {
                "org": invitation.organization_name,
                "assessment": assessment,
                "plan": plan,
                "sections_total": len(state.sections),
                "count": plan.last_position - plan.first_position + 1,
                "begin_url": f"{links.section(section_id)}/begin",
                **timer_context(state, section_id),
            },
        )

    @post(
        "/{assessment_id:str}/section/{section_id:str}/begin",
        operation_id="candidateBeginSection",
        status_code=303,
    )
    async def begin_section(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        section_id: FromPath[str],
        conn: Conn,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Redirect:
        """Open the section for answers and show its first question."""
        ctx = await open_page(conn, token, assessment_id, content, thresholds)
        catalog, links, state = ctx.catalog, ctx.links, ctx.state
        current = state.current_section()
        if current is not None and current.section_id == section_id:
            await enter_section(conn, state, section_id)
            return go(links.item(catalog.plan_for(state.form_id, section_id).first_position))
        return go(resume_url(state, catalog, links))

    @get("/{assessment_id:str}/q/{position:int}", operation_id="candidateItem")
    async def item_page(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        position: FromPath[Position],
        conn: Conn,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Template | Redirect:
        """One question, with the saved answer filled in, the timer and progress."""
        ctx = await open_page(conn, token, assessment_id, content, thresholds)
        invitation, catalog, links, state = ctx.invitation, ctx.catalog, ctx.links, ctx.state
        plan = ctx.answering()
        if plan is None or not plan.first_position <= position <= plan.last_position:
            return ctx.resume()
        item = catalog.item_at(state.form_id, position)
        await visit_item(conn, state, item.id, position)
        row = await conn.fetchrow(
            """SELECT (SELECT answer FROM responses WHERE attempt_id = $1 AND item_id = $2)
                          AS answer,
                      (SELECT coalesce(max(client_seq), 0) FROM responses
                       WHERE attempt_id = $1) AS seq""",
            state.id,
            item.id,
        )
        form = catalog.form(state.form_id)
        return page(
            "item.html",
            {
                "org": invitation.organization_name,
                "assessment": catalog.assessment(assessment_id),
                "section": plan.section,
                "plan": plan,
                "sections_total": len(state.sections),
                "position": position,
                "total": len(form.items),
                "item": item_view(item, row["answer"]),
                "seq_base": row["seq"],
                "links": links,
                "prev_url": links.item(position - 1) if position > plan.first_position else None,
                "next_url": links.item(position + 1) if position < plan.last_position else None,
                **timer_context(state, plan.section.id),
            },
        )
