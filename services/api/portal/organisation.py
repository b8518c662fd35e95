"""The organisation overview for owners, admins and auditors: current cycles by status, by
certifying body, department and site (bars and the same numbers as tables), the next deadlines
with a shortfall, what is not evaluated and why, and the certificates waiting for review.

Every number comes from the ``organisation_overview`` use case (active staff, statuses computed
for today); nothing is counted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from domain.compliance.status import Status
from services.api.auth import requires_role
from services.api.portal.pages import page
from services.api.portal.status_bars import STATUS_ORDER, StatusBars, status_bars
from services.core.application import UseCases
from services.core.people.queries import GroupCounts
from services.core.staff.use_cases import organisation_overview

Row = tuple[str | None, str, dict[Status, int]]
"""(the staff list's filter value, the name shown, counts by status); no filter value for
people assigned to no department or site."""


@dataclass(frozen=True)
class GroupChart:
    """One grouping of the current cycles: bars, and the same numbers for the table."""

    key: str
    """The staff list's filter for a group (``body``, ``department``, ``site``)."""
    title: str
    rows: list[Row]
    bars: StatusBars


def group_chart(key: str, title: str, rows: list[Row]) -> GroupChart:
    return GroupChart(key, title, rows, status_bars([(name, counts) for _, name, counts in rows]))


def _groups(groups: list[GroupCounts], unassigned: str) -> list[Row]:
    return [(g.name, g.name or unassigned, g.by_status) for g in groups]


class OverviewPage(Controller):
    path = "/organisation"
    guards = [requires_role("owner", "admin", "auditor")]  # noqa: RUF012 (Litestar layer)

    @get("")
    async def overview(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        found = await use_cases.run(organisation_overview, None)
        summary = found.summary
        by_body: list[Row] = [(body, body, counts) for body, counts in summary.by_body.items()]
        return await page(
            request,
            "organisation/overview.html",
            summary=summary,
            statuses=STATUS_ORDER,
            charts=[
                group_chart("body", "Current cycles by certifying body", by_body),
                group_chart(
                    "department",
                    "Current cycles by department",
                    _groups(summary.by_department, "No department"),
                ),
                group_chart("site", "Current cycles by site", _groups(summary.by_site, "No site")),
            ],
            waiting=found.waiting,
            more_waiting=found.more_waiting,
            today=summary.today,
        )
