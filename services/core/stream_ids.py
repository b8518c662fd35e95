"""Stream ids of the aggregates: ``<kind>-<aggregate uuid>``."""

from __future__ import annotations

from uuid import UUID


def person_stream(person_id: UUID) -> str:
    return f"person-{person_id}"


def credit_stream(credit_id: UUID) -> str:
    return f"credit-{credit_id}"


def waiver_stream(waiver_id: UUID) -> str:
    return f"waiver-{waiver_id}"


def certificate_stream(certificate_id: UUID) -> str:
    return f"certificate-{certificate_id}"


def access_stream(user_id: UUID) -> str:
    """A member's sign-ins, sign-outs and downloads (audit events)."""
    return f"access-{user_id}"


def provider_directory_stream(tenant_id: UUID) -> str:
    """The providers an organisation added to (or removed from) its provider directory."""
    return f"providers-{tenant_id}"


def mail_stream(user_id: UUID) -> str:
    """The mail queued for and sent to a member (notification events)."""
    return f"mail-{user_id}"


def mail_preferences_stream(user_id: UUID) -> str:
    return f"mailpreferences-{user_id}"


def aggregate_id(stream_id: str) -> UUID:
    """The aggregate's id in a stream id built by the functions above."""
    return UUID(stream_id.split("-", 1)[1])


def billing_stream(tenant_id: UUID) -> str:
    """The organisation's billing account: trial, customer, subscription, seats, dunning."""
    return f"billing-{tenant_id}"


def billing_inbox_stream(tenant_id: UUID) -> str:
    """The Stripe webhooks accepted for the organisation (one fact each)."""
    return f"billinginbox-{tenant_id}"
