"""Staff: one candidate's self-reported demographics, for admins only (audited)."""

from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.params import FromPath

from service.demographics.store import StoredDemographics, read_for_admin
from service.tenancy import audit
from service.web.database import Conn
from service.web.guards import STAFF_SECURITY, CurrentStaff, require_staff


class DemographicsController(Controller):
    """Self-reported sex and race/ethnicity are kept apart: only admins read one person's."""

    path = "/staff/candidates"
    tags = ["staff"]  # noqa: RUF012
    guards = [require_staff]  # noqa: RUF012
    security = STAFF_SECURITY

    @get(
        "/{candidate_id:uuid}/demographics",
        operation_id="candidateDemographics",
        summary="A candidate's self-reported demographics (admins)",
        opt={"role": "admin"},
    )
    async def read(
        self, candidate_id: FromPath[uuid.UUID], conn: Conn, staff: CurrentStaff
    ) -> StoredDemographics:
        """What the candidate reported on the optional page ("unknown" = prefer not to
        say), when, and whether the candidate is simulated. Never used in scoring or the
        readiness estimate."""
        found = await read_for_admin(conn, staff.organization_id, candidate_id)
        await audit.record(
            conn,
            staff.organization_id,
            actor=staff.actor,
            action="demographics.read",
            subject_kind="candidate",
            subject_id=candidate_id,
        )
        return found
