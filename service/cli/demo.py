"""Demo data for newcomers: an organization, an admin, two raters (so double rating can be
tried), an API key, and a simulated cohort scored through the real pipeline with a first
readiness model, so estimates show at once. The cohort's written answers are plausible
replies (service.cli.demo_writing), not the simulation's rule-pattern text."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec
from argon2 import PasswordHasher

from service.assessments.bank import ContentVersion
from service.assessments.content import load_content
from service.assessments.items import ConstructedResponseItem
from service.auth.api_keys import SCOPES, create_api_key
from service.cli.demo_sample import (
    SampleCohort,
    seed_demo_audit,
    seed_statistics_sample,
    settle_demo_invitations,
)
from service.cli.demo_writing import Tier, demo_response
from service.cli.invitations import seed_demo_invitations
from service.demographics.store import SelfReport, record_self_report
from service.ground.db import create_pool
from service.ground.migrator import migrate
from service.ground.settings import Settings
from service.readiness.constructed import constructed_answers
from service.readiness.demo_cohort import SimulatedApplicant, simulated_applicants
from service.readiness.estimates import thresholds_of
from service.readiness.predict import BandThresholds
from service.readiness.registry import active_version
from service.readiness.train import train
from service.results.rescoring import rescore_attempt
from service.results.store import ensure_content_version

DEMO_SLUG = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.chartready.example"
DEMO_ADMIN_PASSWORD = "demo-password-change-me"  # noqa: S105 - printed for newcomers on purpose
DEMO_RATERS = (
    ("rater1@demo.chartready.example", "Demo Rater One"),
    ("rater2@demo.chartready.example", "Demo Rater Two"),
)
DEMO_RATER_PASSWORD = "demo-rater-change-me"  # noqa: S105 - printed for newcomers on purpose
# One account for each of the other dashboard roles, so every page can be tried.
DEMO_COORDINATOR_EMAIL = "coordinator@demo.chartready.example"
DEMO_VIEWER_EMAIL = "viewer@demo.chartready.example"
DEMO_STAFF_PASSWORD = "demo-staff-change-me"  # noqa: S105 - printed for newcomers on purpose
DEMO_COHORT = "Demo cohort (simulated)"
_GIVEN = (
    "Avery",
    "Blake",
    "Casey",
    "Devon",
    "Emery",
    "Finley",
    "Harper",
    "Jordan",
    "Kai",
    "Logan",
    "Morgan",
    "Noa",
    "Parker",
    "Quinn",
    "Reese",
    "Rowan",
    "Sage",
    "Taylor",
)
_FAMILY = (
    "Alvarez",
    "Brooks",
    "Chen",
    "Diallo",
    "Evans",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Johnson",
    "Kowalski",
    "Lopez",
    "Mensah",
    "Novak",
    "Okafor",
    "Patel",
)


class DemoCredentials(msgspec.Struct, frozen=True):
    """What `chartready demo` prints."""

    organization_id: uuid.UUID
    admin_email: str
    admin_password: str
    api_key: str
    organization_slug: str = DEMO_SLUG
    rater_emails: tuple[str, ...] = ()
    rater_password: str = DEMO_RATER_PASSWORD


class DemoCohort(msgspec.Struct, frozen=True):
    """The seeded cohort and the model that estimated it."""

    cohort_id: uuid.UUID
    candidates: int
    model_version: str | None


async def seed_demo(conn: asyncpg.Connection) -> DemoCredentials:
    """Create (or reuse) the demo organization and admin; mint a fresh demo API key."""
    async with conn.transaction():
        org_id = await conn.fetchval(
            """INSERT INTO organizations (id, slug, name) VALUES ($1, $2, $3)
               ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name RETURNING id""",
            uuid.uuid4(),
            DEMO_SLUG,
            "Demo Health System",
        )
        hasher = PasswordHasher()
        staff = [(DEMO_ADMIN_EMAIL, "Demo Admin", "admin", DEMO_ADMIN_PASSWORD)]
        staff += [(email, name, "rater", DEMO_RATER_PASSWORD) for email, name in DEMO_RATERS]
        staff += [
            (DEMO_COORDINATOR_EMAIL, "Demo Coordinator", "coordinator", DEMO_STAFF_PASSWORD),
            (DEMO_VIEWER_EMAIL, "Demo Viewer", "viewer", DEMO_STAFF_PASSWORD),
        ]
        for email, name, role, password in staff:
            await conn.execute(
                """INSERT INTO users (id, organization_id, email, display_name, role,
                                      password_hash)
                   VALUES ($1, $2, $3, $4, $5, $6)
                   ON CONFLICT (organization_id, email) DO NOTHING""",
                uuid.uuid4(),
                org_id,
                email,
                name,
                role,
                hasher.hash(password),
            )
        key = await create_api_key(conn, org_id, "demo key", sorted(SCOPES))
    return DemoCredentials(
        org_id,
        DEMO_ADMIN_EMAIL,
        DEMO_ADMIN_PASSWORD,
        key.secret,
        rater_emails=tuple(email for email, _ in DEMO_RATERS),
    )


async def seed_demo_cohort(
    pool: asyncpg.Pool,
    organization_id: uuid.UUID,
    content: ContentVersion,
    *,
    thresholds: BandThresholds,
    size: int = 24,
    min_real_outcomes: int = 200,
    simulated_candidates: int = 20_000,
) -> DemoCohort:
    """Train the first model if none is active, then (once) add a simulated cohort whose
    answers are scored and estimated by the real code. Idempotent across restarts."""
    async with pool.acquire() as conn:
        if await active_version(conn, organization_id=None) is None:
            await train(
                pool,
                min_real_outcomes=min_real_outcomes,
                seed=0,
                simulated_candidates=simulated_candidates,
                content=content,
            )
        model = await active_version(conn, organization_id=None)
        existing = await conn.fetchval(
            "SELECT id FROM cohorts WHERE organization_id = $1 AND name = $2",
            organization_id,
            DEMO_COHORT,
        )
        if existing is not None:
            members = await conn.fetchval(
                "SELECT count(*) FROM cohort_members WHERE cohort_id = $1", existing
            )
            return DemoCohort(existing, members, model)
        cohort_id = uuid.uuid4()
        await ensure_content_version(conn, content)
        await conn.execute(
            "INSERT INTO cohorts (id, organization_id, name, starts_on) VALUES ($1, $2, $3, $4)",
            cohort_id,
            organization_id,
            DEMO_COHORT,
            (datetime.now(UTC) - timedelta(days=30)).date(),
        )
        for person in simulated_applicants(content, size, seed=2026):
            attempts = await _store_applicant(conn, organization_id, cohort_id, content, person)
            for attempt_id in attempts:
                await rescore_attempt(
                    conn,
                    organization_id,
                    attempt_id,
                    content,
                    reason="demo: simulated cohort",
                    actor="demo",
                    thresholds=thresholds,
                )
        await settle_demo_invitations(conn, organization_id, cohort_id)
    return DemoCohort(cohort_id, size, model)


async def _store_applicant(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    cohort_id: uuid.UUID,
    content: ContentVersion,
    person: SimulatedApplicant,
) -> list[uuid.UUID]:
    """One simulated person as candidate, cohort member, invitation and submitted attempts."""
    index = person.index
    candidate_id, invitation_id = uuid.uuid4(), uuid.uuid4()
    given, family = _GIVEN[index % len(_GIVEN)], _FAMILY[(index * 7) % len(_FAMILY)]
    started = datetime.now(UTC) - timedelta(days=20 - index % 14, hours=index % 5)
    async with conn.transaction():
        await conn.execute(
            """INSERT INTO candidates (id, organization_id, external_id, given_name, family_name,
                   email, simulated) VALUES ($1, $2, $3, $4, $5, $6, true)""",
            candidate_id,
            organization_id,
            f"demo-sim-{index:03d}",
            given,
            family,
            f"{given}.{family}.{index}@example.org".lower(),
        )
        await record_self_report(
            conn, organization_id, candidate_id, SelfReport(person.sex, person.race_ethnicity)
        )
        await conn.execute(
            """INSERT INTO cohort_members (organization_id, cohort_id, candidate_id)
               VALUES ($1, $2, $3)""",
            organization_id,
            cohort_id,
            candidate_id,
        )
        await conn.execute(
            """INSERT INTO invitations (id, organization_id, candidate_id, cohort_id,
                   token_sha256, assessments, expires_at, created_by, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'demo', $8)""",
            invitation_id,
            organization_id,
            candidate_id,
            cohort_id,
            secrets.token_bytes(32),
            [a.assessment_id for a in person.attempts],
            started + timedelta(days=14),
            started,
        )
        attempt_ids = []
        for n, attempt in enumerate(person.attempts):
            attempt_id = uuid.uuid4()
            begun = started + timedelta(hours=n)
            await conn.execute(
                """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id,
                       assessment_id, form_id, content_version, status, started_at,
                       submitted_at, finalized_reason)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, 'submitted', $8, $9, 'candidate')""",
                attempt_id,
                organization_id,
                candidate_id,
                invitation_id,
                attempt.assessment_id,
                attempt.form_id,
                content.version_id,
                begun,
                begun + timedelta(minutes=35),
            )
            await conn.executemany(
                """INSERT INTO responses (organization_id, attempt_id, item_id, answer,
                       client_seq) VALUES ($1, $2, $3, $4, 1)""",
                [
                    (organization_id, attempt_id, item_id, readable(content, item_id, answer))
                    for item_id, answer in attempt.answers.items()
                ],
            )
            attempt_ids.append(attempt_id)
    return attempt_ids


def readable(content: ContentVersion, item_id: str, answer: object) -> object:
    """A simulated written answer swapped for the plausible reply of the same quality tier
    (other answers, and items without plausible replies, unchanged)."""
    item = content.items.get(item_id)
    if not isinstance(item, ConstructedResponseItem) or not isinstance(answer, str):
        return answer
    texts = constructed_answers(item)
    tiers: dict[str, Tier] = {texts.strong: "strong", texts.partial: "partial", texts.weak: "weak"}
    tier = tiers.get(answer)
    plausible = demo_response(item_id, tier) if tier is not None else None
    return plausible if plausible is not None else answer


def demo_banner(
    base: str,
    creds: DemoCredentials,
    links: list[tuple[str, str]],
    cohort: DemoCohort,
    sample: SampleCohort | None = None,
    audit: uuid.UUID | None = None,
    *,
    metrics_token: str | None = None,
) -> str:
    """What `chartready demo` prints: where everything is and how staff sign in
    (``links``: a candidate link per package, as (title, url); ``sample`` and ``audit``: the
    statistics sample and its stored bias audit)."""
    raters = " and ".join(creds.rater_emails) or "(none)"
    candidate_links = "\n".join(
        f"  candidate link    {url}\n                    ({title})" for title, url in links
    )
    return f"""
