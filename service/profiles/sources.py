"""Read what a profile reports from the database and assemble it (the jobs' builder).

Uses each assessment's latest attempt that has a current scoring run, the readiness
estimate stored for the newest of those attempts, the organization's candidates as the norm
group (each person once: their latest scored attempt of each assessment), integrity events
summarized by kind, and raters' notes (employer variant).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
import msgspec

from service.assessments.bank import ContentVersion
from service.ground.errors import NotFound
from service.profiles.assemble import (
    CompetencyPoints,
    Norms,
    ReadinessInput,
    ScoredAttempt,
    build_profile_data,
)
from service.profiles.data import IntegritySignal, ProfileData, RaterNote, Variant
from service.profiles.issue import new_profile_id
from service.readiness.estimates import StoredEstimate, latest_estimate
from service.readiness.registry import get_model

INTEGRITY_LABELS = {
    "focus_lost": ("Window focus lost", "The assessment window lost focus."),
    "tab_hidden": ("Tab hidden", "The assessment tab was hidden or minimized."),
    "paste": ("Pasted text", "Text was pasted into an answer."),
    "fast_answer": (
        "Very fast answer",
        "An answer came implausibly soon after the item was shown.",
    ),
    "second_tab": (
        "Used in two places at once",
        "Answers came from two browser tabs or "
        "devices while both were open; reopening the link later is not counted.",
    ),
}
_SEVERITIES = ("info", "low", "medium", "high")


class BuiltProfile(msgspec.Struct, frozen=True):
    """A candidate's profile data and the attempt it is based on."""

    data: ProfileData
    attempt_id: uuid.UUID | None = None


async def load_scored_attempts(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    candidate_id: uuid.UUID,
    invitation_id: uuid.UUID | None = None,
) -> list[tuple[uuid.UUID, ScoredAttempt]]:
    """(attempt id, scored attempt) for each assessment's latest attempt with current scores;
    with ``invitation_id`` only attempts taken through that invitation."""
    if invitation_id is None:
        runs = await conn.fetch(
            """SELECT l.attempt_id, l.assessment_id, l.form_id, l.submitted_at, l.run_id,
                      l.scaled_score, l.passed, l.provisional, r.awaiting_rating
               FROM latest_scored_attempts l
               JOIN scoring_runs r ON r.organization_id = l.organization_id AND r.id = l.run_id
               WHERE l.organization_id = $1 AND l.candidate_id = $2
               ORDER BY l.assessment_id""",
            organization_id,
            candidate_id,
        )
    else:  # one attempt per assessment and invitation: what was done through this link
        runs = await conn.fetch(
            """SELECT a.id AS attempt_id, a.assessment_id, a.form_id, a.submitted_at,
                      r.id AS run_id, r.scaled_score, r.passed, r.provisional,
                      r.awaiting_rating
               FROM attempts a
               JOIN scoring_runs r ON r.organization_id = a.organization_id
                                  AND r.attempt_id = a.id AND r.current
               WHERE a.organization_id = $1 AND a.candidate_id = $2 AND a.invitation_id = $3
               ORDER BY a.assessment_id""",
            organization_id,
            candidate_id,
            invitation_id,
        )
    points = await conn.fetch(
        """SELECT scoring_run_id, competency_id, raw, max, provisional_raw, provisional_max
           FROM competency_scores
           WHERE organization_id = $1 AND scoring_run_id = ANY($2::uuid[])
           ORDER BY competency_id""",
        organization_id,
        [r["run_id"] for r in runs],
    )
    by_run: dict[uuid.UUID, list[CompetencyPoints]] = {}
    for p in points:
        by_run.setdefault(p["scoring_run_id"], []).append(
            CompetencyPoints(
                competency_id=p["competency_id"],
                raw=p["raw"],
                max=p["max"],
                provisional_raw=p["provisional_raw"],
                provisional_max=p["provisional_max"],
            )
        )
    return [
        (
            r["attempt_id"],
            ScoredAttempt(
                assessment_id=r["assessment_id"],
                form_id=r["form_id"],
                completed_at=r["submitted_at"],
                scaled_score=r["scaled_score"],
                passed=r["passed"],
                provisional=r["provisional"],
                competencies=tuple(by_run.get(r["run_id"], ())),
                scoring_run_id=str(r["run_id"]),
                awaiting_rating=r["awaiting_rating"],
            ),
        )
        for r in runs
    ]


async def load_norms(
    conn: asyncpg.Connection, organization_id: uuid.UUID, content_version: str
) -> Norms:
    """The organization's candidates on this content version, each person once.

    A person's percent per competency pools their latest scored attempt of each assessment
    (as their own profile does), leaving out points awaiting rating; counting attempts
    instead would count a person once per assessment and once per retake.
    """
    rows = await conn.fetch(
        """WITH latest AS (
               SELECT candidate_id, run_id FROM latest_scored_attempts
               WHERE organization_id = $1 AND content_version = $2)
           SELECT l.candidate_id, cs.competency_id,
                  sum(cs.raw - cs.provisional_raw) AS raw,
                  sum(cs.max - cs.provisional_max) AS max
           FROM latest l JOIN competency_scores cs
                ON cs.organization_id = $1 AND cs.scoring_run_id = l.run_id
           GROUP BY l.candidate_id, cs.competency_id""",
        organization_id,
        content_version,
    )
    percents: dict[str, list[float]] = {}
    for row in rows:
        if row["max"] > 1e-9:
            percents.setdefault(row["competency_id"], []).append(
                100.0 * max(row["raw"], 0.0) / row["max"]
            )
    return Norms(
        label="this organization's candidates on the same assessments, each counted once",
        percents=percents,
    )


