"""Persist scored attempts. Each scoring is a run; a new run never deletes an old one."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
import msgspec

from service.assessments.bank import ContentVersion
from service.assessments.scores import AttemptScore, SectionScore


class StoredCompetency(msgspec.Struct, frozen=True):
    """One competency's stored score (``provisional_*``: the part awaiting rating)."""

    competency_id: str
    raw: float
    max: float
    percent: float
    provisional_raw: float = 0.0
    provisional_max: float = 0.0


class StoredRun(msgspec.Struct, frozen=True, kw_only=True):
    """A stored scoring run with its competency and section scores."""

    id: uuid.UUID
    attempt_id: uuid.UUID
    content_version: str
    raw_total: float
    max_total: float
    scaled_score: float
    passed: bool
    provisional: bool
    awaiting_rating: bool
    current: bool
    reason: str
    created_by: str
    created_at: datetime
    competencies: list[StoredCompetency]
    sections: list[SectionScore]


async def ensure_content_version(conn: asyncpg.Connection, content: ContentVersion) -> None:
    """Record the content version (idempotent) so runs can reference it."""
    summary = {
        "forms": {fid: len(form.items) for fid, form in content.forms.items()},
        "competencies": sorted(content.competencies),
    }
    await conn.execute(
        """INSERT INTO content_versions (id, content_hash, summary) VALUES ($1, $2, $3)
           ON CONFLICT (id) DO NOTHING""",
        content.version_id,
        content.content_hash,
        summary,
    )


def item_arrays(score: AttemptScore) -> tuple[list[str], list[float], list[float]]:
    """The run's item ids, points and maxima in item-id order (code points, as PostgreSQL's
    COLLATE "C" sorts them): the row of ``item_score_vectors`` statistics read a whole
    form from."""
    items = sorted(score.item_scores, key=lambda s: s.item_id)
    return ([s.item_id for s in items], [s.points for s in items], [s.max_points for s in items])


async def save_scoring_run(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    attempt_id: uuid.UUID,
    score: AttemptScore,
    *,
    reason: str,
    created_by: str,
    content: ContentVersion | None = None,
) -> uuid.UUID:
    """Store ``score`` as the attempt's current run; earlier runs stay, marked not current.

    Runs in one transaction (nested inside the caller's when there is one). The content
    version row must exist: pass ``content`` to have it recorded first.
    """
    run_id = uuid.uuid4()
    async with conn.transaction():
        if content is not None:
            await ensure_content_version(conn, content)
        await conn.execute(
            "UPDATE scoring_runs SET current = false "
            "WHERE organization_id = $1 AND attempt_id = $2 AND current",
            organization_id,
            attempt_id,
        )
        await conn.execute(
            """INSERT INTO scoring_runs (id, organization_id, attempt_id, content_version,
                   raw_total, max_total, scaled_score, passed, provisional, reason, created_by,
                   equated_raw, raw_cut, section_scores, awaiting_rating)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)""",
            run_id,
            organization_id,
            attempt_id,
            score.content_version,
            score.raw_total,
            score.max_total,
            float(score.scaled_score),
            score.passed,
            score.provisional,
            reason,
            created_by,
            score.equated_raw,
            score.raw_cut,
            msgspec.to_builtins(score.section_scores),
            score.awaiting_rating,
        )
        items = score.item_scores
        await conn.execute(
            """INSERT INTO item_scores (organization_id, scoring_run_id, item_id, points,
                   max_points, feedback, provisional)
               SELECT $1, $2, * FROM unnest($3::text[], $4::float8[], $5::float8[],
                                            $6::jsonb[], $7::bool[])""",
            organization_id,
            run_id,
            [s.item_id for s in items],
            [s.points for s in items],
            [s.max_points for s in items],
            [s.feedback for s in items],
            [s.provisional for s in items],
        )
        await conn.execute(
            """INSERT INTO item_score_vectors (scoring_run_id, organization_id, item_ids,
                   points, max_points) VALUES ($1, $2, $3, $4, $5)""",
            run_id,
            organization_id,
            *item_arrays(score),
        )
        comps = score.competency_scores
        await conn.execute(
            """INSERT INTO competency_scores (organization_id, scoring_run_id, competency_id,
                   raw, max, percent, provisional_raw, provisional_max)
               SELECT $1, $2, * FROM unnest($3::text[], $4::float8[], $5::float8[],
                                            $6::float8[], $7::float8[], $8::float8[])""",
            organization_id,
            run_id,
            [c.competency_id for c in comps],
            [c.raw for c in comps],
            [c.max for c in comps],
            [c.percent for c in comps],
            [c.provisional_raw for c in comps],
            [c.provisional_max for c in comps],
        )
    return run_id


_RUN_COLUMNS = """r.id, r.attempt_id, r.content_version, r.raw_total, r.max_total, r.scaled_score,
    r.passed, r.provisional, r.awaiting_rating, r.current, r.reason, r.created_by, r.created_at,
    r.section_scores,
    COALESCE((SELECT jsonb_agg(jsonb_build_object('competency_id', c.competency_id, 'raw', c.raw,
              'max', c.max, 'percent', c.percent, 'provisional_raw', c.provisional_raw,
              'provisional_max', c.provisional_max) ORDER BY c.competency_id)
              FROM competency_scores c WHERE c.scoring_run_id = r.id), '[]') AS competencies"""


def _run(row: asyncpg.Record) -> StoredRun:
    data = dict(row)
    data["sections"] = msgspec.convert(data.pop("section_scores"), list[SectionScore])
    data["competencies"] = msgspec.convert(data["competencies"], list[StoredCompetency])
    return StoredRun(**data)


async def scoring_runs(
    conn: asyncpg.Connection, organization_id: uuid.UUID, attempt_id: uuid.UUID
) -> list[StoredRun]:
    """Every run of one attempt, oldest first."""
    rows = await conn.fetch(
        f"""SELECT {_RUN_COLUMNS} FROM scoring_runs r
            WHERE r.organization_id = $1 AND r.attempt_id = $2 ORDER BY r.created_at, r.id""",  # noqa: S608
        organization_id,
        attempt_id,
    )
    return [_run(r) for r in rows]


async def current_run(
    conn: asyncpg.Connection, organization_id: uuid.UUID, attempt_id: uuid.UUID
) -> StoredRun | None:
    """The run reported for an attempt, or None before it is scored."""
    row = await conn.fetchrow(
        f"""SELECT {_RUN_COLUMNS} FROM scoring_runs r
            WHERE r.organization_id = $1 AND r.attempt_id = $2 AND r.current""",  # noqa: S608
        organization_id,
        attempt_id,
    )
    return None if row is None else _run(row)
