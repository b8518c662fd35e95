"""What the worker's billing actors do, one organisation per unit of work.

Every job first locks the organisation's billing account row, so the billing jobs of one
organisation run one at a time (whatever the number of worker threads), and each decides on
what it finds under the lock. Stripe is asked for the current object every time: a webhook says
only that something changed, never what the state is now, so deliveries out of order or twice
end in the same state.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
import structlog

from domain.billing.account import (
    ENDED,
    Invoice,
    InvoiceObserved,
    Observe,
    SeatDriftRepaired,
    SeatsPushed,
    StartTrial,
    StripeEventReceived,
    decide_observe,
    decide_start_trial,
)
from domain.billing.plans import billable_quantity
from domain.notifications.mail import NotificationQueued
from services.core.application import UnitOfWork
from services.core.billing import handlers, queries
from services.core.billing.stripe_gateway import CurrentSubscription, gateway_for
from services.core.eventsourcing.store import RecordedEvent
from services.core.mail_templates import day_text, portal_link
from services.core.notifications.compose import compose
from services.core.notifications.outbox import mail_id_for, queue_mail, recipients
from services.core.organisation.queries import organisation_name

log = structlog.get_logger("cmeledger.billing")

OBJECT_TYPES = {
    "checkout.session.completed": "checkout.session",
    "customer.subscription.created": "subscription",
    "customer.subscription.updated": "subscription",
    "customer.subscription.deleted": "subscription",
    "customer.subscription.paused": "subscription",
    "customer.subscription.resumed": "subscription",
    "customer.subscription.trial_will_end": "subscription",
    "invoice.paid": "invoice",
    "invoice.payment_failed": "invoice",
    "invoice.payment_succeeded": "invoice",
    "invoice.finalized": "invoice",
    "invoice.voided": "invoice",
    "invoice.marked_uncollectible": "invoice",
}
"""The Stripe events the application applies, by the kind of object each is about."""


class SeatSyncTooSoon(Exception):
    """The seats were pushed moments ago: wait, and push the count as it is then (debounce)."""


class Reconciled(msgspec.Struct, frozen=True, kw_only=True):
    seats: int
    found: int | None
    """Stripe's quantity before the repair (None: no live subscription)."""
    repaired: bool


async def start_trial(uow: UnitOfWork, opened_at: datetime) -> None:
    """Start the organisation's free trial (no card) from the moment it opened; once."""
    await queries.account(uow.tx, lock=True)
    trial = StartTrial(opened_at=opened_at, days=uow.settings.billing_trial_days)
    await handlers.decide(uow, decide_start_trial, trial)


async def _observe(uow: UnitOfWork, current: CurrentSubscription) -> None:
    await handlers.decide(uow, decide_observe, Observe(subscription=current.subscription))


async def sync_seats(uow: UnitOfWork, key: str) -> int | None:
    """Push the seat count to the subscription's quantity if it differs (prorated); the
    quantity pushed, or None. Many changes in a row (an import) make one push: the first job
    after them finds the final count and the rest find nothing to do; a change within
    ``billing_seat_debounce_s`` of the last push waits (``SeatSyncTooSoon``)."""
    row = await queries.account(uow.tx, lock=True)
    subscription = row.account.subscription if row else None
    if row is None or subscription is None or subscription.status in ENDED:
        return None
    seats = billable_quantity(await queries.active_seats(uow.tx))
    if subscription.quantity == seats:
        return None
    debounce = timedelta(seconds=uow.settings.billing_seat_debounce_s)
    if row.seats_pushed_at is not None and uow.now() - row.seats_pushed_at < debounce:
        raise SeatSyncTooSoon(f"seats pushed at {row.seats_pushed_at.isoformat()}")
    gateway = gateway_for(uow.settings)
    current = await gateway.subscription(subscription.subscription_id)
    previous = current.subscription.quantity
    if previous != seats:
        pushed = SeatsPushed(quantity=seats, previous=previous)
        current = await _push(uow, current, pushed, key=f"seats:{key}:{seats}")
        log.info("seats pushed", quantity=seats, previous=previous)
    await _observe(uow, current)
    return seats


async def _push(
    uow: UnitOfWork,
    current: CurrentSubscription,
    fact: SeatsPushed | SeatDriftRepaired,
    *,
    key: str,
) -> CurrentSubscription:
    """Set the subscription's quantity to ``fact.quantity`` (prorated) and record ``fact``."""
    updated = await gateway_for(uow.settings).set_quantity(current, fact.quantity, key=key)
    await handlers.record(uow, fact)
    return updated