async def load_integrity(
    conn: asyncpg.Connection, organization_id: uuid.UUID, attempt_ids: Sequence[uuid.UUID]
) -> list[IntegritySignal]:
    """Integrity events summarized per kind: count and highest severity."""
    rows = await conn.fetch(
        """SELECT kind, count(*) AS n,
                  max(array_position(ARRAY['info','low','medium','high'], severity)) AS level
           FROM integrity_events WHERE organization_id = $1 AND attempt_id = ANY($2::uuid[])
           GROUP BY kind ORDER BY kind""",
        organization_id,
        list(attempt_ids),
    )
    return [
        IntegritySignal(
            kind=INTEGRITY_LABELS.get(r["kind"], (r["kind"], ""))[0],
            severity=_SEVERITIES[r["level"] - 1],  # type: ignore[arg-type]
            count=r["n"],
            description=INTEGRITY_LABELS.get(r["kind"], ("", ""))[1],
        )
        for r in rows
    ]


async def load_rater_notes(
    conn: asyncpg.Connection, organization_id: uuid.UUID, attempt_ids: Sequence[uuid.UUID]
) -> list[RaterNote]:
    """Raters' notes, raters named by role and order only (no staff names on the PDF)."""
    rows = await conn.fetch(
        """SELECT item_id, role, notes,
                  row_number() OVER (PARTITION BY attempt_id, item_id, role
                                     ORDER BY created_at, id) AS n
           FROM ratings
           WHERE organization_id = $1 AND attempt_id = ANY($2::uuid[])
             AND notes IS NOT NULL AND btrim(notes) <> ''
           ORDER BY item_id, role DESC, created_at""",
        organization_id,
        list(attempt_ids),
    )
    return [
        RaterNote(
            item_id=r["item_id"],
            rater="Adjudicator" if r["role"] == "adjudication" else f"Rater {r['n']}",
            note=r["notes"],
        )
        for r in rows
    ]


async def load_readiness(
    conn: asyncpg.Connection, organization_id: uuid.UUID, attempt_ids: Sequence[uuid.UUID]
) -> ReadinessInput | None:
    """The newest stored estimate among the attempts, with its model's calibration."""
    newest: StoredEstimate | None = None
    for attempt_id in attempt_ids:
        stored = await latest_estimate(conn, organization_id=organization_id, attempt_id=attempt_id)
        if stored is not None and (newest is None or stored.created_at > newest.created_at):
            newest = stored
    if newest is None:
        return None
    waiting = len(newest.awaiting_rating)
    try:
        model = await get_model(
            conn, newest.estimate.model_version, organization_id=organization_id
        )
    except NotFound:
        return ReadinessInput(
            estimate=newest.estimate, calibration_bins=(), ece=None, awaiting_rating=waiting
        )
    validation = model.metrics.validation
    return ReadinessInput(
        estimate=newest.estimate,
        calibration_bins=validation.reliability,
        ece=validation.ece,
        ece_bins=validation.ece_bins,
        provenance=model.provenance,
        awaiting_rating=waiting,
    )


async def load_profile_data(
    conn: asyncpg.Connection,
    *,
    organization_id: uuid.UUID,
    candidate_id: uuid.UUID,
    variant: Variant,
    content: ContentVersion,
    invitation_id: uuid.UUID | None = None,
) -> BuiltProfile | None:
    """Everything for one candidate's profile; None when nothing is scored yet. With
    ``invitation_id`` (a download through a candidate's link) only what was done through
    that invitation."""
    person = await conn.fetchrow(
        """SELECT c.given_name, c.family_name, o.name AS organization_name
           FROM candidates c JOIN organizations o ON o.id = c.organization_id
           WHERE c.organization_id = $1 AND c.id = $2""",
        organization_id,
        candidate_id,
    )
    if person is None:
        raise NotFound("candidate not found")
    scored = [
        (attempt_id, attempt)
        for attempt_id, attempt in await load_scored_attempts(
            conn, organization_id, candidate_id, invitation_id
        )
        if attempt.form_id in content.forms
    ]
    if not scored:
        return None
    attempt_ids = [attempt_id for attempt_id, _ in scored]
    employer = variant == "employer"
    data = build_profile_data(
        profile_id=new_profile_id(),
        variant=variant,
        issued_at=datetime.now(UTC),
        candidate_name=f"{person['given_name']} {person['family_name']}",
        organization_name=person["organization_name"],
        content=content,
        attempts=[attempt for _, attempt in scored],
        readiness=await load_readiness(conn, organization_id, attempt_ids),
        norms=await load_norms(conn, organization_id, content.version_id),
        integrity=await load_integrity(conn, organization_id, attempt_ids) if employer else (),
        rater_notes=await load_rater_notes(conn, organization_id, attempt_ids) if employer else (),
    )
    latest = max(scored, key=lambda pair: pair[1].completed_at or datetime.min.replace(tzinfo=UTC))
    return BuiltProfile(data=data, attempt_id=latest[0])
