"""The cohort overview page (``/dashboard/overview``) and its tables as CSV.

The filters are GET parameters (``cohort``, ``assessment``, ``from``, ``to``, ``page``), so a
reload or a shared link shows the same view; a bad value re-shows the page with the error
next to its field (400), and the CSV answers problem details naming the parameter.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import asyncpg
import msgspec
import numpy as np
from litestar import Controller, Request, Response, get
from litestar.response import Template

from service.analytics.export import Cell, to_csv
from service.analytics.overview import HEATMAP_PAGE, Overview, cohort_overview
from service.analytics.overview_filter import (
    FilterErrors,
    OverviewFilter,
    cohort_choices,
    parse_filter,
)
from service.assessments.bank import ContentVersion
from service.faces.dashboard import charts
from service.faces.dashboard.web import NO_STORE, error_page, page, require_dashboard
from service.ground.db import acquire
from service.ground.errors import ChartReadyError
from service.profiles.charts import BarRow
from service.readiness.predict import BandThresholds
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import CurrentStaff
from service.web.problems import FieldError, problem_response
from service.web.settings import Thresholds

PATH = "/dashboard/overview"
WHOLE_HEATMAP = 1_000_000
"""Rows of the heatmap's whole-selection CSV (every scored candidate, not one page)."""
TABLES = ("funnel", "readiness", "competencies", "heatmap", "scores", "progress")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def tables(view: Overview) -> dict[str, tuple[list[str], list[list[Cell]]]]:
    """Every table the page shows, as (header, rows): the page and its CSV use these."""
    f = view.funnel
    heat_cols = view.heatmap.competencies
    out: dict[str, tuple[list[str], list[list[Cell]]]] = {
        "funnel": (
            ["stage", "candidates", "percent_of_invited"],
            [
                ["invited", f.invited, 100.0 if f.invited else None],
                [
                    "started",
                    f.started,
                    round(100 * f.started / f.invited, 1) if f.invited else None,
                ],
                [
                    "completed",
                    f.completed,
                    round(100 * f.completed / f.invited, 1) if f.invited else None,
                ],
            ],
        ),
        "readiness": (
            ["band", "lower", "upper", "candidates", "provisional", "model_provenance"],
            [
                [
                    b.label,
                    b.lower,
                    b.upper,
                    b.candidates,
                    b.provisional,
                    "/".join(sorted({m.provenance for m in view.models})) or None,
                ]
                for b in view.bands
            ],
        ),
        "competencies": (
            [
                "competency",
                "mean_percent",
                "cut_percent_angoff",
                "candidates",
                "below_cut",
                "provisional",
            ],
            [
                [
                    c.name,
                    round(c.mean, 2),
                    round(c.cut, 2),
                    c.candidates,
                    c.below_cut,
                    c.provisional,
                ]
                for c in view.competencies
            ],
        ),
        "heatmap": (
            ["candidate_id", "candidate", *[name for _, name in heat_cols], "provisional"],
            [
                [
                    str(r.candidate_id),
                    r.name,
                    *[None if v is None else round(v, 1) for v in r.cells],
                    ", ".join(n for (_, n), p in zip(heat_cols, r.provisional, strict=True) if p)
                    or None,
                ]
                for r in view.heatmap.rows
            ],
        ),
        "scores": (
            ["score_from", "score_to", *[d.title for d in view.distributions], "provisional"],
            [
                [
                    low.lower,
                    low.upper,
                    *[d.bins[i].attempts for d in view.distributions],
                    sum(d.bins[i].provisional for d in view.distributions),
                ]
                for i, low in enumerate(view.distributions[0].bins if view.distributions else [])
            ],
        ),
        "progress": (
            [f"{view.progress_unit}_starting", "completed", "cumulative"],
            [[p.period.isoformat(), p.completed, p.cumulative] for p in view.progress],
        ),
    }
    return out


