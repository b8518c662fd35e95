"""The staff compliance report for accreditation reviews (``services.core.reports.compliance``):
as JSON to read, as CSV or PDF to take away.

Owners, admins and auditors; employees get 403. Each CSV or PDF export is recorded in the
organisation's history (``audits.ComplianceReportExported``) before the file is sent.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from litestar.response import Response

from domain.audits.reports import Activity
from domain.compliance.status import Status
from domain.people.credentials import Body
from services.api.auth import requires_role
from services.api.files import download
from services.api.params import check_days, day_parameter
from services.core import csv_export
from services.core.application import UseCases
from services.core.reports import use_cases as report_use_cases
from services.core.reports.compliance import ComplianceReport
from services.core.reports.use_cases import ReportChoice, ReportExport, ReportFile

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


def report_choice(
    as_of: AsOf = None,
    activity: ActivityFilter = "active",
    only_body: BodyFilter = None,
    department: NameFilter = None,
    site: NameFilter = None,
    status: StatusFilter = None,
) -> ReportChoice:
    """The staff and the day the report is of, from the query (a day out of range: 422)."""
    check_days(as_of=as_of)
    return ReportChoice(
        as_of=as_of,
        activity=activity,
        body=only_body,
        department=department,
        site=site,
        status=status,
    )


def _attachment(found: ReportFile) -> Response[bytes]:
    return download(found.content, found.filename)


class ReportController(Controller):
    path = "/api/v1/reports"
    tags = ("reports",)
    guards = [requires_role("owner", "admin", "auditor")]  # noqa: RUF012 (Litestar layer)
    dependencies = {"choice": Provide(report_choice, sync_to_thread=False)}  # noqa: RUF012 (Litestar layer)

    @get("/compliance")
    async def compliance(
        self, use_cases: NamedDependency[UseCases], choice: NamedDependency[ReportChoice]
    ) -> ComplianceReport:
        """The credentials and CE standing of the selected staff on a day: per person the
        credentials held, whether credentialed, each cycle's numbers and status, and the
        credits completed per calendar year."""
        return await use_cases.run(report_use_cases.compliance_report, choice)

    @get("/compliance.csv", media_type=csv_export.MEDIA_TYPE)
    async def compliance_csv(
        self, use_cases: NamedDependency[UseCases], choice: NamedDependency[ReportChoice]
    ) -> Response[bytes]:
        """The report as CSV: one row per person and cycle, with the day, the ledger position,
        the credentials and the credits per calendar year on every row."""
        export = ReportExport(choice=choice, format="csv")
        return _attachment(await use_cases.run(report_use_cases.export_compliance_report, export))

    @get("/compliance.pdf", media_type="application/pdf")
    async def compliance_pdf(
        self, use_cases: NamedDependency[UseCases], choice: NamedDependency[ReportChoice]
    ) -> Response[bytes]:
        """The report as PDF: a summary, then per person the credentials, the cycles and the
        credits per calendar year."""
        export = ReportExport(choice=choice, format="pdf")
        return _attachment(await use_cases.run(report_use_cases.export_compliance_report, export))
