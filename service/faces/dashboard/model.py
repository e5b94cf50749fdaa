"""The readiness model card (``/dashboard/model``): the active model's held-out metrics,
calibration within self-reported groups, a reliability diagram with its table, where its
training data came from (simulated or real outcomes), the versions this organization can
use, and rollback for admins (audited).

Rollback acts in the organization's own scope (``service.readiness.registry.rollback``):
when the organization uses the shared (global) model, rolling that back would change every
organization's estimates, so it stays an operator's command (``chartready model-rollback``).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Template
from markupsafe import Markup

from service.analytics.export import Cell, to_csv
from service.faces.dashboard.calibration_chart import reliability_diagram
from service.faces.dashboard.ratings import csv_download
from service.faces.dashboard.web import error_page, go, page, require_dashboard
from service.ground.errors import ChartReadyError, Conflict, InvalidInput, NotFound
from service.readiness.card import model_card
from service.readiness.evaluation import Metrics
from service.readiness.registry import ModelVersion, active_version, get_model, list_models
from service.readiness.registry import rollback as registry_rollback
from service.tenancy import audit
from service.web.database import Conn
from service.web.guards import CurrentStaff

MODEL = "/dashboard/model"
GROUP_LABELS = {"sex": "Sex", "race_ethnicity": "Race/ethnicity"}


async def _active(conn: Conn, organization_id: Any) -> tuple[ModelVersion | None, bool]:
    """The model serving the organization, and whether it is the organization's own."""
    version = await active_version(conn, organization_id=organization_id)
    if version is None:
        return None, False
    model = await get_model(conn, version, organization_id=organization_id)
    return model, model.organization_id is not None


def _metric_row(label: str, m: Metrics) -> list[Cell]:
    return [label, m.count, m.positive_rate, m.brier, m.log_loss, m.auc, m.ece]


class DashboardModel(Controller):
    """``/dashboard/model``: coordinators read, admins roll back."""

    path = MODEL
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get("/", operation_id="dashboardModelCard", opt={"role": "coordinator"})
    async def card(
        self, request: Request[Any, Any, Any], conn: Conn, staff: CurrentStaff
    ) -> Template:
        """The active model's card."""
        return await self._page(
            conn, staff, notice=request.query_params.get("rolled_back"), error=None
        )

    async def _page(
        self, conn: Conn, staff: Any, *, notice: str | None, error: str | None, status: int = 200
    ) -> Template:
        model, own = await _active(conn, staff.organization_id)
        versions = await list_models(conn, organization_id=staff.organization_id)
        chart = (
            Markup(  # noqa: S704 - reliability_diagram escapes every text it draws
                reliability_diagram(
                    model.metrics.validation.reliability,
                    title=f"Reliability of {model.version} on held-out candidates",
                    chart_id="reliability",
                )
            )
            if model
            else None
        )
        return page(
            "model.html",
            staff,
            {
                "model": model,
                "own": own,
                "versions": versions,
                "chart": chart,
                "group_labels": GROUP_LABELS,
                "notice": f"Rolled back: the active model is now {notice}." if notice else None,
                "error": error,
            },
            path=MODEL,
            status=status,
        )

    @post("/rollback", operation_id="dashboardModelRollback", opt={"role": "admin"})
    async def rollback(
        self, request: Request[Any, Any, Any], conn: Conn, staff: CurrentStaff
    ) -> Response[Any]:
        """Retire this organization's active model and re-activate its previous one."""
        form = await request.form()
        reason = form.get("reason")
        reason = reason.strip() if isinstance(reason, str) else ""
        if not 3 <= len(reason) <= 500 or "\x00" in reason:
            return await self._page(
                conn,
                staff,
                notice=None,
                error="Say why you roll back (3–500 characters); it is kept with the change.",
                status=422,
            )
        try:
            async with conn.transaction():
                current = await active_version(conn, organization_id=staff.organization_id)
                restored = await registry_rollback(
                    conn,
                    organization_id=staff.organization_id,
                    activated_by=staff.actor,
                    reason=reason,
                )
                await audit.record(
                    conn,
                    staff.organization_id,
                    actor=staff.actor,
                    action="readiness_model.rollback",
                    subject_kind="readiness_model",
                    subject_id=current,
                    reason=f"{reason} (now {restored.version})",
                )
        except Conflict as refused:
            model, own = await _active(conn, staff.organization_id)
            detail = (
                refused.detail
                if own or model is None
                else f"This organization uses the shared model {model.version}; rolling it "
                "back would change every organization's estimates, so only an operator can "
                "(chartready model-rollback)."
            )
            return await self._page(conn, staff, notice=None, error=detail, status=409)
        return go(f"{MODEL}?rolled_back={restored.version}")


