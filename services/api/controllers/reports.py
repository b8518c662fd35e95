"""The staff compliance report for accreditation reviews (``services.core.compliance_report``):
as JSON to read, as CSV or PDF to take away.

Owners, admins and auditors; employees get 403. Each CSV or PDF export is recorded in the
organisation's history (``audits.ComplianceReportExported``) before the file is sent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import QueryParameter
from litestar.response import Response

from domain.audits.reports import Activity, ReportFormat
from domain.compliance.evaluation import Status
from domain.people.credentials import Body
from services.api.auth import Principal, requires_role
from services.api.controllers.invitations import actor
from services.api.params import check_days, day_parameter
from services.core import compliance_report, csv_export
from services.core.compliance_report import ComplianceReport, ReportSelection

AsOf = Annotated[date | None, day_parameter("Evaluate on this day (default: today)")]
ActivityFilter = Annotated[
    Activity, QueryParameter(description="active (default), deactivated or all staff")
]
BodyFilter = Annotated[
    Body | None,
    QueryParameter(name="body", description="People holding a credential of this body"),
]
NameFilter = Annotated[str | None, QueryParameter(max_length=200)]
StatusFilter = Annotated[
    Status | None, QueryParameter(description="People with a current cycle of this status")
]


def selection(
    as_of: date | None,
    activity: Activity,
    body: Body | None,
    department: str | None,
    site: str | None,
    status: Status | None,
) -> ReportSelection:
    check_days(as_of=as_of)
    return ReportSelection(
        as_of=as_of or datetime.now(UTC).date(),
        activity=activity,
        body=body,
        department=department or None,
        site=site or None,
        status=status,
    )


class ReportController(Controller):
    path = "/api/v1/reports"
    tags = ("reports",)
    guards = [requires_role("owner", "admin", "auditor")]  # noqa: RUF012 (Litestar layer)

    @get("/compliance")
    async def compliance(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        as_of: AsOf = None,
        activity: ActivityFilter = "active",
        only_body: BodyFilter = None,
        department: NameFilter = None,
        site: NameFilter = None,
        status: StatusFilter = None,
    ) -> ComplianceReport:
        """The credentials and CE standing of the selected staff on a day: per person the
        credentials held, whether credentialed, each cycle's numbers and status, and the
        credits completed per calendar year."""
        chosen = selection(as_of, activity, only_body, department, site, status)
        async with state.database.transaction(request.user.tenant_id) as tx:
            return await compliance_report.compliance_report(
                tx, state.store, chosen, generated_at=datetime.now(UTC)
            )

    async def _export(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        chosen: ReportSelection,
        *,
        fmt: ReportFormat,
    ) -> Response[bytes]:
        now = datetime.now(UTC)
        async with state.database.transaction(request.user.tenant_id) as tx:
            report = await compliance_report.compliance_report(
                tx, state.store, chosen, generated_at=now
            )
            await compliance_report.record_report_export(
                tx,
                state.store,
                report,
                user_id=request.user.user_id,
                fmt=fmt,
                metadata=actor(request),
            )
        if fmt == "csv":
            content = compliance_report.to_csv(report).encode()
        else:
            content = compliance_report.to_pdf(report, generated_by=request.user.email)
        filename = f"compliance-report-{chosen.as_of}.{fmt}"
        return Response(
            content, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
        )

    @get("/compliance.csv", media_type=csv_export.MEDIA_TYPE)
    async def compliance_csv(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        as_of: AsOf = None,
        activity: ActivityFilter = "active",
        only_body: BodyFilter = None,
        department: NameFilter = None,
        site: NameFilter = None,
        status: StatusFilter = None,
    ) -> Response[bytes]:
        """The report as CSV: one row per person and cycle, with the day, the ledger position,
        the credentials and the credits per calendar year on every row."""
        chosen = selection(as_of, activity, only_body, department, site, status)
        return await self._export(request, state, chosen, fmt="csv")

    @get("/compliance.pdf", media_type="application/pdf")
    async def compliance_pdf(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        as_of: AsOf = None,
        activity: ActivityFilter = "active",
        only_body: BodyFilter = None,
        department: NameFilter = None,
        site: NameFilter = None,
        status: StatusFilter = None,
    ) -> Response[bytes]:
        """The report as PDF: a summary, then per person the credentials, the cycles and the
        credits per calendar year."""
        chosen = selection(as_of, activity, only_body, department, site, status)
        return await self._export(request, state, chosen, fmt="pdf")
