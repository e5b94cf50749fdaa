"""Staff: download a candidate's profile, render a whole cohort's in the background."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from service.ground.errors import NotFound
from service.jobs.profiles import BatchProgress, batch_progress, request_cohort_profiles
from service.profiles.downloads import staff_profile_pdf
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.downloads import pdf_response
from service.web.guards import STAFF_SECURITY, CurrentStaff, require_staff
from service.web.profiles import CurrentProfiles


class CohortJobRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Which variant to render for every member of the cohort."""

    variant: Literal["candidate", "employer"] = "employer"


class StaffProfileController(Controller):
    """Profiles for coordinators and admins; every download is audited."""

    path = "/staff"
    tags = ["staff"]  # noqa: RUF012
    guards = [require_staff]  # noqa: RUF012
    security = STAFF_SECURITY

    @get(
        "/candidates/{candidate_id:uuid}/profile.pdf",
        operation_id="staffProfilePdf",
        summary="Download a candidate's competency profile (PDF, either variant)",
        opt={"role": "viewer"},
    )
    async def download(
        self,
        candidate_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        profiles: CurrentProfiles,
        variant: Annotated[
            Literal["candidate", "employer"] | None,
            QueryParameter(
                description="employer adds integrity signals, "
                "rater notes and versions (coordinators "
                "and admins only); default: employer "
                "for them, candidate for others"
            ),
        ] = None,
    ) -> Response[bytes]:
        """The candidate's current profile. The employer copy carries integrity signals and
        every rater's notes, so only coordinators and admins get it: a rater reading it
        would see another rater's judgement (rating is blind), a viewer what the code keeps
        for coordinators."""
        pdf = await staff_profile_pdf(conn, profiles, content, staff, candidate_id, variant)
        return pdf_response(pdf)

    @post(
        "/cohorts/{cohort_id:uuid}/profiles",
        operation_id="renderCohortProfiles",
        summary="Render a cohort's profiles in the background",
        opt={"role": "coordinator"},
        status_code=202,
    )
    async def render_cohort(
        self,
        cohort_id: FromPath[uuid.UUID],
        data: JSONBody[CohortJobRequest],
        conn: Conn,
        staff: CurrentStaff,
    ) -> BatchProgress:
        """Queue a job per cohort member (workers render them in the background); poll the
        returned id for progress."""
        return await request_cohort_profiles(
            conn,
            organization_id=staff.organization_id,
            cohort_id=cohort_id,
            variant=data.variant,
            created_by=staff.actor,
        )

    @get(
        "/profile-jobs/{job_id:uuid}",
        operation_id="profileJobProgress",
        summary="Progress of a cohort rendering job",
        opt={"role": "coordinator"},
    )
    async def job(
        self, job_id: FromPath[uuid.UUID], conn: Conn, staff: CurrentStaff
    ) -> BatchProgress:
        """Progress of a cohort rendering job: profiles done and failed of the total."""
        progress = await batch_progress(conn, staff.organization_id, job_id)
        if progress is None:
            raise NotFound(f"No job {job_id}", field="job_id")
        return progress
