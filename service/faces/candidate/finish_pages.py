"""Candidate pages, part 2: section review, moving on, submit confirmation, submit and the
completion page."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from service.delivery.attempts import AttemptState, attempt_statuses, close_section
from service.delivery.catalog import Catalog, catalog_of
from service.delivery.finalize import finalize_attempt
from service.delivery.invitations import resolve_invitation
from service.faces.candidate.pages import current_state, open_page, timer_context
from service.faces.candidate.web import Links, error_page, go, page, resume_url
from service.ground.errors import ChartReadyError
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.settings import Thresholds


class ReviewRow(msgspec.Struct, frozen=True):
    """One question on the review screen."""

    position: int
    number_in_section: int
    stem: str
    answered: bool
    url: str


async def _answered(conn: Conn, state: AttemptState) -> set[str]:
    rows = await conn.fetch(
        "SELECT item_id FROM responses WHERE attempt_id = $1 AND answer <> 'null'::jsonb", state.id
    )
    return {r["item_id"] for r in rows}


def _is_last(state: AttemptState, section_id: str) -> bool:
    return state.sections[-1].section_id == section_id


async def _unanswered_total(conn: Conn, state: AttemptState, catalog: Catalog) -> int:
    answered = await _answered(conn, state)
    return sum(item.id not in answered for item in catalog.form(state.form_id).items)


class CandidateFinishPages(Controller):
    """Review, submit and completion pages."""

    path = "/take/{token:str}/{assessment_id:str}"
    include_in_schema = False
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get("/review", operation_id="candidateReview")
    async def review(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        conn: Conn,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Template | Redirect:
        """The current section's questions, answered or not, before moving on."""
        ctx = await open_page(conn, token, assessment_id, content, thresholds)
        invitation, catalog, links, state = ctx.invitation, ctx.catalog, ctx.links, ctx.state
        plan = ctx.answering()
        if plan is None:
            return ctx.resume()
        answered = await _answered(conn, state)
        form = catalog.form(state.form_id)
        rows = [
            ReviewRow(
                p,
                p - plan.first_position + 1,
                form.items[p - 1].stem,
                form.items[p - 1].id in answered,
                links.item(p),
            )
            for p in range(plan.first_position, plan.last_position + 1)
        ]
        last = _is_last(state, plan.section.id)
        return page(
            "review.html",
            {
                "org": invitation.organization_name,
                "assessment": catalog.assessment(assessment_id),
                "section": plan.section,
                "plan": plan,
                "sections_total": len(state.sections),
                "rows": rows,
                "last": last,
                "unanswered": sum(not r.answered for r in rows),
                "links": links,
                "finish_url": links.finish_section(plan.section.id),
                **timer_context(state, plan.section.id),
            },
        )

    @post(
        "/section/{section_id:str}/finish", operation_id="candidateFinishSection", status_code=303
    )
    async def finish_section(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        section_id: FromPath[str],
        conn: Conn,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Redirect:
        """Close the section and go on to the next one (the last section is submitted)."""
        ctx = await open_page(conn, token, assessment_id, content, thresholds)
        invitation, catalog, links, state = ctx.invitation, ctx.catalog, ctx.links, ctx.state
        current = state.current_section()
        if current is None or current.section_id != section_id:
            return ctx.resume()
        if _is_last(state, section_id):
            return go(links.submit)
        await close_section(conn, state, section_id)
        state = await current_state(conn, invitation, assessment_id, catalog, thresholds)
        return go(resume_url(state, catalog, links))

    @get("/submit", operation_id="candidateConfirmSubmit")
    async def confirm(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        conn: Conn,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Template | Redirect:
        """Are you sure? Shows how many questions are unanswered."""
        ctx = await open_page(conn, token, assessment_id, content, thresholds)
        invitation, catalog, links, state = ctx.invitation, ctx.catalog, ctx.links, ctx.state
        current = state.current_section()
        if current is None or not _is_last(state, current.section_id):
            return ctx.resume()
        return page(
            "confirm.html",
            {
                "org": invitation.organization_name,
                "assessment": catalog.assessment(assessment_id),
                "links": links,
                "unanswered": await _unanswered_total(conn, state, catalog),
                **timer_context(state, current.section_id),
            },
        )

    @post("/submit", operation_id="candidateSubmit", status_code=303)
    async def submit(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        conn: Conn,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Redirect:
        """Submit and score (idempotent: submitting twice changes nothing)."""
        invitation = await resolve_invitation(conn, token)
        catalog = catalog_of(content)
        state = await current_state(conn, invitation, assessment_id, catalog, thresholds)
        if state.in_progress:
            await finalize_attempt(
                conn, catalog, state.organization_id, state.id, "candidate", thresholds
            )
        return go(Links(token, assessment_id).done)

    @get("/done", operation_id="candidateDone")
    async def done(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        conn: Conn,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Template | Redirect:
        """The completion page, with the next assessment of the package if any."""
        ctx = await open_page(conn, token, assessment_id, content, thresholds)
        invitation, catalog, links, state = ctx.invitation, ctx.catalog, ctx.links, ctx.state
        if state.in_progress:
            return ctx.resume()
        statuses = await attempt_statuses(conn, invitation.id)
        remaining = sum(
            statuses.get(other, "in_progress") == "in_progress" for other in invitation.assessments
        )
        return page(
            "done.html",
            {
                "org": invitation.organization_name,
                "assessment": catalog.assessment(assessment_id),
                "by_deadline": state.finalized_reason == "deadline",
                "remaining": remaining,
                "home": links.home,
                "profile_url": links.profile,
            },
        )
