"""The pages of owners and admins (and what auditors may read of them), and the auditors' audit
pages, in one list for the portal's router."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from services.api.portal.audit import AuditPages
from services.api.portal.billing import BillingPages
from services.api.portal.members import AccessPages, MailPreferencesPage, SettingsPages
from services.api.portal.organisation import OverviewPage
from services.api.portal.reminders import ReminderPages
from services.api.portal.reports import ReportPages
from services.api.portal.reviews import ReviewPages
from services.api.portal.roster import RosterPages
from services.api.portal.staff import StaffPages

EMPLOYER_PAGES: list[ControllerRouterHandler] = [
    OverviewPage,
    StaffPages,
    ReminderPages,
    RosterPages,
    ReviewPages,
    ReportPages,
    AccessPages,
    SettingsPages,
    MailPreferencesPage,
    AuditPages,
    BillingPages,
]
