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

The filters are parsed in ``overview_filter``; the SQL lives in ``overview_queries``.
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

from service.analytics.overview_filter import OverviewFilter, time_range
from service.analytics.overview_queries import ACTIVITY_SQL, QUERIES
from service.assessments.bank import ContentVersion
from service.assessments.levels import competency_cut_percents
from service.readiness.predict import BandThresholds

HEATMAP_PAGE = 50
"""Candidates per heatmap page (a cohort of thousands is paged, never drawn at once)."""
SCORE_MIN, SCORE_MAX, SCORE_BIN = 100, 400, 25
WEEKLY_AFTER_DAYS = 92
BAND_LABELS = {"ready": "Ready", "nearly_ready": "Nearly ready", "not_yet": "Not yet"}
BAND_ORDER = ("not_yet", "nearly_ready", "ready")
WORK_MEM = "64MB"


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
    start, end = time_range(selection)
    pooled = selection.assessment_id is None and start is None and end is None
    competency_sql, readiness_sql = QUERIES[pooled]
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
        activity = await _aggregate(conn, ACTIVITY_SQL, scope)
    else:  # side by side, each on its own connection
        connections = [conn, *more][:3]
        # with two connections the heaviest query (competencies) runs alone on one and the
        # two lighter ones follow each other on the other, which balances the two lanes
        jobs = [
            (readiness_sql, readiness_args),
            (competency_sql, competency_args),
            (ACTIVITY_SQL, scope),
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