async def apply_stripe_event(uow: UnitOfWork, received: StripeEventReceived) -> None:
    """Apply a Stripe event by fetching its object as it is now, and record what changed."""
    log.info("applying stripe event", stripe_event_id=received.stripe_event_id)
    row = await queries.account(uow.tx, lock=True)
    customer = row.account.customer_id if row else None
    gateway = gateway_for(uow.settings)
    subscription_id: str | None = None
    match received.object_type:
        case "checkout.session":
            session_customer, subscription_id = await gateway.checkout_session(received.object_id)
            if session_customer != customer:
                subscription_id = None
        case "subscription":
            subscription_id = received.object_id
        case "invoice":
            found = await gateway.invoice(received.object_id)
            if found.customer_id == customer:
                await _record_invoice(uow, found.invoice)
                subscription_id = found.subscription_id
    if subscription_id is None:
        log.info("stripe event changes nothing here", stripe_event_id=received.stripe_event_id)
        return
    current = await gateway.subscription(subscription_id)
    if current.customer_id != customer:
        log.warning("stripe subscription of another customer", subscription_id=subscription_id)
        return
    await _observe(uow, current)
    log.info("stripe event applied", stripe_event_id=received.stripe_event_id)


async def _record_invoice(uow: UnitOfWork, invoice: Invoice) -> None:
    """Record the invoice's state unless it is recorded as it is."""
    known = await uow.tx.pg.fetchval(
        "SELECT status FROM billing_invoices WHERE tenant_id = $1 AND invoice_id = $2",
        uow.tx.require_tenant(),
        invoice.invoice_id,
    )
    if known == invoice.status:
        return
    await handlers.record(uow, InvoiceObserved(invoice=invoice))


async def reconcile(uow: UnitOfWork, key: str) -> Reconciled:
    """Compare the seats with Stripe's subscription and repair a drift (recorded as
    ``SeatDriftRepaired``); observe the subscription as Stripe has it now."""
    row = await queries.account(uow.tx, lock=True)
    seats = billable_quantity(await queries.active_seats(uow.tx))
    customer = row.account.customer_id if row else None
    if row is None or customer is None:
        return Reconciled(seats=seats, found=None, repaired=False)
    gateway = gateway_for(uow.settings)
    known = row.account.subscription
    live = await gateway.subscriptions_of(customer)
    current = next(
        (s for s in live if known and s.subscription.subscription_id == known.subscription_id),
        live[0] if live else None,
    )
    if current is None and known is not None:
        current = await gateway.subscription(known.subscription_id)
    if current is None:
        return Reconciled(seats=seats, found=None, repaired=False)
    found = current.subscription.quantity
    repaired = current.subscription.status not in ENDED and found != seats
    if repaired:
        repair = SeatDriftRepaired(found=found, quantity=seats)
        current = await _push(uow, current, repair, key=f"reconcile:{key}:{seats}")
        log.warning("seat drift repaired", found=found, quantity=seats)
    await _observe(uow, current)
    return Reconciled(seats=seats, found=found, repaired=repaired)


async def queue_overdue_mail(uow: UnitOfWork, event: RecordedEvent) -> int:
    """Tell the owners and admins that a payment failed and when employer features become
    read-only; the number of mails queued now (one per event and member, ever)."""
    grace_end = event.recorded_at + timedelta(days=uow.settings.billing_grace_days)
    organisation = await organisation_name(uow.tx)
    queued = 0
    for member in await recipients(uow.tx, roles=("owner", "admin")):
        message = compose(
            "payment_overdue",
            settings=uow.settings,
            to=member.email,
            subject=f"Payment for {organisation} on CME Ledger failed",
            organisation=organisation,
            reason="This message is about your organisation's subscription, so it is sent"
            " whatever your mail preferences.",
            context={
                "grace_end": day_text(grace_end.date()),
                "billing_url": portal_link(uow.settings.public_url, "billing"),
            },
        )
        mail_id = mail_id_for("payment_overdue", event.event_id, member.user_id)
        queued += await queue_mail(
            uow.tx,
            uow.store,
            queued=NotificationQueued(
                mail_id=mail_id,
                user_id=member.user_id,
                kind="payment_overdue",
                cause_event_id=event.event_id,
            ),
            mail_id=mail_id,
            user_id=member.user_id,
            category="billing",
            message=message,
            metadata=uow.metadata,
        )
    return queued
