"""Tenant isolation, endpoint by endpoint: an organization's API key and staff see nothing
of another organization's candidates, attempts, cohorts, jobs, ratings, profiles,
statistics, bias audits or self-reported demographics.

Every HR API and staff operation in the OpenAPI document must have a case here, so a new
endpoint cannot ship without one.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from service.analytics.audits import AuditRequest, create_audit
from service.assessments.content import load_content
from service.auth.api_keys import SCOPES, create_api_key
from service.demographics.store import SelfReport, record_self_report
from service.tenancy import events
from tests.faces.staff.test_staff_ratings import scored_attempt
from tests.profiles.helpers import seed_organization
from tests.results.factories import make_user, org_slug, sign_in, staff_headers

LEVELS = {"content": 2, "organization": 2, "tone": 2, "mechanics": 2}
# Operations that name no other organization's data, or are covered elsewhere.
NOT_TENANT_DATA = {
    "createCandidate",
    "staffSignIn",
    "staffMe",
    "staffSignOut",
    "listAssessments",
    "createWebhook",
    "greenhouseListTests",
    "greenhouseSendTest",
    "greenhouseResponseError",
}


class OrgA:
    """The victim organization: an attempt awaiting its first rating, another rated by two
    raters (so agreement statistics exist), a cohort with both candidates (who reported
    their sex), a cohort rendering job and a stored bias audit."""

    def __init__(
        self,
        attempt: uuid.UUID,
        candidate: uuid.UUID,
        cohort: uuid.UUID,
        job: uuid.UUID,
        invitation: uuid.UUID,
        audit: uuid.UUID,
        webhook: uuid.UUID,
        delivery: uuid.UUID,
    ) -> None:
        self.attempt, self.candidate, self.cohort, self.job = attempt, candidate, cohort, job
        self.invitation, self.audit, self.webhook, self.delivery = (
            invitation,
            audit,
            webhook,
            delivery,
        )


async def _seed_victim(
    client: AsyncTestClient,
    pool: asyncpg.Pool,  # type: ignore[type-arg]
    org: uuid.UUID,
) -> OrgA:
    attempt = await scored_attempt(pool, org)
    rated_twice = await scored_attempt(pool, org)
    candidate = await pool.fetchval("SELECT candidate_id FROM attempts WHERE id = $1", attempt)
    cohort = uuid.uuid4()
    await pool.execute(
        "INSERT INTO cohorts (id, organization_id, name) VALUES ($1, $2, 'A')", cohort, org
    )
    second = await pool.fetchval("SELECT candidate_id FROM attempts WHERE id = $1", rated_twice)
    for member, sex in ((candidate, "female"), (second, "male")):
        await pool.execute(
            "INSERT INTO cohort_members (organization_id, cohort_id, "
            "candidate_id) VALUES ($1, $2, $3)",
            org,
            cohort,
            member,
        )
        async with pool.acquire() as conn:
            await record_self_report(conn, org, member, SelfReport(sex=sex))
    for rater in ("rater-a1@example.org", "rater-a2@example.org"):
        await make_user(pool, org, "rater", rater)
        client.cookies.clear()
        csrf = await sign_in(client, await org_slug(pool, org), rater)
        rated = await client.post(
            "/staff/ratings",
            headers=csrf,
            json={"attempt_id": str(rated_twice), "item_id": "COM-A-14", "levels": LEVELS},
        )
        assert rated.status_code == 201, rated.text
    job = await pool.fetchval(
        """INSERT INTO profile_batches (id, organization_id, cohort_id, variant, total,
               created_by) VALUES ($1, $2, $3, 'employer', 1, 'test') RETURNING id""",
        uuid.uuid4(),
        org,
        cohort,
    )
    async with pool.acquire() as conn:
        audit = await create_audit(
            conn,
            load_content(),
            org,
            AuditRequest(outcome="passed", assessment_id="communication"),
            actor="test",
        )
    client.cookies.clear()
    invitation = await pool.fetchval("SELECT invitation_id FROM attempts WHERE id = $1", attempt)
    await pool.execute(
        "INSERT INTO greenhouse_orders (invitation_id, organization_id, "
        "partner_test_id) VALUES ($1, $2, 'communication')",
        invitation,
        org,
    )
    webhook = await pool.fetchval(
        """INSERT INTO webhook_endpoints (id, organization_id, url, events, secret)
           VALUES ($1, $2, 'https://hooks.example.com/a', '{result.updated}', 'whsec_QUJD')
           RETURNING id""",
        uuid.uuid4(),
        org,
    )
    async with pool.acquire() as conn, conn.transaction():
        await events.emit(conn, org, "result.updated", {"result_id": str(attempt)})
    delivery = await pool.fetchval(
        "SELECT id FROM webhook_deliveries WHERE endpoint_id = $1", webhook
    )
    return OrgA(attempt, candidate, cohort, job, invitation, audit.id, webhook, delivery)


def _cases(a: OrgA) -> dict[str, tuple[str, str, Any]]:
    """operationId -> (method, path, JSON body) that names organization A's data."""
    cohort = f"cohort_id={a.cohort}"
    audit = "outcome=passed&assessment_id=communication"
    return {
        "getCandidate": ("GET", f"/api/v1/candidates/{a.candidate}", None),
        "getCandidateProfilePdf": ("GET", f"/api/v1/candidates/{a.candidate}/profile.pdf", None),
        "createInvitation": (
            "POST",
            "/api/v1/invitations",
            {"candidate_id": str(a.candidate), "assessments": ["coding"]},
        ),
        "staffProfilePdf": ("GET", f"/staff/candidates/{a.candidate}/profile.pdf", None),
        "renderCohortProfiles": (
            "POST",
            f"/staff/cohorts/{a.cohort}/profiles",
            {"variant": "employer"},
        ),
        "profileJobProgress": ("GET", f"/staff/profile-jobs/{a.job}", None),
        "attemptIntegrityEvents": ("GET", f"/staff/attempts/{a.attempt}/integrity-events", None),
        "rescoreAttempt": (
            "POST",
            f"/staff/attempts/{a.attempt}/rescore",
            {"reason": "an outsider's rescore"},
        ),
        "submitRating": (
            "POST",
            "/staff/ratings",
            {"attempt_id": str(a.attempt), "item_id": "COM-A-14", "levels": LEVELS},
        ),
        "getInvitation": ("GET", f"/api/v1/invitations/{a.invitation}", None),
        "reissueInvitation": ("POST", f"/api/v1/invitations/{a.invitation}/reissue", {}),
        "revokeInvitation": ("POST", f"/api/v1/invitations/{a.invitation}/revoke", None),
        "getResult": ("GET", f"/api/v1/results/{a.attempt}", None),
        "listResultVersions": ("GET", f"/api/v1/results/{a.attempt}/versions", None),
        "getResultVersion": ("GET", f"/api/v1/results/{a.attempt}/versions/1", None),
        "listCandidateResults": ("GET", f"/api/v1/candidates/{a.candidate}/results", None),
        "recordOutcome": (
            "POST",
            "/api/v1/outcomes",
            {"candidate_id": str(a.candidate), "hired": True, "observed_on": "2024-01-02"},
        ),
        "getWebhook": ("GET", f"/api/v1/webhooks/{a.webhook}", None),
        "listWebhookDeliveries": ("GET", f"/api/v1/webhooks/{a.webhook}/deliveries", None),
        "redeliverWebhook": (
            "POST",
            f"/api/v1/webhooks/{a.webhook}/deliveries/{a.delivery}/redeliver",
            None,
        ),
        "rotateWebhookSecret": ("POST", f"/api/v1/webhooks/{a.webhook}/rotate-secret", None),
        "greenhouseTestStatus": (
            "GET",
            f"/integrations/greenhouse/test_status?partner_interview_id={a.invitation}",
            None,
        ),
        "deleteWebhook": ("DELETE", f"/api/v1/webhooks/{a.webhook}", None),
        # Statistics over stored data name the victim's cohort; stored audits by id.
        "itemAnalysis": ("GET", f"{STATS}/forms/communication-a/item-analysis?{cohort}", None),
        "itemAnalysisCsv": (
            "GET",
            f"{STATS}/forms/communication-a/item-analysis.csv?{cohort}",
            None,
        ),
        "difReport": ("GET", f"{STATS}/forms/communication-a/dif?{cohort}", None),
        "difCsv": ("GET", f"{STATS}/forms/communication-a/dif.csv?{cohort}", None),
        "biasAudit": ("GET", f"{STATS}/bias-audit?{audit}&{cohort}", None),
        "biasAuditCsv": ("GET", f"{STATS}/bias-audit.csv?{audit}&{cohort}", None),
        "createBiasAudit": (
            "POST",
            "/staff/bias-audits",
            {"outcome": "passed", "assessment_id": "communication", "cohort_id": str(a.cohort)},
        ),
        "getBiasAudit": ("GET", f"/staff/bias-audits/{a.audit}", None),
        "biasAuditReportCsv": ("GET", f"/staff/bias-audits/{a.audit}/report.csv", None),
        "biasAuditSummary": ("GET", f"/staff/bias-audits/{a.audit}/summary", None),
        "biasAuditSummaryPdf": ("GET", f"/staff/bias-audits/{a.audit}/summary.pdf", None),
        "candidateDemographics": ("GET", f"/staff/candidates/{a.candidate}/demographics", None),
    }