class DashboardModelExports(Controller):
    """The model page's tables as CSV and its card as Markdown."""

    path = MODEL
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012

    @get("/model.csv", operation_id="dashboardModelCsv", opt={"role": "coordinator"})
    async def tables(
        self, request: Request[Any, Any, Any], conn: Conn, staff: CurrentStaff
    ) -> Response[str]:
        """``?table=metrics`` (overall and per group), ``reliability`` or ``versions``."""
        table = request.query_params.get("table", "metrics")
        model, _ = await _active(conn, staff.organization_id)
        if table == "versions":
            versions = await list_models(conn, organization_id=staff.organization_id)
            return csv_download(
                to_csv(
                    [
                        "version",
                        "scope",
                        "provenance",
                        "estimator",
                        "n_train",
                        "created_at",
                        "retired_at",
                        "active",
                    ],
                    [
                        [
                            v.version,
                            "organization" if v.organization_id else "shared",
                            v.provenance,
                            v.estimator,
                            v.n_train,
                            v.created_at.isoformat(),
                            v.retired_at.isoformat() if v.retired_at else None,
                            model is not None and v.version == model.version,
                        ]
                        for v in versions
                    ],
                ),
                "readiness-model-versions.csv",
            )
        if table not in ("metrics", "reliability"):
            raise InvalidInput("table must be metrics, reliability or versions", field="table")
        if model is None:
            raise NotFound("No readiness model is active yet")
        v = model.metrics.validation
        if table == "reliability":
            return csv_download(
                to_csv(
                    [
                        "model",
                        "bin_lower",
                        "bin_upper",
                        "count",
                        "mean_estimate",
                        "observed_rate",
                        "provenance",
                    ],
                    [
                        [
                            model.version,
                            b.lower,
                            b.upper,
                            b.count,
                            b.mean_predicted,
                            b.observed_rate,
                            model.provenance,
                        ]
                        for b in v.reliability
                    ],
                ),
                f"reliability-{model.version}.csv",
            )
        rows: list[list[Cell]] = [[model.version, "all", *_metric_row("all", v)]]
        for attribute, groups in model.metrics.by_group.items():
            rows += [[model.version, attribute, *_metric_row(g, m)] for g, m in groups.items()]
        return csv_download(
            to_csv(
                [
                    "model",
                    "attribute",
                    "group",
                    "n",
                    "met_rate",
                    "brier",
                    "log_loss",
                    "auc",
                    "ece",
                    "provenance",
                ],
                [[*r, model.provenance] for r in rows],
            ),
            f"metrics-{model.version}.csv",
        )

    @get("/card.md", operation_id="dashboardModelCardMarkdown", opt={"role": "coordinator"})
    async def markdown(self, conn: Conn, staff: CurrentStaff) -> Response[str]:
        """The full model card as Markdown (as ``chartready model-card`` prints it)."""
        model, _ = await _active(conn, staff.organization_id)
        if model is None:
            raise NotFound("No readiness model is active yet")
        return Response(
            model_card(model, active=model.version),
            media_type="text/markdown; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="model-card-{model.version}.md"',
                "Cache-Control": "private, no-store",
            },
        )
