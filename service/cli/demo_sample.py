"""The demo's statistics sample: enough simulated candidates that every statistics table has
content, with simulated demographics and one planted biased item that DIF must flag.

Answers come from the documented simulation (``service.readiness.simulation``) with a
``PlantedBias``: item ``PLANTED_ITEM`` is made 2 logits harder for women, and only for
them. Every attempt is scored by the real scorers; runs, estimates and the rest are stored
in bulk so the demo still starts quickly. Every person is marked ``simulated``, and the
cohort's name says so.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec
import numpy as np

from service.analytics.audits import AuditRequest, create_audit
from service.assessments.bank import ContentVersion
from service.assessments.scores import AttemptScore
from service.assessments.scoring import score_attempt
from service.demographics.store import SelfReport, record_many
from service.readiness.bulk import estimate_candidates
from service.readiness.demo_cohort import SimulatedApplicant, simulated_applicants
from service.readiness.generative import PlantedBias
from service.readiness.predict import BandThresholds
from service.results.bulk import save_first_runs
from service.results.store import ensure_content_version

SAMPLE_COHORT = "Statistics sample (simulated)"
SAMPLE_SIZE = 800
SAMPLE_SEED = 2027
PLANTED_ITEM = "PRI-A-10"
PLANTED_BIAS = PlantedBias(
    item_ids=(PLANTED_ITEM,), attribute="sex", group="female", difficulty_shift=2.0
)
HIRING_SOURCE = "demo (simulated)"
_DAYS = 60  # submissions spread over the last 60 days


class SampleCohort(msgspec.Struct, frozen=True):
    """The seeded sample."""

    cohort_id: uuid.UUID
    candidates: int
    planted_item: str


class _Plan(msgspec.Struct, frozen=True):
    """Ids and times for one simulated person."""

    candidate: uuid.UUID
    invitation: uuid.UUID
    started: datetime
    attempts: list[uuid.UUID]


def _plans(people: Sequence[SimulatedApplicant], seed: int) -> list[_Plan]:
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC)
    offsets = rng.integers(1, _DAYS * 24, size=len(people))
    return [
        _Plan(
            uuid.uuid4(),
            uuid.uuid4(),
            now - timedelta(hours=int(offsets[i])),
            [uuid.uuid4() for _ in person.attempts],
        )
        for i, person in enumerate(people)
    ]


async def _store_people(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    cohort_id: uuid.UUID,
    people: Sequence[SimulatedApplicant],
    plans: Sequence[_Plan],
    content: ContentVersion,
) -> None:
    """Candidates, cohort membership, invitations, attempts and answers, in bulk."""
    ids = [p.candidate for p in plans]
    await conn.execute(
        """INSERT INTO candidates (id, organization_id, external_id, given_name, family_name,
               email, simulated)
           SELECT c.id, $1, 'sim-' || c.n, 'Simulated', 'Candidate ' || c.n,
                  'simulated-' || c.n || '@example.org', true
           FROM unnest($2::uuid[], $3::text[]) AS c(id, n)""",
        organization_id,
        ids,
        [f"{p.index:04d}" for p in people],
    )
    await conn.execute(
        """INSERT INTO cohort_members (organization_id, cohort_id, candidate_id)
           SELECT $1, $2, unnest($3::uuid[])""",
        organization_id,
        cohort_id,
        ids,
    )
    await conn.execute(
        """INSERT INTO invitations (id, organization_id, candidate_id, cohort_id, token_sha256,
               assessments, expires_at, created_by, created_at)
           SELECT i.id, $1, i.candidate, $2, i.token, $3::text[], i.started + interval '14 days',
                  'demo', i.started
           FROM unnest($4::uuid[], $5::uuid[], $6::bytea[], $7::timestamptz[])
                AS i(id, candidate, token, started)""",
        organization_id,
        cohort_id,
        sorted(content.assessments),
        [p.invitation for p in plans],
        ids,
        [secrets.token_bytes(32) for _ in plans],
        [p.started for p in plans],
    )
    rows = [
        (plan, n, attempt)
        for plan, person in zip(plans, people, strict=True)
        for n, attempt in enumerate(person.attempts)
    ]
    await conn.execute(
        """INSERT INTO attempts (id, organization_id, candidate_id, invitation_id,
               assessment_id, form_id, content_version, status, started_at, submitted_at,
               finalized_reason)
           SELECT a.id, $1, a.candidate, a.invitation, a.assessment, a.form, $2, 'submitted',
                  a.started, a.started + interval '35 minutes', 'candidate'
           FROM unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[],
                       $8::timestamptz[])
                AS a(id, candidate, invitation, assessment, form, started)""",
        organization_id,
        content.version_id,
        [plan.attempts[n] for plan, n, _ in rows],
        [plan.candidate for plan, _, _ in rows],
        [plan.invitation for plan, _, _ in rows],
        [a.assessment_id for _, _, a in rows],
        [a.form_id for _, _, a in rows],
        [plan.started + timedelta(hours=n) for plan, n, _ in rows],
    )
    answers = [
        (plan.attempts[n], item_id, answer)
        for plan, n, attempt in rows
        for item_id, answer in attempt.answers.items()
    ]
    await conn.execute(
        """INSERT INTO responses (organization_id, attempt_id, item_id, answer, client_seq)
           SELECT $1, r.attempt, r.item, r.answer::jsonb, 1
           FROM unnest($2::uuid[], $3::text[], $4::text[]) AS r(attempt, item, answer)""",
        organization_id,
        [a for a, _, _ in answers],
        [i for _, i, _ in answers],
        [msgspec.json.encode(x).decode() for _, _, x in answers],
    )


def _hiring(
    people: Sequence[SimulatedApplicant], scores: Sequence[Sequence[AttemptScore]], seed: int
) -> list[int]:
    """Indexes of the people a simulated employer hired: most who passed on average, a few
    who did not (independent of sex and race/ethnicity)."""
    rng = np.random.default_rng(seed + 1)
    mean = np.array([np.mean([s.scaled_score for s in own]) for own in scores])
    draw = rng.random(len(people))
    return [i for i in range(len(people)) if draw[i] < (0.55 if mean[i] >= 300 else 0.08)]


async def settle_demo_invitations(
    conn: asyncpg.Connection, organization_id: uuid.UUID, cohort_id: uuid.UUID
) -> None:
    """Give the seeded invitations the lifecycle their attempts imply (as the candidate
    pages would have): started at the first attempt, completed when every assessment of the
    package is finished (``service.delivery.lifecycle``'s rule), so their status reads
    started or completed rather than sent or expired."""
    await conn.execute(
        """UPDATE invitations i
           SET consented_at = coalesce(i.consented_at, a.first_start),
               started_at = coalesce(i.started_at, a.first_start),
               completed_at = CASE WHEN a.finished >= cardinality(i.assessments)
                                   THEN coalesce(i.completed_at, a.last_submit) END
           FROM (SELECT t.invitation_id, min(t.started_at) AS first_start,
                        max(t.submitted_at) AS last_submit,
                        count(DISTINCT t.assessment_id)
                            FILTER (WHERE t.status <> 'in_progress') AS finished
                 FROM attempts t WHERE t.organization_id = $1 GROUP BY t.invitation_id) a
           WHERE i.organization_id = $1 AND i.cohort_id = $2 AND i.id = a.invitation_id""",
        organization_id,
        cohort_id,
    )


async def seed_statistics_sample(
    pool: asyncpg.Pool,
    organization_id: uuid.UUID,
    content: ContentVersion,
    *,
    thresholds: BandThresholds,
    size: int = SAMPLE_SIZE,
    seed: int = SAMPLE_SEED,
    bias: PlantedBias | None = PLANTED_BIAS,
) -> SampleCohort:
    """Add the sample once (idempotent across restarts): simulated people answering every
    assessment, scored by the real scorers, estimated by the active model, with simulated
    self-reports and simulated hiring decisions."""
    async with pool.acquire() as conn:
        existing = await conn.fetchval(
            "SELECT id FROM cohorts WHERE organization_id = $1 AND name = $2",
            organization_id,
            SAMPLE_COHORT,
        )
        if existing is not None:
            members = await conn.fetchval(
                "SELECT count(*) FROM cohort_members WHERE cohort_id = $1", existing
            )
            return SampleCohort(existing, members, PLANTED_ITEM)
    people = simulated_applicants(content, size, seed=seed, bias=bias)
    plans = _plans(people, seed)
    scores = [
        [score_attempt(content, a.form_id, a.answers) for a in person.attempts] for person in people
    ]
    cohort_id = uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        await ensure_content_version(conn, content)
        await conn.execute(
            "INSERT INTO cohorts (id, organization_id, name, starts_on) VALUES ($1, $2, $3, $4)",
            cohort_id,
            organization_id,
            SAMPLE_COHORT,
            (datetime.now(UTC) - timedelta(days=_DAYS)).date(),
        )
        await _store_people(conn, organization_id, cohort_id, people, plans, content)
        await settle_demo_invitations(conn, organization_id, cohort_id)
        await record_many(
            conn,
            organization_id,
            [
                (plan.candidate, SelfReport(person.sex, person.race_ethnicity))
                for plan, person in zip(plans, people, strict=True)
            ],
        )
        await save_first_runs(
            conn,
            organization_id,
            [
                (attempt, score)
                for plan, own in zip(plans, scores, strict=True)
                for attempt, score in zip(plan.attempts, own, strict=True)
            ],
            reason="demo: simulated statistics sample",
            created_by="demo",
        )
        await estimate_candidates(
            conn,
            organization_id,
            {plan.candidate: plan.attempts[-1] for plan in plans},
            thresholds=thresholds,
        )
        hired = _hiring(people, scores, seed)
        await conn.execute(
            """INSERT INTO hiring_outcomes (organization_id, candidate_id, attempt_id,
                   met_standard, observed_on, source)
               SELECT $1, h.candidate, h.attempt, h.met, current_date, $2
               FROM unnest($3::uuid[], $4::uuid[], $5::bool[]) AS h(candidate, attempt, met)""",
            organization_id,
            HIRING_SOURCE,
            [plans[i].candidate for i in hired],
            [plans[i].attempts[-1] for i in hired],
            [people[i].met_standard for i in hired],
        )
    return SampleCohort(cohort_id, size, PLANTED_ITEM)


async def seed_demo_audit(
    conn: asyncpg.Connection, organization_id: uuid.UUID, content: ContentVersion
) -> uuid.UUID:
    """The demo's stored bias audit (readiness band "ready"), made once; its id."""
    existing: uuid.UUID | None = await conn.fetchval(
        "SELECT id FROM bias_audits WHERE organization_id = $1 AND created_by = 'demo' "
        "ORDER BY created_at LIMIT 1",
        organization_id,
    )
    if existing is not None:
        return existing
    stored = await create_audit(
        conn, content, organization_id, AuditRequest(outcome="ready"), actor="demo"
    )
    return stored.id