def _charts(view: Overview, content: ContentVersion) -> dict[str, Any]:
    f = view.funnel
    funnel = charts.bars(
        [
            charts.Bar("Invited", f.invited, f"{f.invited}"),
            charts.Bar("Started", f.started, f"{f.started} ({_pct(f.started, f.invited)})"),
            charts.Bar("Completed", f.completed, f"{f.completed} ({_pct(f.completed, f.invited)})"),
        ],
        title="Candidates invited, started and completed",
        chart_id="funnel-chart",
    )
    scored = sum(b.candidates for b in view.bands)
    bands = charts.bars(
        [
            charts.Bar(
                b.label,
                b.candidates,
                f"{b.candidates} ({_pct(b.candidates, scored)})"
                + (f", {b.provisional} provisional" if b.provisional else ""),
                hatched=b.provisional > 0 and b.provisional == b.candidates,
            )
            for b in view.bands
        ],
        title="Candidates by readiness band",
        chart_id="bands-chart",
        hatch_label="every estimate in the band is provisional (awaiting rating)",
    )
    competencies = (
        charts.competency_bars(
            [
                BarRow(
                    label=c.name,
                    percent=c.mean,
                    cut_percent=c.cut,
                    level=f"{c.candidates} candidates, {c.below_cut} below",
                )
                for c in view.competencies
            ],
            chart_id="competency-means-chart",
        )
        if view.competencies
        else ""
    )
    heat = (
        charts.heatmap(
            [
                (
                    r.name,
                    [
                        charts.HeatCell(
                            v, below=v is not None and v < cut, provisional=p and v is not None
                        )
                        for v, cut, p in zip(r.cells, view.heatmap.cuts, r.provisional, strict=True)
                    ],
                )
                for r in view.heatmap.rows
            ],
            [name for _, name in view.heatmap.competencies],
            title="Competency percents by candidate",
            chart_id="heatmap-chart",
        )
        if view.heatmap.rows
        else ""
    )
    histograms = [
        charts.histogram(
            [(f"{b.lower}–{b.upper}", b.attempts, b.provisional) for b in d.bins],
            title=f"{d.title}: scaled scores",
            chart_id=f"scores-{d.assessment_id}",
            cut_index=(d.cut - 100) / 25,
            cut_label=f"cut {d.cut}" + (" (provisional)" if d.cut_provisional else ""),
        )
        for d in view.distributions
    ]
    progress = (
        charts.line_over_time(
            [(p.period, p.completed, p.cumulative) for p in view.progress],
            title="Completed attempts over time",
            chart_id="progress-chart",
            unit=view.progress_unit,
        )
        if view.progress
        else ""
    )
    return {
        "funnel": funnel,
        "bands": bands,
        "competencies": competencies,
        "heatmap": heat,
        "histograms": histograms,
        "progress": progress,
    }


def _link(selection: OverviewFilter, path: str = PATH, **changes: object) -> str:
    query = selection.query(**changes)
    return f"{path}?{urlencode(query)}" if query else path


