"""Published results: the document an HR system reads for one scored attempt, stored as an
immutable version each time the attempt is (re)scored.

``publish_result`` runs at the end of the transaction that scored the attempt (finalising or
rescoring): it builds the document from what that transaction stored (scores, readiness,
integrity signals, rating status), takes the organization's next feed sequence number (whose
row lock orders versions by commit, see migration 0010), stores the version and emits
``result.created`` or ``result.updated``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import asyncpg
import msgspec

from service.assessments.bank import ContentVersion
from service.assessments.items import ConstructedResponseItem
from service.assessments.levels import LEVELS, competency_cut_percents, level_index
from service.tenancy import events

LevelName = Literal["Not yet", "Developing", "Proficient", "Advanced"]
Band = Literal["ready", "nearly_ready", "not_yet"]


class CompetencyResult(msgspec.Struct, frozen=True, kw_only=True):
    """One competency of the attempt: percent of its points and the level against its cut."""

    competency_id: str
    name: str
    percent: float
    level: int
    level_name: LevelName
    cut_percent: float


class Score(msgspec.Struct, frozen=True, kw_only=True):
    """Raw and scaled score and the pass/fail decision against the assessment's cut."""

    raw: float
    max: float
    equated_raw: float
    """The raw score on the reference form's scale (equal to ``raw`` without equating)."""
    raw_cut: float
    scaled: float
    scale_min: int
    scale_max: int
    scaled_cut: int
    passed: bool
    equating_applied: bool
    """True when a fitted linear equating put this form onto the reference form's scale."""


class ReadinessView(msgspec.Struct, frozen=True, kw_only=True):
    """The readiness estimate made after this scoring: probability of meeting the 90-day
    standard, its band and 95% interval, the model and what trained it."""

    probability: float
    band: Band
    lower: float
    upper: float
    interval_method: str
    model_version: str
    provenance: Literal["simulated", "real"]
    """`simulated`: the model was fitted on the documented simulated prior, not on real
    hiring outcomes."""
    effects: list[str]
    """The competencies that moved the estimate most, in plain words."""


class IntegritySummary(msgspec.Struct, frozen=True, kw_only=True):
    """How many integrity signals the attempt raised, by severity. Signals are for a person
    to weigh; they are never an automatic verdict."""

    total: int
    info: int
    low: int
    medium: int
    high: int


class RatingStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Human rating of constructed responses: `none` (the form has none), `pending` (some
    scores are still provisional) or `final`."""

    status: Literal["none", "pending", "final"]
    pending_items: int


class ResultLinks(msgspec.Struct, frozen=True, kw_only=True):
    """Where to read more (paths on this API)."""

    self: str
    versions: str
    candidate: str
    candidate_results: str
    candidate_pdf: str
    employer_pdf: str


class Result(msgspec.Struct, frozen=True, kw_only=True):
    """One assessment result (an attempt's score) at one version. The `id` is the
    attempt's; every (re)scoring adds a version and older versions stay readable."""

    id: uuid.UUID
    version: int
    candidate_id: uuid.UUID
    invitation_id: uuid.UUID
    assessment_id: str
    assessment_title: str
    form_id: str
    content_version: str
    scoring_run_id: uuid.UUID
    provisional: bool
    """True while any item score awaits human rating; a final version follows."""
    awaiting_rating: bool
    """True when pass/fail depends on ratings not yet final: `passed` is then false and
    readiness leaves those items out until a final version follows."""
    score: Score
    competencies: list[CompetencyResult]
    readiness: ReadinessView | None
    """None when no readiness model is active."""
    integrity: IntegritySummary
    ratings: RatingStatus
    submitted_at: dt.datetime | None
    scored_at: dt.datetime
    updated_at: dt.datetime
    """When this version was published."""
    links: ResultLinks


class Published(msgspec.Struct, frozen=True):
    """A stored version."""

    attempt_id: uuid.UUID
    version: int
    seq: int


_FACTS = """
SELECT a.candidate_id, a.invitation_id, a.assessment_id, a.form_id, a.submitted_at,
       r.id AS run_id, r.content_version, r.raw_total, r.max_total, r.equated_raw, r.raw_cut,
       r.scaled_score, r.passed, r.provisional, r.awaiting_rating, r.created_at AS scored_at,
       EXISTS (SELECT 1 FROM form_equatings f WHERE f.content_version = r.content_version
               AND f.form_id = a.form_id) AS equated,
       (SELECT count(*) FROM item_scores s WHERE s.scoring_run_id = r.id AND s.provisional)
           AS pending_items,
       (SELECT json_agg(json_build_object('competency_id', c.competency_id,
                                          'percent', c.percent) ORDER BY c.competency_id)
        FROM competency_scores c WHERE c.scoring_run_id = r.id) AS competencies,
       (SELECT json_object_agg(severity, n) FROM (
            SELECT e.severity, count(*) AS n FROM integrity_events e
            WHERE e.organization_id = a.organization_id AND e.attempt_id = a.id
            GROUP BY e.severity) s) AS integrity,
       (SELECT json_build_object('probability', p.probability, 'band', p.band,
                                 'lower', p.lower, 'upper', p.upper,
                                 'model_version', p.model_version,
                                 'explanation', p.explanation, 'provenance', m.provenance)
        FROM readiness_predictions p JOIN readiness_models m ON m.version = p.model_version
        WHERE p.organization_id = a.organization_id AND p.attempt_id = a.id
        ORDER BY p.created_at DESC, p.id DESC LIMIT 1) AS readiness,
       (SELECT max(version) FROM result_versions v WHERE v.attempt_id = a.id) AS last_version,
       EXISTS (SELECT 1 FROM result_versions v WHERE v.attempt_id = a.id
               AND v.scoring_run_id = r.id) AS already
FROM attempts a
JOIN scoring_runs r ON r.organization_id = a.organization_id AND r.attempt_id = a.id
                   AND r.current
WHERE a.organization_id = $1 AND a.id = $2
"""

# Taking the next number locks the organization's counter row until this transaction ends,
# so sequence numbers (and times) are handed out in commit order.
_NEXT_SEQ = """
INSERT INTO result_feed_counters AS c (organization_id, last_seq, last_at)
VALUES ($1, 1, clock_timestamp())
ON CONFLICT (organization_id) DO UPDATE
SET last_seq = c.last_seq + 1,
    last_at = greatest(clock_timestamp(), c.last_at + interval '1 microsecond')
RETURNING last_seq, last_at
"""


def result_links(candidate_id: uuid.UUID, attempt_id: uuid.UUID) -> ResultLinks:
    """The links of a result (paths on the HR API)."""
    base = "/api/v1"
    return ResultLinks(
        self=f"{base}/results/{attempt_id}",
        versions=f"{base}/results/{attempt_id}/versions",
        candidate=f"{base}/candidates/{candidate_id}",
        candidate_results=f"{base}/candidates/{candidate_id}/results",
        candidate_pdf=f"{base}/candidates/{candidate_id}/profile.pdf?variant=candidate",
        employer_pdf=f"{base}/candidates/{candidate_id}/profile.pdf?variant=employer",
    )


def _readiness(raw: dict[str, object] | None) -> ReadinessView | None:
    if raw is None:
        return None
    explanation = raw.get("explanation")
    effects = explanation.get("effects", []) if isinstance(explanation, dict) else []
    method = explanation.get("interval_method", "") if isinstance(explanation, dict) else ""
    return ReadinessView(
        probability=float(str(raw["probability"])),
        band=msgspec.convert(raw["band"], Band),
        lower=float(str(raw["lower"])),
        upper=float(str(raw["upper"])),
        interval_method=str(method),
        model_version=str(raw["model_version"]),
        provenance=msgspec.convert(raw["provenance"], Literal["simulated", "real"]),
        effects=[str(e["sentence"]) for e in effects if isinstance(e, dict)],
    )


def _competencies(
    content: ContentVersion, form_id: str, rows: list[dict[str, object]] | None
) -> list[CompetencyResult]:
    cuts = competency_cut_percents(content, [form_id]) if form_id in content.forms else {}
    out = []
    for row in rows or []:
        cid, percent = str(row["competency_id"]), float(str(row["percent"]))
        cut = cuts.get(cid, 0.0)
        level = level_index(percent, cut)
        competency = content.competencies.get(cid)
        out.append(
            CompetencyResult(
                competency_id=cid,
                name=competency.name if competency else cid,
                percent=round(percent, 1),
                level=level,
                level_name=msgspec.convert(LEVELS[level], LevelName),
                cut_percent=round(cut, 1),
            )
        )
    return out


def _constructed_items(content: ContentVersion, form_id: str) -> int:
    form = content.forms.get(form_id)
    return 0 if form is None else sum(isinstance(i, ConstructedResponseItem) for i in form.items)


async def publish_result(
    conn: asyncpg.Connection,
    content: ContentVersion,
    organization_id: uuid.UUID,
    attempt_id: uuid.UUID,
) -> Published | None:
    """Store the attempt's current scores as its next result version and emit the event;
    None when it has no current scoring run. Idempotent per scoring run."""
    async with conn.transaction():
        facts = await conn.fetchrow(_FACTS, organization_id, attempt_id)
        if facts is None:
            return None
        if facts["already"]:
            row = await conn.fetchrow(
                "SELECT version, seq FROM result_versions WHERE attempt_id = $1 "
                "AND scoring_run_id = $2",
                attempt_id,
                facts["run_id"],
            )
            return Published(attempt_id, row["version"], row["seq"])
        seq, at = (await conn.fetchrow(_NEXT_SEQ, organization_id)).values()
        version = (facts["last_version"] or 0) + 1
        assessment = content.assessments.get(facts["assessment_id"])
        scale = assessment.scale if assessment else None
        severities = facts["integrity"] or {}
        constructed = _constructed_items(content, facts["form_id"])
        pending = facts["pending_items"]
        document = Result(
            id=attempt_id,
            version=version,
            candidate_id=facts["candidate_id"],
            invitation_id=facts["invitation_id"],
            assessment_id=facts["assessment_id"],
            assessment_title=assessment.title if assessment else facts["assessment_id"],
            form_id=facts["form_id"],
            content_version=facts["content_version"],
            scoring_run_id=facts["run_id"],
            provisional=facts["provisional"],
            awaiting_rating=facts["awaiting_rating"],
            score=Score(
                raw=facts["raw_total"],
                max=facts["max_total"],
                equated_raw=facts["equated_raw"],
                raw_cut=facts["raw_cut"],
                scaled=facts["scaled_score"],
                scale_min=scale.min if scale else 100,
                scale_max=scale.max if scale else 400,
                scaled_cut=scale.cut if scale else 300,
                passed=facts["passed"],
                equating_applied=facts["equated"],
            ),
            competencies=_competencies(content, facts["form_id"], facts["competencies"]),
            readiness=_readiness(facts["readiness"]),
            integrity=IntegritySummary(
                total=sum(severities.values()),
                info=severities.get("info", 0),
                low=severities.get("low", 0),
                medium=severities.get("medium", 0),
                high=severities.get("high", 0),
            ),
            ratings=RatingStatus(
                status="none"
                if not constructed and not pending
                else ("pending" if pending else "final"),
                pending_items=pending,
            ),
            submitted_at=facts["submitted_at"],
            scored_at=facts["scored_at"],
            updated_at=at,
            links=result_links(facts["candidate_id"], attempt_id),
        )
        await conn.execute(
            """INSERT INTO result_versions (organization_id, attempt_id, version, seq,
                   scoring_run_id, candidate_id, assessment_id, document, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            organization_id,
            attempt_id,
            version,
            seq,
            facts["run_id"],
            facts["candidate_id"],
            facts["assessment_id"],
            msgspec.json.encode(document).decode(),
            at,
        )
        await events.emit(
            conn,
            organization_id,
            "result.created" if version == 1 else "result.updated",
            {
                "result_id": str(attempt_id),
                "version": version,
                "candidate_id": str(facts["candidate_id"]),
                "invitation_id": str(facts["invitation_id"]),
                "assessment_id": facts["assessment_id"],
                "provisional": facts["provisional"],
                "links": {"result": document.links.self},
            },
            invitation_id=facts["invitation_id"],
        )
    return Published(attempt_id, version, seq)


async def unpublished_attempts(
    conn: asyncpg.Connection,
    *,
    limit: int = 100,
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(organization, attempt) of current scoring runs without a result version: attempts
    scored before results were published, or by a path that did not publish."""
    rows = await conn.fetch(
        """SELECT r.organization_id, r.attempt_id FROM scoring_runs r
           WHERE r.current AND NOT EXISTS (SELECT 1 FROM result_versions v
                                           WHERE v.scoring_run_id = r.id)
           ORDER BY r.created_at LIMIT $1""",
        limit,
    )
    return [(r["organization_id"], r["attempt_id"]) for r in rows]
