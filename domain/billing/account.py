"""The billing account of an organisation: its trial, its Stripe customer and subscription as
last observed, the seats pushed, and whether a payment is overdue.

Stripe is the authority on the subscription: the application never decides a status, it
observes the current object (fetched again, not taken from a webhook's payload) and records
what changed. Only the minimal facts are kept: ids, status, plan interval, quantity, dates,
amounts. No card data, no payload dumps.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import msgspec

from domain.billing.plans import Interval
from domain.shared.errors import DomainError
from domain.shared.event import Event

SubscriptionStatus = Literal[
    "trialing",
    "active",
    "past_due",
    "unpaid",
    "incomplete",
    "incomplete_expired",
    "canceled",
    "paused",
]
GOOD_STANDING: frozenset[str] = frozenset({"trialing", "active"})
"""Statuses of a subscription that is paid for (or in Stripe's own trial)."""
ENDED: frozenset[str] = frozenset({"canceled", "incomplete_expired"})


class Subscription(msgspec.Struct, frozen=True, kw_only=True):
    """A subscription as Stripe reports it (the facts we keep)."""

    subscription_id: str
    status: SubscriptionStatus
    interval: Interval | None
    quantity: int
    current_period_end: datetime | None = None
    trial_end: datetime | None = None
    cancel_at_period_end: bool = False


class Invoice(msgspec.Struct, frozen=True, kw_only=True):
    """An invoice as Stripe reports it (amounts in minor units of ``currency``)."""

    invoice_id: str
    status: str
    amount_due: int
    amount_paid: int
    currency: str
    created: datetime


class BillingAccount(msgspec.Struct, frozen=True, kw_only=True):
    trial_ends_at: datetime | None = None
    customer_id: str | None = None
    subscription: Subscription | None = None
    overdue_since: datetime | None = None
    seats: int | None = None
    """The quantity last pushed to (or found at) Stripe."""


# --- events ------------------------------------------------------------------------------------


class TrialStarted(Event, frozen=True, kw_only=True, tag="billing.TrialStarted"):
    trial_ends_at: datetime


class CustomerLinked(Event, frozen=True, kw_only=True, tag="billing.CustomerLinked"):
    customer_id: str


class SubscriptionObserved(Event, frozen=True, kw_only=True, tag="billing.SubscriptionObserved"):
    """The subscription changed at Stripe (as fetched when a webhook or a reconciliation
    asked)."""

    subscription: Subscription


class PaymentOverdue(Event, frozen=True, kw_only=True, tag="billing.PaymentOverdue"):
    """The subscription left good standing (``status``): the grace period starts ``since``."""

    since: datetime
    status: SubscriptionStatus


class PaymentRestored(Event, frozen=True, kw_only=True, tag="billing.PaymentRestored"):
    status: SubscriptionStatus


class InvoiceObserved(Event, frozen=True, kw_only=True, tag="billing.InvoiceObserved"):
    invoice: Invoice


class SeatsPushed(Event, frozen=True, kw_only=True, tag="billing.SeatsPushed"):
    """The subscription's quantity set to ``quantity`` (prorated) after the seats changed."""

    quantity: int
    previous: int


class SeatDriftRepaired(Event, frozen=True, kw_only=True, tag="billing.SeatDriftRepaired"):
    """The daily reconciliation found Stripe's quantity (``found``) other than the seats and
    set it to ``quantity``."""

    found: int
    quantity: int


class StripeEventReceived(Event, frozen=True, kw_only=True, tag="billing.StripeEventReceived"):
    """A signed Stripe webhook about this organisation, accepted once (its id is in the inbox):
    the worker applies it by fetching the object again."""

    stripe_event_id: str
    event_type: str
    object_type: str
    object_id: str


BILLING_EVENTS: list[type[Event]] = [
    TrialStarted,
    CustomerLinked,
    SubscriptionObserved,
    PaymentOverdue,
    PaymentRestored,
    InvoiceObserved,
    SeatsPushed,
    SeatDriftRepaired,
    StripeEventReceived,
]


class BillingRefused(DomainError): ...


def evolve(state: BillingAccount | None, event: Event) -> BillingAccount:
    account = state or BillingAccount()
    match event:
        case TrialStarted(trial_ends_at=ends):
            return msgspec.structs.replace(account, trial_ends_at=ends)
        case CustomerLinked(customer_id=customer):
            return msgspec.structs.replace(account, customer_id=customer)
        case SubscriptionObserved(subscription=subscription):
            return msgspec.structs.replace(account, subscription=subscription)
        case PaymentOverdue(since=since):
            return msgspec.structs.replace(account, overdue_since=since)
        case PaymentRestored():
            return msgspec.structs.replace(account, overdue_since=None)
        case SeatsPushed(quantity=quantity) | SeatDriftRepaired(quantity=quantity):
            return msgspec.structs.replace(account, seats=quantity)
    return account


# --- decisions ---------------------------------------------------------------------------------


class StartTrial(msgspec.Struct, frozen=True, kw_only=True):
    opened_at: datetime
    days: int


class LinkCustomer(msgspec.Struct, frozen=True, kw_only=True):
    customer_id: str


class Observe(msgspec.Struct, frozen=True, kw_only=True):
    subscription: Subscription


def decide_start_trial(
    state: BillingAccount | None, command: StartTrial, **_: object
) -> list[Event]:
    """A trial of ``days`` from the organisation's opening; once (a second start is no
    change)."""
    if state is not None and state.trial_ends_at is not None:
        return []
    return [TrialStarted(trial_ends_at=command.opened_at + timedelta(days=command.days))]


def decide_link_customer(
    state: BillingAccount | None, command: LinkCustomer, **_: object
) -> list[Event]:
    current = state.customer_id if state is not None else None
    if current == command.customer_id:
        return []
    if current is not None:
        raise BillingRefused("the organisation already has a Stripe customer")
    return [CustomerLinked(customer_id=command.customer_id)]


def decide_observe(
    state: BillingAccount | None, command: Observe, *, now: datetime, **_: object
) -> list[Event]:
    """Record what changed in the subscription, and the dunning transitions it causes: leaving
    good standing starts the grace period (once), returning to it ends it.

    A subscription other than the current one is only taken when it is live (a new checkout);
    news of an ended older one changes nothing.
    """
    account = state or BillingAccount()
    observed = command.subscription
    current = account.subscription
    if (
        current is not None
        and current.subscription_id != observed.subscription_id
        and observed.status in ENDED
        and current.status not in ENDED
    ):
        return []
    events: list[Event] = []
    if observed != current:
        events.append(SubscriptionObserved(subscription=observed))
    good = observed.status in GOOD_STANDING
    if not good and account.overdue_since is None:
        events.append(PaymentOverdue(since=now, status=observed.status))
    elif good and account.overdue_since is not None:
        events.append(PaymentRestored(status=observed.status))
    return events
