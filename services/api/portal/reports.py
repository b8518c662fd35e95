"""The staff compliance report page (owners, admins, auditors): choose the day and the staff,
read the report on the page, and take it away as PDF or CSV.

The page shows the report of ``services.core.reports.use_cases.report_page`` as is; the files
come from the report endpoints (``controllers/reports.py``), which record each export in the
organisation's history, and this page sends the browser there once the choices are valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Redirect, Response, Template

from domain import vocabulary
from domain.audits.reports import ReportFormat
from services.api import application as clock
from services.api.portal.forms import Form
from services.api.portal.pages import page
from services.api.portal.staff import ACTIVITIES, READERS, optional_choice
from services.core.application import UseCases
from services.core.reports import use_cases as report_use_cases
from services.core.reports.compliance import (
    ReportSelection,
    credential_text,
    report_years,
    selection_text,
)

FORMATS: Mapping[ReportFormat, str] = {"pdf": "PDF", "csv": "CSV"}
FIELDS = ("as_of", "activity", "body", "department", "site", "status")


def report_selection(form: Form, today: date) -> ReportSelection | None:
    """The choices as typed, or None with each problem recorded on the form."""
    as_of = form.day("as_of", "day") if form.value("as_of") else today
    chosen = ReportSelection(
        as_of=as_of or today,
        activity=optional_choice(form, "activity", "staff to list", ACTIVITIES) or "active",
        body=optional_choice(form, "body", "certifying body", vocabulary.BODIES),
        department=form.text("department", "department", required=False) or None,
        site=form.text("site", "site", required=False) or None,
        status=optional_choice(form, "status", "status", vocabulary.STATUSES),
    )
    if chosen.as_of > today:
        form.fail("as_of", "Choose today or a day before: the future is not recorded yet")
    return chosen if form.ok else None


class ReportPages(Controller):
    path = "/reports"
    guards = [READERS]  # noqa: RUF012 (Litestar layer)

    @get("")
    async def report(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        """The choices, and the report they give (the default: active staff today)."""
        today = clock.today(request)
        form = Form("report", {"as_of": today.isoformat(), **dict(request.query_params)})
        return await self._page(request, use_cases, form, today)

    async def _page(
        self, request: Request[Any, Any, Any], use_cases: UseCases, form: Form, today: date
    ) -> Template:
        chosen = report_selection(form, today)
        found = await use_cases.run(report_use_cases.report_page, chosen)
        return await page(
            request,
            "reports/compliance.html",
            form=form,
            report=found.report,
            described=selection_text(chosen) if chosen else "",
            years=report_years(chosen.as_of) if chosen else [],
            credential_text=credential_text,
            activities=ACTIVITIES,
            departments={name: name for name in found.departments},
            sites={name: name for name in found.sites},
            today=today,
            status=200 if form.ok else 422,
        )

    @get("/download")
    async def download(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """On to the report endpoint with the choices made, once they are valid."""
        today = clock.today(request)
        form = Form("report", dict(request.query_params))
        fmt = form.choice("format", "format", FORMATS)
        chosen = report_selection(form, today)
        if chosen is None or fmt is None:
            return await self._page(request, use_cases, form, today)
        typed = {name: form.value(name) for name in FIELDS if form.value(name)}
        query = urlencode({**typed, "as_of": chosen.as_of.isoformat()})
        return Redirect(
            f"/api/v1/reports/compliance.{fmt}" + (f"?{query}" if query else ""), status_code=303
        )
