"""Every domain event type the application stores, and the store wired with its projections."""

from __future__ import annotations

from domain.audits.access import ACCESS_EVENTS
from domain.audits.downloads import DOWNLOAD_EVENTS
from domain.audits.exports import EXPORT_EVENTS
from domain.audits.operations import OPERATION_EVENTS
from domain.audits.reports import REPORT_EVENTS
from domain.billing.account import BILLING_EVENTS
from domain.credits.certificate import CERTIFICATE_EVENTS
from domain.credits.credit import CREDIT_EVENTS
from domain.credits.providers import PROVIDER_EVENTS
from domain.credits.verification import VERIFICATION_EVENTS
from domain.credits.waiver import WAIVER_EVENTS
from domain.notifications.mail import MAIL_EVENTS
from domain.notifications.preferences import PREFERENCE_EVENTS
from domain.organisations.organisation import ORGANISATION_EVENTS
from domain.people.person import PERSON_EVENTS
from domain.shared.event import Event, EventRegistry
from services.core.eventsourcing.store import Clock, PostgresEventStore, utc_now
from services.core.projections import Projection, ProjectionRunner
from services.core.projections.billing import BillingAccounts
from services.core.projections.certificates import CertificatesProjection
from services.core.projections.credits import CreditsProjection, WaiversProjection
from services.core.projections.notifications import MailPreferencesProjection, ReminderLog
from services.core.projections.obligations import ObligationsProjection
from services.core.projections.organisations import Organisations
from services.core.projections.people import PeopleProjection
from services.core.projections.providers import ProviderDirectoryProjection
from services.core.projections.standings import StandingHeads, standing_event_types
from services.core.projections.streams import StreamSummaries

EVENT_TYPES: list[type[Event]] = [
    *ORGANISATION_EVENTS,
    *ACCESS_EVENTS,
    *PERSON_EVENTS,
    *CREDIT_EVENTS,
    *WAIVER_EVENTS,
    *CERTIFICATE_EVENTS,
    *VERIFICATION_EVENTS,
    *PROVIDER_EVENTS,
    *DOWNLOAD_EVENTS,
    *EXPORT_EVENTS,
    *OPERATION_EVENTS,
    *REPORT_EVENTS,
    *PREFERENCE_EVENTS,
    *MAIL_EVENTS,
    *BILLING_EVENTS,
]


def build_projections(registry: EventRegistry) -> list[Projection]:
    """The inline projections, in the order they apply: obligations read the people, credits
    and waivers tables, so it comes after them; the standing head follows the events of the
    projections the standings are read from."""
    projections: list[Projection] = [
        StreamSummaries(),
        Organisations(),
        PeopleProjection(registry),
        CreditsProjection(registry),
        WaiversProjection(registry),
        CertificatesProjection(registry),
        ProviderDirectoryProjection(registry),
        ObligationsProjection(),
        MailPreferencesProjection(registry),
        ReminderLog(registry),
        BillingAccounts(),
    ]
    return [*projections, StandingHeads(projections)]


def build_event_store(clock: Clock = utc_now) -> PostgresEventStore:
    registry = EventRegistry(EVENT_TYPES)
    return PostgresEventStore(registry, ProjectionRunner(build_projections(registry)), clock)


STANDING_EVENT_TYPES = standing_event_types(build_projections(EventRegistry(EVENT_TYPES)))
"""The event types that can change a standing (``projections.standings``)."""
