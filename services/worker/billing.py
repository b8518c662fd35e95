"""The billing actors: the trial of a new organisation, the seat sync, the Stripe webhooks,
the dunning mail, and the daily reconciliation (``services.core.billing.jobs`` does the work).

- ``start_trial`` (``OrganisationOpened``): the 30-day trial, no card.
- ``sync_seats`` (a staff record registered, deactivated or reactivated): the subscription's
  quantity follows the active staff records, debounced (a job within the debounce window of
  the last push is sent again a few seconds later, as ``Busy``).
- ``apply_stripe_event`` (``StripeEventReceived``, appended by the webhook endpoint): fetch the
  object again from Stripe and record what changed; once per delivery (``actor_effects``).
- ``notify_payment_overdue`` (``PaymentOverdue``): mail to owners and admins via the outbox.
- ``reconcile_billing`` (daily, by the scheduler; ``cmeledger billing reconcile`` by hand).
"""

from __future__ import annotations

from datetime import date

import structlog

from domain.billing.account import PaymentOverdue, StripeEventReceived
from domain.organisations.organisation import OrganisationOpened
from domain.people.person import PersonDeactivated, PersonReactivated, PersonRegistered
from services.core.application import UnitOfWork
from services.core.billing import jobs
from services.worker.broker import Busy, PermanentFailure
from services.worker.runtime import Job, Subscriber, claim_effect, event_of

log = structlog.get_logger("cmeledger.billing")


async def start_trial(uow: UnitOfWork, job: Job) -> None:
    """Start the trial of the organisation that just opened."""
    opened = await event_of(uow, job)
    await jobs.start_trial(uow, opened.recorded_at)


async def sync_seats(uow: UnitOfWork, job: Job) -> None:
    """Bring the subscription's quantity to the seat count (see ``jobs.sync_seats``)."""
    try:
        await jobs.sync_seats(uow, job.message_id)
    except jobs.SeatSyncTooSoon as exc:
        raise Busy(str(exc)) from None


async def apply_stripe_event(uow: UnitOfWork, job: Job) -> None:
    """Apply one accepted Stripe webhook, once."""
    received = uow.store.decode(await event_of(uow, job))
    if not isinstance(received, StripeEventReceived):
        raise PermanentFailure(f"not a Stripe event: {type(received).__name__}")
    if await claim_effect(uow.tx, job):
        await jobs.apply_stripe_event(uow, received)


async def notify_payment_overdue(uow: UnitOfWork, job: Job) -> None:
    """Mail the owners and admins about a failed payment."""
    queued = await jobs.queue_overdue_mail(uow, await event_of(uow, job))
    log.info("payment overdue mail queued", mails=queued)


async def reconcile_billing(uow: UnitOfWork, run_on: date) -> int:
    """The daily comparison of seats and subscription (no mail: 0 queued)."""
    found = await jobs.reconcile(uow, f"{uow.actor.tenant_id}:{run_on.isoformat()}")
    log.info("billing reconciled", seats=found.seats, found=found.found, repaired=found.repaired)
    return 0


BILLING_SUBSCRIBERS: tuple[Subscriber, ...] = (
    Subscriber(start_trial, (OrganisationOpened,)),
    Subscriber(sync_seats, (PersonRegistered, PersonDeactivated, PersonReactivated)),
    Subscriber(apply_stripe_event, (StripeEventReceived,)),
    Subscriber(notify_payment_overdue, (PaymentOverdue,)),
)
