"""Staff: stored bias audits and their publishable summary (a page and a tagged PDF).

Admins run and keep an audit; coordinators and admins read it. Every read is audited."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from service.analytics.audits import (
    AuditListing,
    AuditRequest,
    StoredAudit,
    create_audit,
    get_audit,
    list_audits,
)
from service.analytics.export import bias_audit_csv
from service.analytics.summary import load_summary, render_summary_html, render_summary_pdf
from service.faces.staff.statistics import csv_response
from service.tenancy import audit
from service.web.content import CurrentContent
from service.web.database import Conn
from service.web.guards import STAFF_SECURITY, CurrentStaff, require_staff
from service.web.profiles import CurrentProfiles


class BiasAuditController(Controller):
    """Run, keep, list and publish bias audits."""

    path = "/staff/bias-audits"
    tags = ["statistics"]  # noqa: RUF012
    guards = [require_staff]  # noqa: RUF012
    security = STAFF_SECURITY

    @post(
        operation_id="createBiasAudit",
        summary="Run and keep a bias audit",
        opt={"role": "admin"},
        status_code=201,
    )
    async def create(
        self, data: JSONBody[AuditRequest], conn: Conn, staff: CurrentStaff, content: CurrentContent
    ) -> StoredAudit:
        """Run the bias audit of an outcome over the stored data now and keep it, so its
        summary can be published (and reproduced) for the year it may be relied on."""
        return await create_audit(conn, content, staff.organization_id, data, actor=staff.actor)

    @get(
        operation_id="listBiasAudits",
        summary="The organization's stored bias audits",
        opt={"role": "coordinator"},
    )
    async def listing(
        self,
        conn: Conn,
        staff: CurrentStaff,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[AuditListing]:
        """Newest first, with the outcome, the data's source and until when each may be
        relied on."""
        return await list_audits(conn, staff.organization_id, limit=limit)

    @get(
        "/{audit_id:uuid}",
        operation_id="getBiasAudit",
        summary="One stored bias audit",
        opt={"role": "coordinator"},
    )
    async def read(
        self, audit_id: FromPath[uuid.UUID], conn: Conn, staff: CurrentStaff
    ) -> StoredAudit:
        """The stored report with its date and validity."""
        stored = await get_audit(conn, staff.organization_id, audit_id)
        await audit.record(
            conn,
            staff.organization_id,
            actor=staff.actor,
            action="bias_audit.read",
            subject_kind="bias_audit",
            subject_id=audit_id,
        )
        return stored

    @get(
        "/{audit_id:uuid}/report.csv",
        operation_id="biasAuditReportCsv",
        summary="A stored bias audit as CSV",
        media_type="text/csv",
        opt={"role": "coordinator"},
    )
    async def csv(
        self, audit_id: FromPath[uuid.UUID], conn: Conn, staff: CurrentStaff
    ) -> Response[str]:
        """Every category of every dimension, then each dimension's unknown count."""
        stored = await get_audit(conn, staff.organization_id, audit_id)
        await audit.record(
            conn,
            staff.organization_id,
            actor=staff.actor,
            action="bias_audit.read",
            subject_kind="bias_audit",
            subject_id=audit_id,
        )
        return csv_response(bias_audit_csv(stored.report), f"bias-audit-{audit_id}.csv")

    @get(
        "/{audit_id:uuid}/summary",
        operation_id="biasAuditSummary",
        summary="The publishable summary of a bias audit (HTML page)",
        media_type="text/html",
        opt={"role": "coordinator"},
    )
    async def summary(
        self, audit_id: FromPath[uuid.UUID], conn: Conn, staff: CurrentStaff
    ) -> Response[str]:
        """What Local Law 144 asks a published summary to contain, with where every number
        comes from (simulated or real candidates)."""
        data = await load_summary(conn, staff.organization_id, audit_id)
        await audit.record(
            conn,
            staff.organization_id,
            actor=staff.actor,
            action="bias_audit.summary",
            subject_kind="bias_audit",
            subject_id=audit_id,
        )
        html = render_summary_html(data, pdf_url=f"/staff/bias-audits/{audit_id}/summary.pdf")
        return Response(
            html,
            media_type="text/html; charset=utf-8",
            headers={"Cache-Control": "private, no-store"},
        )

    @get(
        "/{audit_id:uuid}/summary.pdf",
        operation_id="biasAuditSummaryPdf",
        summary="The publishable summary of a bias audit (tagged PDF)",
        media_type="application/pdf",
        opt={"role": "coordinator"},
    )
    async def summary_pdf(
        self,
        audit_id: FromPath[uuid.UUID],
        conn: Conn,
        staff: CurrentStaff,
        profiles: CurrentProfiles,
    ) -> Response[bytes]:
        """The same summary as a tagged PDF (PDF/UA-1), rendered in a worker process."""
        data = await load_summary(conn, staff.organization_id, audit_id)
        pdf = await profiles.render_pool.run(render_summary_pdf, data)
        await audit.record(
            conn,
            staff.organization_id,
            actor=staff.actor,
            action="bias_audit.summary",
            subject_kind="bias_audit",
            subject_id=audit_id,
        )
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="bias-audit-summary-{data.audit_date}.pdf"'
                ),
                "Cache-Control": "private, no-store",
            },
        )
