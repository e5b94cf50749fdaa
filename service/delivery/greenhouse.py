"""The Greenhouse Assessment Partner contract: the tests we offer, sending one (register the
candidate, invite and e-mail them, remember Greenhouse's callback), and the status Greenhouse
reads after our PATCH says the test is done.

partner_interview_id is the invitation's id. The PATCH itself is a delivery of the
``invitation.completed`` event to the invitation's callback (kind ``greenhouse``), retried by
the delivery job like any webhook.
"""

from __future__ import annotations

import hashlib
import statistics
import uuid
from typing import Annotated, Any

import asyncpg
import msgspec
from msgspec import Meta

from service.assessments.bank import ContentVersion
from service.delivery.invitation_views import get_invitation
from service.delivery.invitations import MailPolicy, NewInvitation, create_invitation
from service.ground.errors import NotFound
from service.ground.types import URL_PATTERN, Email
from service.results.published import Result
from service.tenancy.candidates import NewCandidate, create_candidate

_Text = Annotated[str, Meta(max_length=500, pattern=r"^[^\x00]*$")]


class GreenhouseTest(msgspec.Struct, frozen=True):
    """One test Greenhouse can send."""

    partner_test_id: str
    partner_test_name: str


class GreenhouseCandidate(msgspec.Struct, frozen=True, kw_only=True):
    """The candidate as Greenhouse sends them (it may add properties; they are ignored)."""

    first_name: Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
    last_name: Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
    email: Email
    preferred_name: _Text | None = None
    greenhouse_profile_url: Annotated[str, Meta(max_length=2000, pattern=r"^[^\x00]*$")] | None = (
        None
    )
    resume_url: Annotated[str, Meta(max_length=2000, pattern=r"^[^\x00]*$")] | None = None
    phone_number: _Text | None = None


class SendTest(msgspec.Struct, frozen=True, kw_only=True):
    """Greenhouse's send_test request."""

    partner_test_id: Annotated[str, Meta(min_length=1, max_length=100)]
    candidate: GreenhouseCandidate
    url: Annotated[str, Meta(min_length=8, max_length=2000, pattern=URL_PATTERN)]
    """Greenhouse's callback: PATCHed (no body) when the test is done."""
    sent_by: _Text | None = None


class SentTest(msgspec.Struct, frozen=True):
    """send_test's reply."""

    partner_interview_id: str


class TestStatus(msgspec.Struct, frozen=True, kw_only=True):
    """test_status's reply: ``partner_profile_url`` (an expiring link to the employer
    profile) and ``partner_score`` (mean scaled score, 100-400) once complete; ``metadata``
    is flat: per assessment its scaled score and pass, per competency its percent, and the
    readiness estimate with its provenance."""

    partner_status: str
    partner_profile_url: str | None = None
    partner_score: float | None = None
    metadata: dict[str, str | int | float | bool | None] | None = None


def list_tests(content: ContentVersion) -> list[GreenhouseTest]:
    """Each package (rubrics/packages.toml), then each assessment on its own."""
    packages = [
        GreenhouseTest(p.id, p.title) for p in sorted(content.packages.values(), key=lambda p: p.id)
    ]
    return packages + [
        GreenhouseTest(a.id, a.title)
        for a in sorted(content.assessments.values(), key=lambda a: a.id)
    ]


def invitation_for(
    content: ContentVersion, partner_test_id: str, candidate_id: uuid.UUID, callback_url: str
) -> NewInvitation:
    """The invitation a test stands for (a package or one assessment); NotFound for an
    unknown test id."""
    if partner_test_id in content.packages:
        return NewInvitation(
            candidate_id=candidate_id, package=partner_test_id, callback_url=callback_url
        )
    if partner_test_id in content.assessments:
        return NewInvitation(
            candidate_id=candidate_id, assessments=[partner_test_id], callback_url=callback_url
        )
    raise NotFound(f"No test {partner_test_id!r}", field="partner_test_id")


def _external_id(candidate: GreenhouseCandidate) -> str | None:
    url = candidate.greenhouse_profile_url
    if not url:
        return None
    return "greenhouse:" + hashlib.sha256(url.encode()).hexdigest()[:40]