STATS = "/staff/statistics"
LISTINGS = {
    "listCandidates",
    "ratingQueue",
    "raterAgreement",
    "listInvitations",
    "listResults",
    "listWebhooks",
    "staffOutbox",
    "listBiasAudits",
}


async def _tables(pool: asyncpg.Pool) -> dict[str, int]:  # type: ignore[type-arg]
    names = [
        "candidates",
        "invitations",
        "scoring_runs",
        "ratings",
        "profiles",
        "profile_batches",
        "bias_audits",
        "candidate_demographics",
        "audit_log",
        "result_versions",
        "candidate_outcomes",
        "hiring_outcomes",
        "webhook_endpoints",
        "webhook_deliveries",
        "outbound_emails",
    ]
    return {n: await pool.fetchval(f"SELECT count(*) FROM {n}") for n in names}


async def test_another_organization_sees_and_changes_nothing(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    org_id: uuid.UUID,  # type: ignore[type-arg]
) -> None:
    victim = await _seed_victim(client, pool, org_id)
    async with pool.acquire() as conn:
        intruder = await seed_organization(conn, "Intruder Clinic")
        key = await create_api_key(conn, intruder, "intruder", sorted(SCOPES))
    api = {"Authorization": f"Bearer {key.secret}"}
    staff = await staff_headers(client, pool, intruder, "admin", "admin-b@example.org")
    await make_user(pool, intruder, "rater", "unused@example.org")

    doc = (await client.get("/schema/openapi.json")).json()
    operations = {
        op["operationId"]
        for path, item in doc["paths"].items()
        if path.startswith(("/api/v1/", "/staff/", "/integrations/greenhouse/"))
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    cases = _cases(victim)
    assert operations == set(cases) | LISTINGS | NOT_TENANT_DATA, "add a case for new operations"

    before = await _tables(pool)
    for operation, (method, path, body) in cases.items():
        headers = {**api, **staff}
        r = await client.request(method, path, headers=headers, json=body)
        assert r.status_code == 404, (operation, r.status_code, r.text[:200])
        assert "tc@example.org" not in r.text  # nothing of the victim's record leaks
    after = await _tables(pool)
    assert {k: after[k] - before[k] for k in before} == dict.fromkeys(before, 0)
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM invitations WHERE revoked_at IS NOT NULL "
            "OR reissued_at IS NOT NULL"
        )
        == 0
    )
    assert await pool.fetchval("SELECT previous_secret FROM webhook_endpoints") is None

    assert (await client.get("/api/v1/candidates", headers=api)).json()["items"] == []
    for listing in ("/api/v1/invitations", "/api/v1/results"):
        assert (await client.get(listing, headers=api)).json()["items"] == []
    assert (await client.get("/api/v1/webhooks", headers=api)).json() == []
    assert (await client.get("/staff/outbox", headers=staff)).json() == []
    assert (await client.get("/staff/ratings/queue", headers=staff)).json() == []
    assert (await client.get("/staff/ratings/agreement", headers=staff)).json() == []
    assert (await client.get("/staff/bias-audits", headers=staff)).json() == []

    # The control: the victim's own key and staff get through every case and see their data,
    # so the 404s above were isolation, not wrong paths.
    async with pool.acquire() as conn:
        own_key = await create_api_key(conn, org_id, "own", sorted(SCOPES))
    client.cookies.clear()
    own = {
        "Authorization": f"Bearer {own_key.secret}",
        **await staff_headers(client, pool, org_id, "admin", "admin-a@example.org"),
    }
    assert len((await client.get("/api/v1/candidates", headers=own)).json()["items"]) == 2
    assert len((await client.get("/api/v1/results", headers=own)).json()["items"]) == 2
    assert len((await client.get("/staff/ratings/queue", headers=own)).json()) == 1
    assert len((await client.get("/staff/ratings/agreement", headers=own)).json()) == 2
    assert len((await client.get("/staff/bias-audits", headers=own)).json()) == 1
    for operation, (method, path, body) in cases.items():
        r = await client.request(method, path, headers=own, json=body)
        assert r.status_code < 300, (operation, r.status_code, r.text[:200])
