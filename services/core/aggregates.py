"""The aggregates the handlers decide on: each one's stream and how its events fold."""

from __future__ import annotations

from uuid import UUID

from domain.billing import account
from domain.credits import certificate, credit, providers, waiver
from domain.notifications import preferences
from domain.organisations import organisation
from domain.people import person
from services.core.eventsourcing.commands import Aggregate
from services.core.stream_ids import (
    billing_stream,
    certificate_stream,
    credit_stream,
    mail_preferences_stream,
    person_stream,
    provider_directory_stream,
    waiver_stream,
)

ORGANISATION_STREAM = "organisation"
"""A tenant's one organisation stream (each tenant's events are apart, so it needs no id)."""


def _organisation_stream(tenant_id: UUID) -> str:
    return ORGANISATION_STREAM


PERSON = Aggregate(person_stream, person.evolve)
CREDIT = Aggregate(credit_stream, credit.evolve)
WAIVER = Aggregate(waiver_stream, waiver.evolve)
CERTIFICATE = Aggregate(certificate_stream, certificate.evolve)
ORGANISATION = Aggregate(_organisation_stream, organisation.evolve)
"""By tenant id."""
PROVIDER_DIRECTORY = Aggregate(provider_directory_stream, providers.evolve)
"""By tenant id."""
BILLING = Aggregate(billing_stream, account.evolve)
"""By tenant id."""
MAIL_PREFERENCES = Aggregate(mail_preferences_stream, preferences.evolve)
"""By user id."""