async def send_test(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    request: SendTest,
    *,
    content: ContentVersion,
    base_url: str,
    mail: MailPolicy,
    allow_private: bool,
    actor: str,
) -> SentTest:
    """Register (or find, by Greenhouse profile) the candidate, invite them with Greenhouse's
    callback and e-mail them, in one transaction."""
    invitation_for(content, request.partner_test_id, uuid.UUID(int=0), request.url)
    external = _external_id(request.candidate)
    async with conn.transaction():
        candidate_id = None
        if external is not None:
            candidate_id = await conn.fetchval(
                "SELECT id FROM candidates WHERE organization_id = $1 AND external_id = $2",
                organization_id,
                external,
            )
        if candidate_id is None:
            person = request.candidate
            created = await create_candidate(
                conn,
                organization_id,
                NewCandidate(
                    given_name=person.preferred_name or person.first_name,
                    family_name=person.last_name,
                    email=person.email,
                    external_id=external,
                ),
            )
            candidate_id = created.id
        issued = await create_invitation(
            conn,
            organization_id,
            invitation_for(content, request.partner_test_id, candidate_id, request.url),
            content=content,
            base_url=base_url,
            created_by=actor,
            mail=mail,
            allow_private_callbacks=allow_private,
            callback_kind="greenhouse",
        )
        await conn.execute(
            """INSERT INTO greenhouse_orders (invitation_id, organization_id, partner_test_id)
               VALUES ($1, $2, $3)""",
            issued.id,
            organization_id,
            request.partner_test_id,
        )
    return SentTest(str(issued.id))


async def _order(
    conn: asyncpg.Connection, organization_id: uuid.UUID, partner_interview_id: str
) -> uuid.UUID:
    try:
        invitation_id = uuid.UUID(partner_interview_id)
    except ValueError:
        raise NotFound(
            f"No interview {partner_interview_id!r}", field="partner_interview_id"
        ) from None
    found = await conn.fetchval(
        "SELECT invitation_id FROM greenhouse_orders WHERE organization_id = $1 "
        "AND invitation_id = $2",
        organization_id,
        invitation_id,
    )
    if found is None:
        raise NotFound(f"No interview {partner_interview_id!r}", field="partner_interview_id")
    return invitation_id


def flat_metadata(results: list[Result]) -> dict[str, str | int | float | bool | None]:
    """Primitive values only, one level deep, as Greenhouse requires."""
    meta: dict[str, str | int | float | bool | None] = {}
    for result in results:
        key = result.assessment_id
        meta[f"{key}_scaled_score"] = result.score.scaled
        meta[f"{key}_passed"] = result.score.passed
        meta[f"{key}_provisional"] = result.provisional
        for c in result.competencies:
            meta[f"competency_{c.competency_id}_percent"] = c.percent
            meta[f"competency_{c.competency_id}_level"] = c.level_name
    latest = max(results, key=lambda r: r.updated_at, default=None)
    if latest is not None and latest.readiness is not None:
        r = latest.readiness
        meta.update(
            {
                "readiness_probability": round(r.probability, 3),
                "readiness_band": r.band,
                "readiness_lower": round(r.lower, 3),
                "readiness_upper": round(r.upper, 3),
                "readiness_model_version": r.model_version,
                "readiness_model_provenance": r.provenance,
            }
        )
    return meta


async def test_status(
    conn: asyncpg.Connection, organization_id: uuid.UUID, partner_interview_id: str
) -> tuple[TestStatus, uuid.UUID]:
    """The status (without the profile link, which the caller mints) and the candidate."""
    invitation_id = await _order(conn, organization_id, partner_interview_id)
    view = await get_invitation(conn, organization_id, invitation_id)
    if view.status != "completed":
        return TestStatus(partner_status=view.status), view.candidate_id
    rows = await conn.fetch(
        """SELECT DISTINCT ON (v.attempt_id) v.document FROM result_versions v
           JOIN attempts t ON t.id = v.attempt_id
           WHERE v.organization_id = $1 AND t.invitation_id = $2
           ORDER BY v.attempt_id, v.version DESC""",
        organization_id,
        invitation_id,
    )
    results = [msgspec.json.decode(r["document"], type=Result) for r in rows]
    score = round(statistics.fmean(r.score.scaled for r in results), 1) if results else None
    return TestStatus(
        partner_status="complete", partner_score=score, metadata=flat_metadata(results)
    ), view.candidate_id


class ResponseError(msgspec.Struct, frozen=True, kw_only=True):
    """Greenhouse reporting that one of our replies was malformed."""

    api_call: Annotated[str, Meta(min_length=1, max_length=200)]
    """Which of our replies was malformed (Greenhouse always says)."""
    errors: Annotated[list[Any], Meta(max_length=100)]
    partner_test_id: Annotated[str, Meta(max_length=200)] | None = None
    partner_test_name: Annotated[str, Meta(max_length=500)] | None = None
    partner_interview_id: Annotated[str, Meta(max_length=200)] | None = None
    candidate_email: Annotated[str, Meta(max_length=320)] | None = None
