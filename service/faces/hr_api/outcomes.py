"""HR API v1: hiring outcomes posted back by HR systems (what `chartready train` learns
from)."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody

from service.readiness.hr_outcomes import NewOutcome, Outcome, record_hiring_outcome
from service.tenancy import audit
from service.web.database import Conn
from service.web.guards import HR_API_SECURITY, CurrentPrincipal, require_api_key
from service.web.openapi import errors


class OutcomeController(Controller):
    """Post hiring decisions and 90-day outcomes."""

    path = "/api/v1/outcomes"
    tags = ["outcomes"]  # noqa: RUF012 - Litestar reads this class attribute
    guards = [require_api_key]  # noqa: RUF012
    security = HR_API_SECURITY

    @post(
        operation_id="recordOutcome",
        summary="Record a hiring outcome",
        opt={"scope": "outcomes:write"},
        status_code=200,
        responses=errors(404, 422),
    )
    async def record(
        self, data: JSONBody[NewOutcome], conn: Conn, principal: CurrentPrincipal
    ) -> Outcome:
        """Whether the candidate was hired and, later, retained 90 days and their
        supervisor's rating (1-5). Posting again from the same `source` replaces the record
        (safe to retry). Once the 90-day facts are known the outcome becomes a training
        label (`met_standard`) that `chartready train` uses when there are enough."""
        outcome = await record_hiring_outcome(conn, principal.organization_id, data)
        await audit.record(
            conn,
            principal.organization_id,
            actor=principal.actor,
            action="outcome.record",
            subject_kind="candidate",
            subject_id=data.candidate_id,
        )
        return outcome
