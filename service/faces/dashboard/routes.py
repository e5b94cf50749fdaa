"""Everything the app mounts for the dashboard: its pages and its own script and styles."""

from __future__ import annotations

from typing import Any

from litestar.router import Router
from litestar.static_files import create_static_files_router

from service.faces.dashboard.admin import DashboardAdmin
from service.faces.dashboard.admin_exports import DashboardAdminExports
from service.faces.dashboard.admin_integrations import DashboardIntegrations
from service.faces.dashboard.analysis import DashboardAnalysisExports, DashboardStatistics
from service.faces.dashboard.candidates import CandidatePages
from service.faces.dashboard.cohort_invites import DashboardCohortInvites
from service.faces.dashboard.cohorts import DashboardCohorts
from service.faces.dashboard.fairness import DashboardFairness
from service.faces.dashboard.home import DashboardHome
from service.faces.dashboard.model import DashboardModel, DashboardModelExports
from service.faces.dashboard.overview import OverviewPages
from service.faces.dashboard.ratings import DashboardRatingExports, DashboardRatings
from service.faces.dashboard.session_pages import DashboardAccountPages, DashboardSessionPages
from service.faces.dashboard.web import STATIC, TEMPLATES


def static_router() -> Router:
    """The dashboard's own stylesheet and script at /dashboard/static (no CDN)."""
    return create_static_files_router(
        path="/dashboard/static", directories=[STATIC], include_in_schema=False
    )


def dashboard_handlers() -> list[Any]:
    """Route handlers of the dashboard face."""
    return [
        DashboardSessionPages,
        DashboardAccountPages,
        DashboardHome,
        DashboardCohorts,
        DashboardCohortInvites,
        OverviewPages,
        CandidatePages,
        DashboardRatings,
        DashboardRatingExports,
        DashboardAdmin,
        DashboardAdminExports,
        DashboardIntegrations,
        DashboardStatistics,
        DashboardFairness,
        DashboardAnalysisExports,
        DashboardModel,
        DashboardModelExports,
        static_router(),
    ]


__all__ = ["TEMPLATES", "dashboard_handlers"]
