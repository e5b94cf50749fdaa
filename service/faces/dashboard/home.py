"""The dashboard's home: what waits for the signed-in person, by role."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from service.faces.dashboard.web import error_page, page, require_dashboard
from service.ground.errors import ChartReadyError
from service.tenancy.workload import workload
from service.web.database import Conn
from service.web.guards import CurrentStaff


class DashboardHome(Controller):
    """``/dashboard``."""

    path = "/dashboard"
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get("/", operation_id="dashboardHome")
    async def home(self, conn: Conn, staff: CurrentStaff) -> Template:
        """Cohorts, candidates by stage, and responses awaiting this person's rating."""
        summary = await workload(conn, staff.organization_id, staff.id)
        return page("home.html", staff, {"summary": summary}, path="/dashboard")