ChartReady demo is starting at {base}
  readiness probe   {base}/ready
  API docs          {base}/schema  (try any endpoint there, staff sign-in included)
  metrics           {base}/metrics
                    (Authorization: Bearer {metrics_token or "<CHARTREADY_METRICS_TOKEN>"})
Demo credentials (demo only; change them before real use):
  organization      {creds.organization_slug}  (staff sign-in always names the organization)
  dashboard         {base}/dashboard  (sign in with the organization, e-mail and password)
  coordinator       {DEMO_COORDINATOR_EMAIL} / {DEMO_STAFF_PASSWORD}
                    (cohorts, overview, candidates, adjudication, statistics, fairness)
  viewer            {DEMO_VIEWER_EMAIL} / {DEMO_STAFF_PASSWORD}  (reads only)
  admin             {creds.admin_email} / {creds.admin_password}
                    (also staff users, API keys, webhooks, failed jobs)
  raters            {raters} / {creds.rater_password}
                    (double rating: each rater rates the written answers at
                    {base}/dashboard/ratings; a response is final after both rate it)
  HR API key        {creds.api_key}
                    (curl -H "Authorization: Bearer <key>" {base}/api/v1/candidates)
{candidate_links}
Demo data: {cohort.candidates} simulated candidates scored; readiness model \
{cohort.model_version} (trained on simulated candidates; `chartready model-card` prints its card)
{_statistics_lines(base, sample, audit)}"""


def _statistics_lines(base: str, sample: SampleCohort | None, audit: uuid.UUID | None) -> str:
    if sample is None:
        return ""
    summary = f"\n  bias audit        {base}/staff/bias-audits/{audit}/summary" if audit else ""
    return f"""Statistics sample: {sample.candidates} more simulated candidates with simulated \
