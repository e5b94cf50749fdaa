"""The candidate page script's JSON endpoints: autosave, integrity events, status (timer
resync) and tab claims. Errors are problem details the script shows in words."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter

from service.delivery.attempts import load_attempt
from service.delivery.autosave import MAX_ANSWER_BYTES, AnswerIn, SaveResult, TabId, save_answer
from service.delivery.catalog import catalog_of
from service.delivery.integrity import EventAck, EventIn, insert_event, record_event, severity_of
from service.delivery.invitations import resolve_invitation
from service.delivery.tabs import claim_tab, release_tab, tab_seen
from service.delivery.timing import seconds_left
from service.ground.db import acquire
from service.ground.errors import NotFound
from service.web.content import CurrentContent
from service.web.database import Conn


class AttemptStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Where the attempt stands by the server's clock."""

    status: str
    section_id: str | None
    seconds_left: int | None
    other_tab: bool


class ClaimIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A tab announcing itself as the one the candidate is using."""

    tab_id: TabId


class ClaimOut(msgspec.Struct, frozen=True):
    """``seq`` is the highest sequence number stored, so the tab continues above it."""

    other_tab_before: bool
    seq: int


async def _require_integer_seq(request: Request[Any, Any, Any]) -> None:
    """Litestar converts bodies leniently (``"9"`` becomes 9); the sequence number orders
    every write, so only a JSON integer is accepted. Reads the already-parsed body."""
    raw = await request.json()
    seq = raw.get("seq") if isinstance(raw, dict) else None
    if type(seq) is not int:
        got = type(seq).__name__
        raise ValidationException(
            detail="Invalid body.seq",
            extra=[{"key": "seq", "source": "body", "message": f"Expected `int`, got `{got}`"}],
        )


class CandidateApi(Controller):
    """JSON endpoints behind the candidate pages (authorised by the invitation token)."""

    path = "/take/{token:str}/{assessment_id:str}"
    tags = ["candidate"]  # noqa: RUF012 - read by Litestar

    @post(
        "/answers",
        operation_id="candidateSaveAnswer",
        summary="Autosave one answer",
        status_code=200,
        request_max_body_size=MAX_ANSWER_BYTES,
    )
    async def save(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        data: JSONBody[AnswerIn],
        state: State,
        request: Request[Any, Any, Any],
    ) -> SaveResult:
        """Autosave one answer; acknowledged only once committed."""
        await _require_integer_seq(request)
        # The hot path: the pool and content straight from app state (no per-request
        # dependency generators), one statement on one connection.
        async with acquire(state.pool) as conn:
            return await save_answer(conn, catalog_of(state.content), token, assessment_id, data)

    @post(
        "/events",
        operation_id="candidateIntegrityEvent",
        summary="Record an integrity signal",
        status_code=200,
    )
    async def event(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        data: JSONBody[EventIn],
        conn: Conn,
        content: CurrentContent,
    ) -> EventAck:
        """Record an integrity signal (shown to staff; never an automatic decision)."""
        return await record_event(conn, catalog_of(content), token, assessment_id, data)

    @get("/status", operation_id="candidateStatus", summary="Time left and tab ownership")
    async def status(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        conn: Conn,
        tab_id: Annotated[str, QueryParameter(max_length=64)] = "",
    ) -> AttemptStatus:
        """Time left in the current section by the server's clock, and whether another tab
        holds the attempt."""
        invitation = await resolve_invitation(conn, token)
        state = await load_attempt(conn, invitation, assessment_id)
        if state is None:
            raise NotFound("This assessment has not been started.")
        section = state.current_section() if state.in_progress else None
        if tab_id and state.in_progress and state.active_tab == tab_id:
            await tab_seen(conn, state.id, tab_id)
        return AttemptStatus(
            status=state.status if section or not state.in_progress else "time_up",
            section_id=section.section_id if section else None,
            seconds_left=seconds_left(section.deadline_at, state.now) if section else 0,
            other_tab=bool(tab_id) and state.active_tab not in (None, tab_id),
        )

    @post(
        "/claim",
        operation_id="candidateClaimTab",
        summary="Make this tab the active one",
        status_code=200,
    )
    async def claim(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        data: JSONBody[ClaimIn],
        conn: Conn,
    ) -> ClaimOut:
        """This tab is now the one in use. Taking over from another tab that is still open is
        noted as a signal; continuing after the previous tab was closed (or went silent) is
        what the notice allows, and is not."""
        invitation = await resolve_invitation(conn, token)
        state = await load_attempt(conn, invitation, assessment_id)
        if state is None or not state.in_progress:
            raise NotFound("There is no assessment in progress for this link.")
        claim = await claim_tab(conn, state.id, data.tab_id)
        switched = claim.simultaneous
        if switched:
            accommodated = invitation.accommodation.accommodated
            await insert_event(
                conn,
                state.organization_id,
                state.id,
                "second_tab",
                severity_of("second_tab", accommodated=accommodated),
                detail={"tab_id": data.tab_id},
                accommodated=accommodated,
            )
        seq = await conn.fetchval(
            "SELECT coalesce(max(client_seq), 0) FROM responses WHERE attempt_id = $1", state.id
        )
        return ClaimOut(other_tab_before=switched, seq=seq)

    @post(
        "/release",
        operation_id="candidateReleaseTab",
        summary="This tab is closing",
        status_code=200,
    )
    async def release(
        self,
        token: FromPath[str],
        assessment_id: FromPath[str],
        data: JSONBody[ClaimIn],
        conn: Conn,
    ) -> ClaimOut:
        """The page is going away: a tab opened after this is not simultaneous use."""
        invitation = await resolve_invitation(conn, token)
        state = await load_attempt(conn, invitation, assessment_id)
        if state is None or not state.in_progress:
            raise NotFound("There is no assessment in progress for this link.")
        await release_tab(conn, state.id, data.tab_id)
        return ClaimOut(other_tab_before=False, seq=0)
