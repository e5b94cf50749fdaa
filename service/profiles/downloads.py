"""A candidate's current competency profile as a PDF: issued on first request, then served
from storage (an unchanged profile is never rendered twice)."""

from __future__ import annotations

import uuid

import asyncpg

from service.assessments.bank import ContentVersion
from service.auth.staff import StaffUser
from service.ground.errors import Forbidden, NotFound
from service.profiles import repository
from service.profiles.data import Variant
from service.profiles.repository import ProfilePdf
from service.profiles.runtime import ProfileRuntime
from service.profiles.sources import load_profile_data
from service.tenancy import audit


def may_read_employer_copy(staff: StaffUser) -> bool:
    """Coordinators and admins only: the employer copy carries integrity signals and every
    rater's notes; raters rate blind, viewers only view results (staff API and dashboard)."""
    return staff.role in ("coordinator", "admin")


async def current_profile_pdf(
    conn: asyncpg.Connection,
    runtime: ProfileRuntime,
    content: ContentVersion,
    *,
    organization_id: uuid.UUID,
    candidate_id: uuid.UUID,
    variant: Variant,
    invitation_id: uuid.UUID | None = None,
) -> ProfilePdf:
    """The profile of the candidate's latest scores (with ``invitation_id``, only of what was
    done through that invitation); NotFound before anything is scored."""
    built = await load_profile_data(
        conn,
        organization_id=organization_id,
        candidate_id=candidate_id,
        variant=variant,
        content=content,
        invitation_id=invitation_id,
    )
    if built is None:
        raise NotFound("No competency profile yet: no assessment has been scored.")
    stored = await runtime.issue(
        conn,
        organization_id=organization_id,
        candidate_id=candidate_id,
        attempt_id=built.attempt_id,
        data=built.data,
    )
    pdf = await repository.fetch_pdf(conn, organization_id, stored.id)
    if pdf is None:  # pragma: no cover - issue() stores the PDF before returning
        raise NotFound("The profile could not be rendered.")
    return pdf


async def staff_profile_pdf(
    conn: asyncpg.Connection,
    runtime: ProfileRuntime,
    content: ContentVersion,
    staff: StaffUser,
    candidate_id: uuid.UUID,
    variant: Variant | None = None,
) -> ProfilePdf:
    """A staff member's download of a candidate's current profile, audited: ``variant``
    defaults to the fullest copy this person may read; the employer copy (integrity signals,
    rater notes) is refused to raters and viewers (Forbidden naming ``variant``)."""
    chosen: Variant = variant or ("employer" if may_read_employer_copy(staff) else "candidate")
    if chosen == "employer" and not may_read_employer_copy(staff):
        raise Forbidden(
            "The employer copy (integrity signals, rater notes) is for coordinators and "
            "admins; ask for variant=candidate",
            field="variant",
        )
    pdf = await current_profile_pdf(
        conn,
        runtime,
        content,
        organization_id=staff.organization_id,
        candidate_id=candidate_id,
        variant=chosen,
    )
    await audit.record(
        conn,
        staff.organization_id,
        actor=staff.actor,
        action="profile.download",
        subject_kind="candidate",
        subject_id=candidate_id,
        reason=f"{chosen} copy",
    )
    return pdf
