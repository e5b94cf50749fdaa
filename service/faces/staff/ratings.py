"""Staff endpoints for rating constructed responses and rescoring attempts."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from service.assessments.ratings import Agreement
from service.ground.types import Reason
from service.results.rating_queue import (
    NewRating,
    RatingOutcome,
    RatingTask,
    rater_agreement,
    rating_queue,
    submit_rating,
)
from service.results.rescoring import rescore_attempt
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import STAFF_SECURITY, CurrentStaff, require_staff
from service.web.settings import Thresholds


class RescoreRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Why an attempt is rescored (kept in the audit log)."""

    reason: Reason


class Rescored(msgspec.Struct, frozen=True):
    """The new scoring run."""

    scoring_run_id: uuid.UUID
    content_version: str


class RaterAgreement(msgspec.Struct, frozen=True):
    """One rater's agreement statistics."""

    rater_id: str
    agreement: Agreement


class RatingController(Controller):
    """The blind rating queue, ratings, and per-rater agreement."""

    path = "/staff/ratings"
    tags = ["staff"]  # noqa: RUF012
    guards = [require_staff]  # noqa: RUF012
    security = STAFF_SECURITY

    @get(
        "/queue",
        operation_id="ratingQueue",
        summary="Responses awaiting this rater",
        opt={"role": "rater"},
    )
    async def queue(
        self,
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> list[RatingTask]:
        """Responses awaiting this rater (never ones they rated; candidate identity hidden)."""
        return await rating_queue(conn, staff, content, limit=limit)

    @post(
        operation_id="submitRating",
        summary="Rate a constructed response",
        opt={"role": "rater"},
        status_code=201,
    )
    async def rate(
        self,
        data: JSONBody[NewRating],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> RatingOutcome:
        """Record a rating; the second agreeing rating (or an adjudication) rescores."""
        return await submit_rating(conn, staff, data, content, thresholds)

    @get(
        "/agreement",
        operation_id="raterAgreement",
        summary="Agreement statistics per rater",
        opt={"role": "coordinator"},
    )
    async def agreement(self, conn: Conn, staff: CurrentStaff) -> list[RaterAgreement]:
        """Exact, adjacent and quadratic weighted kappa per rater."""
        stats = await rater_agreement(conn, staff.organization_id)
        return [RaterAgreement(rater, a) for rater, a in stats.items()]


class RescoreController(Controller):
    """Rescoring finished attempts against the loaded content version."""

    path = "/staff/attempts"
    tags = ["staff"]  # noqa: RUF012
    guards = [require_staff]  # noqa: RUF012
    security = STAFF_SECURITY

    @post(
        "/{attempt_id:uuid}/rescore",
        operation_id="rescoreAttempt",
        summary="Rescore an attempt",
        opt={"role": "coordinator"},
        status_code=201,
    )
    async def rescore(
        self,
        attempt_id: FromPath[uuid.UUID],
        data: JSONBody[RescoreRequest],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Rescored:
        """Add a scoring run with the loaded content; old runs stay; audited with the reason."""
        run_id = await rescore_attempt(
            conn,
            staff.organization_id,
            attempt_id,
            content,
            reason=data.reason,
            actor=staff.actor,
            thresholds=thresholds,
        )
        return Rescored(run_id, content.version_id)
