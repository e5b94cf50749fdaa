"""The dashboard's home: what waits for the signed-in person, by role."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from service.delivery.workload import workload
from service.faces.dashboard.web import error_page, page, require_dashboard
from service.ground.errors import ChartReadyError
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import CurrentStaff


class DashboardHome(Controller):
    """``/dashboard``."""

    path = "/dashboard"
    include_in_schema = False
    guards = [require_dashboard]  # noqa: RUF012
    exception_handlers = {ChartReadyError: error_page}  # noqa: RUF012 - read by Litestar

    @get("/", operation_id="dashboardHome")
    async def home(self, conn: Conn, staff: CurrentStaff, content: CurrentContent) -> Template:
        """Cohorts, invitations by status, and responses awaiting this person's rating."""
        summary = await workload(conn, staff, content)
        return page("home.html", staff, {"summary": summary}, path="/dashboard")
