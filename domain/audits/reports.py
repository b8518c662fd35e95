"""Compliance reports recorded in each tenant's chain: who took away the staff compliance report
(for an accreditation review), for which day and selection, in which form, with how many people.

Recorded on the exporting member's access stream (``access-<user id>``) before the file is sent.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from domain.compliance.status import Status
from domain.people.credentials import Body
from domain.shared.event import Event

ReportFormat = Literal["csv", "pdf"]
Activity = Literal["active", "deactivated", "all"]


class ComplianceReportExported(
    Event, frozen=True, kw_only=True, tag="audits.ComplianceReportExported"
):
    user_id: UUID
    format: ReportFormat
    as_of: date
    """The day the staff's standing was evaluated on."""
    activity: Activity
    body: Body | None = None
    department: str | None = None
    site: str | None = None
    status: Status | None = None
    credential: str | None = None
    search: str | None = None
    due_within_days: int | None = None
    people: int
    """How many people the report lists."""


REPORT_EVENTS: list[type[Event]] = [ComplianceReportExported]
