"""The cohort overview: what a coordinator sees of a whole cohort at a glance, aggregated in
SQL (three queries, run side by side when connections are at hand).

Scope: the candidates of a cohort (``cohort_members``) or of the whole organization, narrowed
by assessment and by a date range. The range selects invitations by when they were created
(the funnel) and attempts by when they were submitted (scores, readiness, progress). Scores
are each candidate's latest scored attempt of each assessment: the ``latest_scored_attempts``
view (the one definition shared with the profile and the readiness estimate), read from its
trigger-kept copy ``latest_scores`` / ``latest_competency_scores`` (migration 0019) so a big
cohort is not sorted and joined on every view. When every latest attempt counts (no
assessment or date filter), each candidate's pooled competency sums and newest estimate are
read ready-made too (``latest_competency_totals``, ``latest_estimates``, migration 0020).

* **Funnel**: candidates invited (a live invitation), started (an attempt begun) and
  completed (every assessment of an invitation finished; with an assessment filter, that
  assessment finished).
* **Readiness by band**: each scored candidate's newest readiness estimate, put in a band by
  the thresholds of the settings; the models that made them say whether they were trained
  on simulated or real outcomes; estimates made while written answers awaited rating are
  counted as provisional.
* **Competency means against the cut**: each candidate's competency percent pooled over
  their latest scored attempts (raw over max), averaged over candidates; the cut is the
  modified-Angoff expectation over the items of the forms taken (an Angoff estimate).
* **Heatmap**: candidates × competencies, one page of rows at a time.
* **Score distribution** per assessment (scaled scores 100–400 in bins of 25) and
  **progress**: completed attempts per day (per week for spans over 92 days).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import msgspec

from service.assessments.bank import ContentVersion
from service.assessments.levels import competency_cut_percents
from service.readiness.predict import BandThresholds

HEATMAP_PAGE = 50
"""Candidates per heatmap page (a cohort of thousands is paged, never drawn at once)."""
SCORE_MIN, SCORE_MAX, SCORE_BIN = 100, 400, 25
WEEKLY_AFTER_DAYS = 92
BAND_LABELS = {"ready": "Ready", "nearly_ready": "Nearly ready", "not_yet": "Not yet"}
BAND_ORDER = ("not_yet", "nearly_ready", "ready")
MAX_PAGE = 100_000
WORK_MEM = "64MB"


class OverviewFilter(msgspec.Struct, frozen=True, kw_only=True):
    """The overview's filters, all optional; ``date_to`` is inclusive."""

    cohort_id: uuid.UUID | None = None
    assessment_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1

    def query(self, **changes: object) -> dict[str, str]:
        """The filter as GET parameters (empty ones left out), with ``changes`` applied."""
        values: dict[str, object] = {
            "cohort": self.cohort_id,
            "assessment": self.assessment_id,
            "from": self.date_from,
            "to": self.date_to,
            "page": self.page if self.page != 1 else None,
            **changes,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


class FilterErrors(Exception):
    """Some filter values are not valid; ``errors`` maps each parameter to what is wrong."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def parse_filter(
    params: Mapping[str, str], content: ContentVersion, cohorts: Sequence[uuid.UUID]
) -> OverviewFilter:
    """Validate the GET parameters ``cohort``, ``assessment``, ``from``, ``to`` and ``page``;
    FilterErrors names every bad one (a cohort must be one of ``cohorts``)."""
    errors: dict[str, str] = {}
    cohort_id: uuid.UUID | None = None
    if raw := params.get("cohort", "").strip():
        try:
            cohort_id = uuid.UUID(raw)
        except ValueError:
            errors["cohort"] = "Not a cohort id."
        else:
            if cohort_id not in cohorts:
                errors["cohort"] = "No such cohort in this organization."
    assessment = params.get("assessment", "").strip() or None
    if assessment is not None and assessment not in content.assessments:
        errors["assessment"] = "No such assessment."
    first, last = _date(params, "from", errors), _date(params, "to", errors)
    if first and last and first > last:
        errors["to"] = "The end date is before the start date."
    page = _page(params.get("page", "").strip(), errors)
    if errors:
        raise FilterErrors(errors)
    return OverviewFilter(
        cohort_id=cohort_id, assessment_id=assessment, date_from=first, date_to=last, page=page
    )


def _date(params: Mapping[str, str], name: str, errors: dict[str, str]) -> dt.date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = "Not a date: write it as YYYY-MM-DD."
        return None


def _page(raw: str, errors: dict[str, str]) -> int:
    if not raw:
        return 1
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        errors["page"] = f"Not a page number (1 to {MAX_PAGE})."
        return 1
    return int(raw)


class CohortChoice(msgspec.Struct, frozen=True):
    """A cohort offered by the filter."""

    id: uuid.UUID
    name: str
    archived: bool


async def cohort_choices(
    conn: asyncpg.Connection, organization_id: uuid.UUID
) -> list[CohortChoice]:
    """The organization's cohorts, active ones first."""
    rows = await conn.fetch(
        """SELECT id, name, archived_at IS NOT NULL AS archived FROM cohorts
           WHERE organization_id = $1 ORDER BY archived_at IS NOT NULL, name""",
        organization_id,
    )
    return [CohortChoice(**dict(r)) for r in rows]


class Funnel(msgspec.Struct, frozen=True):
    """Candidates at each stage."""

    invited: int
    started: int
    completed: int


class BandCount(msgspec.Struct, frozen=True):
    """Candidates whose newest readiness estimate falls in a band."""

    band: str
    label: str
    lower: float
    upper: float
    candidates: int
    provisional: int


class ModelUse(msgspec.Struct, frozen=True):
    """A readiness model behind some of the estimates, and where its training data came from."""

    version: str
    provenance: str  # "simulated" or "real"
    candidates: int


class CompetencyMean(msgspec.Struct, frozen=True):
    """The mean of candidates' pooled percents in one competency, against its cut."""

    competency_id: str
    name: str
    mean: float
    cut: float
    candidates: int
    below_cut: int
    provisional: int  # candidates whose percent includes points awaiting rating


class HeatRow(msgspec.Struct, frozen=True):
    """One candidate's pooled competency percents (None: not assessed), in column order."""

    candidate_id: uuid.UUID
    name: str
    cells: list[float | None]
    provisional: list[bool]


class Heatmap(msgspec.Struct, frozen=True):
    """One page of the candidates × competencies table."""

    competencies: list[tuple[str, str]]  # (id, name) in column order
    cuts: list[float]
    rows: list[HeatRow]
    total: int
    page: int
    pages: int
    page_size: int


class ScoreBin(msgspec.Struct, frozen=True):
    """Scaled scores in [lower, upper) (the last bin includes 400)."""

    lower: int
    upper: int
    attempts: int
    provisional: int


class ScoreDistribution(msgspec.Struct, frozen=True):
    """One assessment's latest scaled scores."""

    assessment_id: str
    title: str
    cut: int
    cut_provisional: bool
    attempts: int
    passed: int
    provisional: int
    mean: float
    bins: list[ScoreBin]


class ProgressPoint(msgspec.Struct, frozen=True):
    """Attempts completed in one day or week (``period`` is its first day)."""

    period: dt.date
    completed: int
    cumulative: int


class Overview(msgspec.Struct, frozen=True):
    """Everything the overview page shows."""

    filter: OverviewFilter
    funnel: Funnel
    bands: list[BandCount]
    models: list[ModelUse]
    competencies: list[CompetencyMean]
    heatmap: Heatmap
    distributions: list[ScoreDistribution]
    progress: list[ProgressPoint]
    progress_unit: str  # "day" or "week"
    scored_candidates: int
    provisional_attempts: int


# Scope: the candidates ($1 organization, $2 cohort or all), then their latest scored attempts
# narrowed by assessment ($3) and submission time ($4 inclusive, $5 exclusive).
_PEOPLE = """people AS MATERIALIZED (
    SELECT m.candidate_id AS id FROM cohort_members m
    WHERE $2::uuid IS NOT NULL AND m.organization_id = $1 AND m.cohort_id = $2
    UNION ALL
    SELECT c.id FROM candidates c WHERE $2::uuid IS NULL AND c.organization_id = $1
)"""
_LATEST = """latest AS MATERIALIZED (
    SELECT l.candidate_id, l.assessment_id, l.attempt_id, l.form_id, l.run_id,
           l.scaled_score, l.passed, l.provisional
    FROM latest_scores l JOIN people p ON p.id = l.candidate_id
    WHERE l.organization_id = $1 AND ($3::text IS NULL OR l.assessment_id = $3)
      AND ($4::timestamptz IS NULL OR l.submitted_at >= $4)
      AND ($5::timestamptz IS NULL OR l.submitted_at < $5)
)"""
_UNFILTERED = "$3::text IS NULL AND $4::timestamptz IS NULL AND $5::timestamptz IS NULL"

# Each candidate's competency percents pooled over their latest scored attempts: summed here
# when an assessment or a date narrows the attempts, read ready-summed (migration 0020) when
# every latest attempt counts.
_COMP_NARROWED = """comp AS MATERIALIZED (
    SELECT cs.candidate_id, cs.competency_id,
           100.0 * sum(cs.raw) / sum(cs.max) AS percent, sum(cs.provisional_max) > 0 AS prov
    FROM latest_competency_scores cs JOIN people p ON p.id = cs.candidate_id
    WHERE cs.organization_id = $1 AND ($3::text IS NULL OR cs.assessment_id = $3)
      AND ($4::timestamptz IS NULL OR cs.submitted_at >= $4)
      AND ($5::timestamptz IS NULL OR cs.submitted_at < $5)
    GROUP BY cs.candidate_id, cs.competency_id
)"""
_COMP_POOLED = f"""comp AS MATERIALIZED (
    SELECT t.candidate_id, t.competency_id, 100.0 * t.raw / t.max AS percent,
           t.provisional_max > 0 AS prov
    FROM latest_competency_totals t JOIN people p ON p.id = t.candidate_id
    WHERE t.organization_id = $1 AND {_UNFILTERED}
)"""  # noqa: S608 - constant SQL

# Each candidate's newest readiness estimate among their latest scored attempts (the same
# two ways).
_ESTIMATE_NARROWED = """estimate AS MATERIALIZED (
    SELECT DISTINCT ON (l.candidate_id) l.candidate_id, rp.probability, rp.model_version,
           rp.provisional AS prov
    FROM latest l
    JOIN readiness_predictions rp ON rp.organization_id = $1 AND rp.attempt_id = l.attempt_id
    ORDER BY l.candidate_id, rp.created_at DESC, rp.id DESC
)"""
_ESTIMATE_POOLED = f"""estimate AS MATERIALIZED (
    SELECT e.candidate_id, e.probability, e.model_version, e.provisional AS prov
    FROM latest_estimates e JOIN people p ON p.id = e.candidate_id
    WHERE e.organization_id = $1 AND {_UNFILTERED}
)"""  # noqa: S608 - constant SQL

_COMPETENCY_SQL = """
WITH {people}, {comp}, heat_people AS (
    SELECT c.id, c.family_name || ', ' || c.given_name AS name,
           row_number() OVER (ORDER BY c.family_name, c.given_name, c.id) AS ord
    FROM candidates c
    WHERE c.organization_id = $1 AND c.id IN (SELECT candidate_id FROM comp)
    ORDER BY c.family_name, c.given_name, c.id
    LIMIT $6 OFFSET $7
), heat AS (
    SELECT h.id, h.name, h.ord,
           jsonb_object_agg(c.competency_id, jsonb_build_array(c.percent, c.prov)) AS cells
    FROM comp c JOIN heat_people h ON h.id = c.candidate_id
    GROUP BY h.id, h.name, h.ord
), spread AS (
    -- each competency's percents as (value, provisional, candidates): few distinct values,
    -- so the cut (known only once the forms are) is applied exactly in Python
    SELECT competency_id, percent, prov, count(*) AS k FROM comp GROUP BY 1, 2, 3
)
SELECT
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', competency_id, 'mean', mean, 'n', n,
                                                'prov', prov, 'spread', spread)), '[]')
   FROM (SELECT competency_id, sum(percent * k) / sum(k) AS mean, sum(k) AS n,
                sum(k) FILTER (WHERE prov) AS prov,
                jsonb_agg(jsonb_build_array(percent, k)) AS spread
         FROM spread GROUP BY competency_id) m) AS competencies,
  (SELECT count(*) FROM (SELECT DISTINCT candidate_id FROM comp) c) AS heat_total,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'name', name, 'cells', cells)
                             ORDER BY ord), '[]')
   FROM heat) AS heat_rows
"""

_READINESS_SQL = """
WITH {people}, {latest}, {estimate}, banded AS (
    SELECT e.*, CASE WHEN e.probability >= $6 THEN 'ready'
                     WHEN e.probability >= $7 THEN 'nearly_ready' ELSE 'not_yet' END AS band
    FROM estimate e
)
SELECT
  (SELECT coalesce(jsonb_agg(jsonb_build_object('band', band, 'n', n, 'prov', prov)), '[]')
   FROM (SELECT band, count(*) AS n, count(*) FILTER (WHERE prov) AS prov
         FROM banded GROUP BY band) b) AS bands,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('version', u.model_version,
                                                'provenance', m.provenance, 'n', u.n)
                             ORDER BY u.model_version), '[]')
   FROM (SELECT model_version, count(*) AS n FROM estimate GROUP BY 1) u
   JOIN readiness_models m ON m.version = u.model_version) AS models,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', assessment_id, 'n', n, 'passed', passed,
              'prov', prov, 'mean', mean, 'bins', bins)), '[]')
   FROM (SELECT assessment_id, sum(k) AS n, sum(kp) AS prov, sum(kpass) AS passed,
                sum(total) / sum(k) AS mean, jsonb_object_agg(bin, jsonb_build_array(k, kp)) AS bins
         FROM (SELECT assessment_id,
                      least(width_bucket(scaled_score, $8::float8, $9::float8, $10), $10) AS bin,
                      count(*) AS k, count(*) FILTER (WHERE provisional) AS kp,
                      count(*) FILTER (WHERE passed) AS kpass, sum(scaled_score) AS total
               FROM latest GROUP BY 1, 2) per_bin
         GROUP BY assessment_id) d) AS distributions,
  (SELECT coalesce(array_agg(form_id), '{{}}') FROM (SELECT DISTINCT form_id FROM latest) f)
      AS forms,
  (SELECT count(*) FROM (SELECT DISTINCT candidate_id FROM latest) c) AS scored
"""

_QUERIES = {
    pooled: (
        _COMPETENCY_SQL.format(people=_PEOPLE, comp=_COMP_POOLED if pooled else _COMP_NARROWED),
        _READINESS_SQL.format(
            people=_PEOPLE,
            latest=_LATEST,
            estimate=_ESTIMATE_POOLED if pooled else _ESTIMATE_NARROWED,
        ),
    )
    for pooled in (True, False)
}
"""(competency query, readiness query) by whether every latest attempt counts."""


_ACTIVITY_SQL = f"""
WITH {_PEOPLE}, inv AS MATERIALIZED (
    SELECT i.id, i.candidate_id,
           CASE WHEN $3::text IS NULL THEN cardinality(i.assessments) ELSE 1 END AS needed
    FROM invitations i JOIN people p ON p.id = i.candidate_id
    WHERE i.organization_id = $1 AND i.revoked_at IS NULL
      AND ($3::text IS NULL OR $3 = ANY (i.assessments))
      AND ($4::timestamptz IS NULL OR i.created_at >= $4)
      AND ($5::timestamptz IS NULL OR i.created_at < $5)
), inv_state AS (
    SELECT inv.candidate_id, inv.needed, count(a.id) AS began,
           count(a.id) FILTER (WHERE a.status IN ('submitted', 'scored', 'expired')) AS done
    FROM inv LEFT JOIN attempts a
      ON a.organization_id = $1 AND a.invitation_id = inv.id
     AND ($3::text IS NULL OR a.assessment_id = $3)
    GROUP BY inv.id, inv.candidate_id, inv.needed
), done AS (
    SELECT (a.submitted_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
    FROM attempts a JOIN people p ON p.id = a.candidate_id
    WHERE a.organization_id = $1 AND a.status IN ('submitted', 'scored', 'expired')
      AND a.submitted_at IS NOT NULL AND ($3::text IS NULL OR a.assessment_id = $3)
      AND ($4::timestamptz IS NULL OR a.submitted_at >= $4)
      AND ($5::timestamptz IS NULL OR a.submitted_at < $5)
    GROUP BY 1
)
SELECT
  (SELECT jsonb_build_object(
       'invited', count(DISTINCT candidate_id),
       'started', count(DISTINCT candidate_id) FILTER (WHERE began > 0),
       'completed', count(DISTINCT candidate_id) FILTER (WHERE done >= needed))
   FROM inv_state) AS funnel,
  (SELECT coalesce(jsonb_agg(jsonb_build_array(day, n) ORDER BY day), '[]') FROM done)
      AS progress
"""  # noqa: S608 - constant SQL


def _range(f: OverviewFilter) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = dt.datetime.combine(f.date_from, dt.time(), dt.UTC) if f.date_from else None
    end = (
        dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        if f.date_to and f.date_to < dt.date.max
        else None
    )
    return start, end


async def cohort_overview(
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    content: ContentVersion,
    selection: OverviewFilter,
    thresholds: BandThresholds,
    *,
    page_size: int = HEATMAP_PAGE,
    more: Sequence[asyncpg.Connection] = (),
) -> Overview:
    """The overview of ``selection``; the heatmap shows page ``selection.page``.

    Three queries: competencies and the heatmap, readiness and score distributions (both
    from the latest scored attempts), and the activity (invitations and completions). Given
    ``more`` connections, they run at the same time (on at most three connections)."""
    start, end = _range(selection)
    pooled = selection.assessment_id is None and start is None and end is None
    competency_sql, readiness_sql = _QUERIES[pooled]
    bins = (SCORE_MAX - SCORE_MIN) // SCORE_BIN
    scope = (organization_id, selection.cohort_id, selection.assessment_id, start, end)
    competency_args = (*scope, page_size, (selection.page - 1) * page_size)
    readiness_args = (
        *scope,
        thresholds.ready,
        thresholds.nearly_ready,
        float(SCORE_MIN),
        float(SCORE_MAX),
        bins,
    )
    if not more:
        row = await _aggregate(conn, competency_sql, competency_args)
        scores = await _aggregate(conn, readiness_sql, readiness_args)
        activity = await _aggregate(conn, _ACTIVITY_SQL, scope)
    else:  # side by side, each on its own connection
        connections = [conn, *more][:3]
        # with two connections the heaviest query (competencies) runs alone on one and the
        # two lighter ones follow each other on the other, which balances the two lanes
        jobs = [
            (readiness_sql, readiness_args),
            (competency_sql, competency_args),
            (_ACTIVITY_SQL, scope),
        ]
        scores, row, activity = await _side_by_side(connections, jobs)
    cuts = competency_cut_percents(content, [f for f in scores["forms"] if f in content.forms])
    competencies = _competencies(row["competencies"], content, cuts)
    columns = [(c.competency_id, c.name) for c in competencies]
    heat_total = int(row["heat_total"])
    heatmap = Heatmap(
        competencies=columns,
        cuts=[c.cut for c in competencies],
        rows=[
            HeatRow(
                candidate_id=uuid.UUID(r["id"]),
                name=r["name"],
                cells=[_cell(r["cells"], cid, 0) for cid, _ in columns],
                provisional=[bool(_cell(r["cells"], cid, 1)) for cid, _ in columns],
            )
            for r in row["heat_rows"]
        ],
        total=heat_total,
        page=selection.page,
        pages=max(1, math.ceil(heat_total / page_size)),
        page_size=page_size,
    )
    progress, unit = _progress(activity["progress"], selection)
    distributions = _distributions(scores["distributions"], content, bins)
    return Overview(
        filter=selection,
        funnel=Funnel(**activity["funnel"]),
        bands=_bands(scores["bands"], thresholds),
        models=[ModelUse(m["version"], m["provenance"], m["n"]) for m in scores["models"]],
        competencies=competencies,
        heatmap=heatmap,
        distributions=distributions,
        progress=progress,
        progress_unit=unit,
        scored_candidates=int(scores["scored"]),
        provisional_attempts=sum(d.provisional for d in distributions),
    )


async def _side_by_side(
    connections: Sequence[asyncpg.Connection], jobs: Sequence[tuple[str, Sequence[Any]]]
) -> list[asyncpg.Record]:
    """Run ``jobs`` spread over ``connections``, each connection's share in turn."""
    results: list[asyncpg.Record | None] = [None] * len(jobs)

    async def lane(k: int) -> None:
        for i in range(k, len(jobs), len(connections)):
            results[i] = await _aggregate(connections[k], *jobs[i])

    # every lane ends before an error is raised: no connection is handed back mid-query
    outcomes = await asyncio.gather(
        *(lane(k) for k in range(len(connections))), return_exceptions=True
    )
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return [r for r in results if r is not None]


async def _aggregate(conn: asyncpg.Connection, sql: str, args: Sequence[Any]) -> asyncpg.Record:
    """One big aggregation, in memory rather than spilling to disk, and without JIT (compiling
    these plans costs more than running them)."""
    async with conn.transaction(readonly=True):
        await conn.execute(f"SET LOCAL work_mem = '{WORK_MEM}'; SET LOCAL jit = off")
        row = await conn.fetchrow(sql, *args)
    assert row is not None
    return row


def _cell(cells: dict[str, Any], competency_id: str, index: int) -> Any:
    pair = cells.get(competency_id)
    return None if pair is None else pair[index]


def _bands(rows: list[dict[str, Any]], thresholds: BandThresholds) -> list[BandCount]:
    found = {r["band"]: r for r in rows}
    limits = {
        "not_yet": (0.0, thresholds.nearly_ready),
        "nearly_ready": (thresholds.nearly_ready, thresholds.ready),
        "ready": (thresholds.ready, 1.0),
    }
    return [
        BandCount(
            band=band,
            label=BAND_LABELS[band],
            lower=limits[band][0],
            upper=limits[band][1],
            candidates=int(found.get(band, {}).get("n", 0)),
            provisional=int(found.get(band, {}).get("prov", 0)),
        )
        for band in BAND_ORDER
    ]


def _competencies(
    rows: list[dict[str, Any]], content: ContentVersion, cuts: Mapping[str, float]
) -> list[CompetencyMean]:
    by_id = {r["id"]: r for r in rows}
    out = []
    for cid, competency in content.competencies.items():  # the framework's order
        r = by_id.get(cid)
        if r is None:
            continue
        cut = cuts.get(cid, 0.0)
        out.append(
            CompetencyMean(
                competency_id=cid,
                name=competency.name,
                mean=float(r["mean"]),
                cut=cut,
                candidates=int(r["n"]),
                below_cut=sum(int(k) for percent, k in r["spread"] if percent < cut),
                provisional=int(r["prov"] or 0),
            )
        )
    return out


def _distributions(
    rows: list[dict[str, Any]], content: ContentVersion, bins: int
) -> list[ScoreDistribution]:
    out = []
    for r in sorted(
        rows,
        key=lambda r: (
            list(content.assessments).index(r["id"]) if r["id"] in content.assessments else 10**6
        ),
    ):
        assessment = content.assessments.get(r["id"])
        counts = r["bins"] or {}
        out.append(
            ScoreDistribution(
                assessment_id=r["id"],
                title=assessment.title if assessment else r["id"],
                cut=assessment.scale.cut if assessment else 300,
                cut_provisional=bool(assessment and assessment.cut_score.status == "provisional"),
                attempts=int(r["n"]),
                passed=int(r["passed"]),
                provisional=int(r["prov"]),
                mean=float(r["mean"]),
                bins=[
                    ScoreBin(
                        lower=SCORE_MIN + (b - 1) * SCORE_BIN,
                        upper=SCORE_MIN + b * SCORE_BIN,
                        attempts=int(counts.get(str(b), [0, 0])[0]),
                        provisional=int(counts.get(str(b), [0, 0])[1]),
                    )
                    for b in range(1, bins + 1)
                ],
            )
        )
    return out


def _progress(rows: list[list[Any]], selection: OverviewFilter) -> tuple[list[ProgressPoint], str]:
    days = [(dt.date.fromisoformat(d), int(n)) for d, n in rows]
    if not days:
        return [], "day"
    first = selection.date_from or days[0][0]
    last = selection.date_to or days[-1][0]
    unit = "week" if (last - first).days > WEEKLY_AFTER_DAYS else "day"
    totals: dict[dt.date, int] = {}
    for day, n in days:
        key = day - dt.timedelta(days=day.weekday()) if unit == "week" else day
        totals[key] = totals.get(key, 0) + n
    points, running = [], 0
    for period in sorted(totals):
        running += totals[period]
        points.append(ProgressPoint(period, totals[period], running))
    return points, unit