demographics;
  item {sample.planted_item} is planted as biased against women, and DIF flags it:
  item analysis     {base}/staff/statistics/forms/privacy-a/item-analysis
  DIF               {base}/staff/statistics/forms/privacy-a/dif{summary}
                    (staff JSON and pages: sign in first)
"""


async def prepare_demo(settings: Settings, base: str) -> str:
    """Migrate, seed the demo organization, a candidate link per package and the simulated
    cohort on ``settings.database_url``; return the banner to print."""
    assert settings.database_url is not None
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await migrate(conn)
            creds = await seed_demo(conn)
            links = await seed_demo_invitations(
                conn, creds.organization_id, settings.public_base_url
            )
        content = load_content()
        cohort = await seed_demo_cohort(
            pool,
            creds.organization_id,
            content,
            thresholds=thresholds_of(settings),
            min_real_outcomes=settings.readiness_min_real_outcomes,
            simulated_candidates=settings.readiness_simulated_candidates,
        )
        sample = await seed_statistics_sample(
            pool, creds.organization_id, content, thresholds=thresholds_of(settings)
        )
        async with pool.acquire() as conn:
            audit = await seed_demo_audit(conn, creds.organization_id, content)
    finally:
        await pool.close()
    return demo_banner(
        base, creds, links, cohort, sample, audit, metrics_token=settings.metrics_token
    )
