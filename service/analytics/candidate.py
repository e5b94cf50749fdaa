"""One candidate as a coordinator sees them: who they are, their invitations, every attempt
with its current scores, every response with its key, marks, feedback and ratings, the
newest readiness estimate with its model's provenance, and the audit trail.

A handful of queries, each filtered by organization; another organization's candidate is
NotFound. Integrity signals come from ``service.delivery.integrity`` (the face asks for them).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
import msgspec

from service.assessments.bank import ContentVersion
from service.assessments.items import ConstructedResponseItem, Item, SpanMarkingItem
from service.assessments.levels import LEVELS, competency_cut_percents, level_index
from service.assessments.ratings import Rating, rating_state
from service.ground.errors import NotFound
from service.readiness.estimates import StoredEstimate, latest_estimate
from service.results.store import StoredRun, scoring_runs

AUDIT_LIMIT = 200


class CandidateFacts(msgspec.Struct, frozen=True):
    """Who the candidate is."""

    id: uuid.UUID
    given_name: str
    family_name: str
    email: str
    external_id: str | None
    simulated: bool
    created_at: dt.datetime
    cohorts: list[str]

    @property
    def name(self) -> str:
        """Given and family name."""
        return f"{self.given_name} {self.family_name}"


class InvitationFacts(msgspec.Struct, frozen=True):
    """One invitation and where it stands."""

    id: uuid.UUID
    assessments: list[str]
    package: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    completed_at: dt.datetime | None
    reissued_at: dt.datetime | None
    time_multiplier: float | None
    untimed: bool
    attempts: int
    finished: int
    now: dt.datetime

    @property
    def status(self) -> str:
        """cancelled, completed, expired, started or invited."""
        if self.revoked_at is not None:
            return "cancelled"
        if self.completed_at is not None or self.finished >= len(self.assessments):
            return "completed"
        if self.expires_at <= self.now:
            return "expired"
        return "started" if self.attempts else "invited"

    @property
    def reissuable(self) -> bool:
        """A new link can replace this one (the rule revocation.reissue_invitation applies)."""
        return self.revoked_at is None and self.completed_at is None


class RatingFacts(msgspec.Struct, frozen=True):
    """One human rating of a written response."""

    rater: str
    role: str
    levels: dict[str, int]
    notes: str | None
    created_at: dt.datetime


class ResponseFacts(msgspec.Struct, frozen=True):
    """One item of an attempt: the answer, the key, the marks and why."""

    item_id: str
    stem: str
    kind: str
    answer: str
    key: str
    points: float | None
    max_points: float | None
    feedback: dict[str, Any]
    provisional: bool
    rating_state: str | None  # constructed responses only
    ratings: list[RatingFacts]


class CompetencyFacts(msgspec.Struct, frozen=True):
    """One competency of the current run against its cut."""

    competency_id: str
    name: str
    percent: float
    cut: float
    level: str
    provisional: bool


class AttemptFacts(msgspec.Struct, frozen=True):
    """One attempt, its current run (None before scoring) and its responses."""

    id: uuid.UUID
    invitation_id: uuid.UUID
    assessment_id: str
    title: str
    form_id: str
    status: str
    started_at: dt.datetime
    deadline_at: dt.datetime | None
    submitted_at: dt.datetime | None
    finalized_reason: str | None
    latest: bool  # the one reported (latest scored attempt of its assessment)
    run: StoredRun | None
    runs: int
    competencies: list[CompetencyFacts]
    responses: list[ResponseFacts]
    cut: int
    cut_provisional: bool


class ReadinessFacts(msgspec.Struct, frozen=True):
    """The newest readiness estimate and the model that made it."""

    stored: StoredEstimate
    provenance: str  # "simulated" or "real"
    model_created_at: dt.datetime
    n_train: int


class AuditEntry(msgspec.Struct, frozen=True):
    """One line of the audit trail."""

    at: dt.datetime
    actor: str
    action: str
    subject_kind: str
    subject_id: str
    reason: str | None


class CandidateDetail(msgspec.Struct, frozen=True):
    """Everything the candidate page shows except integrity signals."""

    candidate: CandidateFacts
    invitations: list[InvitationFacts]
    attempts: list[AttemptFacts]
    readiness: ReadinessFacts | None
    audit: list[AuditEntry]
    audit_truncated: bool


def text_of(value: object) -> str:
    """An answer or key in words: lists joined, pairs as ``a: b``; empty as "(no answer)"."""
    if value is None or value in ("", [], {}):
        return "(no answer)"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "; ".join(f"{k}: {text_of(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(
            "(" + text_of(v) + ")" if isinstance(v, list | tuple) else text_of(v) for v in value
        )
    return str(value)


def key_of(item: Item | None) -> str:
    """The item's key in words (written responses: the rubric's criteria)."""
    if item is None:
        return "(item not in this content version)"
    if isinstance(item, ConstructedResponseItem):
        names = ", ".join(c.name for c in item.criteria)
        return f"Rated by people against the rubric: {names}"
    if isinstance(item, SpanMarkingItem):
        return "; ".join(f"{s.label}: {s.text}" for s in item.spans)
    key = getattr(item, "key", None)
    return text_of(msgspec.to_builtins(key)) if key is not None else "(no key)"


async def _facts(conn: asyncpg.Connection, org: uuid.UUID, cid: uuid.UUID) -> CandidateFacts:
    row = await conn.fetchrow(
        """SELECT c.id, c.given_name, c.family_name, c.email, c.external_id, c.simulated,
                  c.created_at,
                  coalesce((SELECT array_agg(h.name ORDER BY h.name) FROM cohort_members m
                            JOIN cohorts h ON h.id = m.cohort_id
                            WHERE m.organization_id = $1 AND m.candidate_id = c.id), '{}')
                      AS cohorts
           FROM candidates c WHERE c.organization_id = $1 AND c.id = $2""",
        org,
        cid,
    )
    if row is None:
        raise NotFound(f"No candidate {cid}", field="candidate_id")
    return CandidateFacts(**{**dict(row), "cohorts": list(row["cohorts"])})


async def _invitations(
    conn: asyncpg.Connection, org: uuid.UUID, cid: uuid.UUID
) -> list[InvitationFacts]:
    rows = await conn.fetch(
        """SELECT i.id, i.assessments, i.package, i.created_at, i.expires_at, i.revoked_at,
                  i.completed_at, i.reissued_at, i.time_multiplier::float8 AS time_multiplier,
                  i.untimed, now() AS now,
                  (SELECT count(*) FROM attempts a WHERE a.invitation_id = i.id) AS attempts,
                  (SELECT count(*) FROM attempts a WHERE a.invitation_id = i.id
                     AND a.status IN ('submitted', 'scored', 'expired')) AS finished
           FROM invitations i WHERE i.organization_id = $1 AND i.candidate_id = $2
           ORDER BY i.created_at DESC""",
        org,
        cid,
    )
    return [InvitationFacts(**{**dict(r), "assessments": list(r["assessments"])}) for r in rows]


async def _ratings(
    conn: asyncpg.Connection, org: uuid.UUID, attempt_ids: list[uuid.UUID]
) -> dict[tuple[uuid.UUID, str], list[tuple[Rating, RatingFacts]]]:
    rows = await conn.fetch(
        """SELECT r.attempt_id, r.item_id, r.rater_id, r.role, r.levels, r.notes, r.created_at,
                  u.display_name
           FROM ratings r JOIN users u ON u.organization_id = r.organization_id
                                      AND u.id = r.rater_id
           WHERE r.organization_id = $1 AND r.attempt_id = ANY ($2::uuid[])
           ORDER BY r.created_at, r.id""",
        org,
        attempt_ids,
    )
    out: dict[tuple[uuid.UUID, str], list[tuple[Rating, RatingFacts]]] = {}
    for r in rows:
        levels = {k: int(v) for k, v in dict(r["levels"]).items()}
        out.setdefault((r["attempt_id"], r["item_id"]), []).append(
            (
                Rating(rater_id=str(r["rater_id"]), levels=levels, role=r["role"]),
                RatingFacts(r["display_name"], r["role"], levels, r["notes"], r["created_at"]),
            )
        )
    return out


async def _responses(
    conn: asyncpg.Connection,
    org: uuid.UUID,
    content: ContentVersion,
    attempts: list[asyncpg.Record],
) -> dict[uuid.UUID, list[ResponseFacts]]:
    ids = [a["id"] for a in attempts]
    rows = await conn.fetch(
        """SELECT x.attempt_id, x.item_id, r.answer, s.points, s.max_points, s.feedback,
                  s.provisional
           FROM (SELECT r.attempt_id, r.item_id FROM responses r
                 WHERE r.organization_id = $1 AND r.attempt_id = ANY ($2::uuid[])
                 UNION
                 SELECT run.attempt_id, s.item_id FROM scoring_runs run
                 JOIN item_scores s ON s.scoring_run_id = run.id
                 WHERE run.organization_id = $1 AND run.attempt_id = ANY ($2::uuid[])
                   AND run.current) x
           LEFT JOIN responses r ON r.attempt_id = x.attempt_id AND r.item_id = x.item_id
           LEFT JOIN scoring_runs run ON run.attempt_id = x.attempt_id AND run.current
           LEFT JOIN item_scores s ON s.scoring_run_id = run.id AND s.item_id = x.item_id""",
        org,
        ids,
    )
    ratings = await _ratings(conn, org, ids)
    forms = {a["id"]: a["form_id"] for a in attempts}
    out: dict[uuid.UUID, list[ResponseFacts]] = {i: [] for i in ids}
    for r in rows:
        attempt_id, item_id = r["attempt_id"], r["item_id"]
        item = content.items.get(item_id)
        pairs = ratings.get((attempt_id, item_id), [])
        constructed = isinstance(item, ConstructedResponseItem)
        out[attempt_id].append(
            ResponseFacts(
                item_id=item_id,
                stem=item.stem if item else "",
                kind=type(item).__name__ if item else "unknown",
                answer=text_of(r["answer"]),
                key=key_of(item),
                points=r["points"],
                max_points=r["max_points"],
                feedback=dict(r["feedback"] or {}),
                provisional=bool(r["provisional"]),
                rating_state=rating_state([p[0] for p in pairs]) if constructed else None,
                ratings=[p[1] for p in pairs],
            )
        )
    for attempt_id, rows_of in out.items():
        form = content.forms.get(forms[attempt_id])
        order = {it.id: n for n, it in enumerate(form.items)} if form else {}
        rows_of.sort(key=lambda x: (order.get(x.item_id, 10**6), x.item_id))
    return out


async def _readiness(
    conn: asyncpg.Connection, org: uuid.UUID, cid: uuid.UUID
) -> ReadinessFacts | None:
    row = await conn.fetchrow(
        """SELECT rp.attempt_id, m.provenance, m.created_at, m.n_train
           FROM readiness_predictions rp
           JOIN attempts a ON a.organization_id = rp.organization_id AND a.id = rp.attempt_id
           JOIN readiness_models m ON m.version = rp.model_version
           WHERE rp.organization_id = $1 AND a.candidate_id = $2
           ORDER BY rp.created_at DESC, rp.id DESC LIMIT 1""",
        org,
        cid,
    )
    if row is None:
        return None
    stored = await latest_estimate(conn, organization_id=org, attempt_id=row["attempt_id"])
    if stored is None:  # pragma: no cover - the row above exists
        return None
    return ReadinessFacts(stored, row["provenance"], row["created_at"], row["n_train"])


async def _audit(
    conn: asyncpg.Connection, org: uuid.UUID, cid: uuid.UUID, attempt_ids: list[uuid.UUID]
) -> list[AuditEntry]:
    rows = await conn.fetch(
        """SELECT at, actor, action, subject_kind, subject_id, reason FROM audit_log
           WHERE organization_id = $1
             AND ((subject_kind = 'candidate' AND subject_id = $2)
                  OR (subject_kind = 'attempt' AND subject_id = ANY ($3::text[])))
           ORDER BY at DESC, id DESC LIMIT $4""",
        org,
        str(cid),
        [str(a) for a in attempt_ids],
        AUDIT_LIMIT + 1,
    )
    return [AuditEntry(**dict(r)) for r in rows]


async def candidate_detail(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    candidate_id: uuid.UUID,
    content: ContentVersion,
) -> CandidateDetail:
    """The candidate's page data; NotFound for an id outside the organization."""
    facts = await _facts(conn, organization_id, candidate_id)
    invitations = await _invitations(conn, organization_id, candidate_id)
    attempt_rows = await conn.fetch(
        """SELECT a.id, a.invitation_id, a.assessment_id, a.form_id, a.status, a.started_at,
                  a.deadline_at, a.submitted_at, a.finalized_reason,
                  EXISTS (SELECT 1 FROM latest_scored_attempts l
                          WHERE l.organization_id = $1 AND l.candidate_id = $2
                            AND l.attempt_id = a.id) AS latest
           FROM attempts a WHERE a.organization_id = $1 AND a.candidate_id = $2
           ORDER BY a.started_at DESC, a.id""",
        organization_id,
        candidate_id,
    )
    responses = await _responses(conn, organization_id, content, list(attempt_rows))
    attempts = []
    for a in attempt_rows:
        runs = await scoring_runs(conn, organization_id, a["id"])
        run = next((r for r in runs if r.current), None)
        assessment = content.assessments.get(a["assessment_id"])
        cuts = (
            competency_cut_percents(content, [a["form_id"]])
            if a["form_id"] in content.forms
            else {}
        )
        competencies = [
            CompetencyFacts(
                competency_id=c.competency_id,
                name=content.competencies[c.competency_id].name
                if c.competency_id in content.competencies
                else c.competency_id,
                percent=c.percent,
                cut=cuts.get(c.competency_id, 0.0),
                level=LEVELS[level_index(c.percent, cuts.get(c.competency_id, 0.0))],
                provisional=c.provisional_max > 0,
            )
            for c in (run.competencies if run else [])
        ]
        attempts.append(
            AttemptFacts(
                **{
                    k: a[k]
                    for k in (
                        "id",
                        "invitation_id",
                        "assessment_id",
                        "form_id",
                        "status",
                        "started_at",
                        "deadline_at",
                        "submitted_at",
                        "finalized_reason",
                        "latest",
                    )
                },
                title=assessment.title if assessment else a["assessment_id"],
                run=run,
                runs=len(runs),
                competencies=competencies,
                responses=responses.get(a["id"], []),
                cut=assessment.scale.cut if assessment else 300,
                cut_provisional=bool(assessment and assessment.cut_score.status == "provisional"),
            )
        )
    audit = await _audit(conn, organization_id, candidate_id, [a["id"] for a in attempt_rows])
    return CandidateDetail(
        candidate=facts,
        invitations=invitations,
        attempts=attempts,
        readiness=await _readiness(conn, organization_id, candidate_id),
        audit=audit[:AUDIT_LIMIT],
        audit_truncated=len(audit) > AUDIT_LIMIT,
    )