def _raw(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {
        k: str(request.query_params.get(k, ""))
        for k in ("cohort", "assessment", "from", "to", "page")
    }


async def _overview(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    organization_id: uuid.UUID,
    content: ContentVersion,
    selection: OverviewFilter,
    thresholds: BandThresholds,
    page_size: int = HEATMAP_PAGE,
) -> Overview:
    """The overview, its three queries side by side on connections the pool has idle
    (never waiting for one: with none idle they run one after the other)."""
    pool: asyncpg.Pool = request.app.state.pool
    async with contextlib.AsyncExitStack() as stack:
        more = [
            await stack.enter_async_context(acquire(pool))
            for _ in range(min(2, pool.get_idle_size()))
        ]
        return await cohort_overview(
            conn,
            organization_id,
            content,
            selection,
            thresholds,
            page_size=page_size,
            more=more,
        )


class OverviewPages(Controller):
    """``/dashboard/overview``: funnel, readiness, competencies, heatmap, scores, progress."""

    path = "/dashboard"
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get("/overview", operation_id="dashboardOverview", opt={"role": "viewer"})
    async def overview(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Template:
        """The overview of the filtered selection; bad filters are shown beside their field."""
        cohorts = await cohort_choices(conn, staff.organization_id)
        raw = _raw(request)
        context: dict[str, Any] = {
            "cohorts": cohorts,
            "assessments": [(a.id, a.title) for a in content.assessments.values()],
            "raw": raw,
            "errors": {},
            "view": None,
            "cohort_name": None,
        }
        try:
            selection = parse_filter(raw, content, [c.id for c in cohorts])
        except FilterErrors as bad:
            context["errors"] = bad.errors
            return page("overview.html", staff, context, path=PATH, status=400)
        view = await _overview(request, conn, staff.organization_id, content, selection, thresholds)
        heat = view.heatmap
        context.update(
            view=view,
            charts=_charts(view, content),
            tables=tables(view),
            thresholds=thresholds,
            csv={
                t: _link(
                    selection,
                    f"{PATH}.csv",
                    table=t,
                    page=selection.page if t == "heatmap" and selection.page != 1 else None,
                )
                for t in TABLES
            },
            heatmap_all=_link(selection, f"{PATH}.csv", table="heatmap", page=None, all=1),
            prev_page=_link(selection, page=heat.page - 1) if heat.page > 1 else None,
            next_page=_link(selection, page=heat.page + 1) if heat.page < heat.pages else None,
            self_link=_link(selection),
            cohort_name=next((c.name for c in cohorts if c.id == selection.cohort_id), None),
            stats=_stats(view),
        )
        return page("overview.html", staff, context, path=PATH)

    @get("/overview.csv", operation_id="dashboardOverviewCsv", opt={"role": "viewer"})
    async def overview_csv(
        self,
        request: Request[Any, Any, Any],
        conn: Conn,
        staff: CurrentStaff,
        content: CurrentContent,
        thresholds: Thresholds,
    ) -> Response[Any]:
        """One table of the overview as CSV (``table``: funnel, readiness, competencies,
        heatmap, scores or progress), with the same filters as the page; the heatmap is the
        page's rows, or with ``all=1`` every scored candidate of the selection."""
        table = str(request.query_params.get("table", ""))
        cohorts = await cohort_choices(conn, staff.organization_id)
        errors: dict[str, str] = {}
        try:
            selection = parse_filter(_raw(request), content, [c.id for c in cohorts])
        except FilterErrors as bad:
            errors = bad.errors
            selection = OverviewFilter()
        if table not in TABLES:
            errors["table"] = f"Choose one of: {', '.join(TABLES)}."
        if errors:
            return problem_response(
                request,
                status=400,
                slug="invalid-input",
                title="Invalid input",
                detail="; ".join(f"{k}: {v}" for k, v in errors.items()),
                errors=[FieldError(f"query.{k}", v) for k, v in errors.items()],
            )
        whole = table == "heatmap" and request.query_params.get("all") == "1"
        view = await _overview(
            request,
            conn,
            staff.organization_id,
            content,
            msgspec.structs.replace(selection, page=1) if whole else selection,
            thresholds,
            page_size=WHOLE_HEATMAP if whole else HEATMAP_PAGE,
        )
        header, rows = tables(view)[table]
        name = f"overview-{table}{'-all' if whole else ''}.csv"
        return Response(
            to_csv(header, rows),
            media_type="text/csv; charset=utf-8",
            headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
        )


def _stats(view: Overview) -> dict[str, Any]:
    """Small figures the page states in words."""
    means: Sequence[float] = [c.mean for c in view.competencies]
    return {
        "below_cut_competencies": sum(1 for c in view.competencies if c.mean < c.cut),
        "overall_mean": float(np.mean(means)) if means else None,
    }
