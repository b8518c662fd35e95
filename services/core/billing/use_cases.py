"""The billing use cases: the billing page's state, starting Stripe Checkout, opening the
Customer Portal.

Only owners manage billing (checkout, portal); admins see the state; auditors and employees see
nothing of it. The Stripe customer is created on the first checkout (the trial needs no card)
with an idempotency key derived from the organisation, and linked in the billing stream.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
import structlog

from domain.billing.account import (
    ENDED,
    BillingRefused,
    Invoice,
    LinkCustomer,
    SubscriptionStatus,
    decide_link_customer,
)
from domain.billing.dunning import BANNER_PHASES, Phase, grace_ends, phase
from domain.billing.plans import Interval, Plan, billable_quantity, plan_for
from services.core.application import UnitOfWork
from services.core.billing import handlers, queries
from services.core.billing.standing import grace
from services.core.billing.stripe_gateway import Estimate, StripeUnavailable, gateway_for
from services.core.organisation.queries import organisation_name
from services.core.policy import require_role

MANAGERS = ("owner",)
VIEWERS = ("owner", "admin")
CHECKOUT_MIN_TRIAL = timedelta(days=2)
"""Stripe Checkout takes a trial end at least 48 hours ahead; a shorter rest is not carried."""

log = structlog.get_logger("cmeledger.billing")


class StartCheckout(msgspec.Struct, frozen=True, kw_only=True):
    interval: Interval = "month"
    return_url: str
    """Where Stripe sends the owner back to (the billing page)."""


class OpenPortal(msgspec.Struct, frozen=True, kw_only=True):
    return_url: str


class BillingOverview(msgspec.Struct, frozen=True, kw_only=True):
    phase: Phase
    banner: bool
    can_manage: bool
    seats: int
    plan: Plan | None
    status: SubscriptionStatus | None
    trial_ends_at: datetime | None
    renews_at: datetime | None
    cancel_at_period_end: bool
    grace_ends_at: datetime | None
    estimate: Estimate | None
    invoices: list[Invoice]
    plans: tuple[Plan, ...]


async def overview(uow: UnitOfWork, _: None) -> BillingOverview:
    """The billing page: plan, seats, trial or renewal date, the next invoice's estimate, past
    invoices (from Stripe, or as last recorded when Stripe does not answer), payment state."""
    require_role(uow.actor, *VIEWERS)
    row = await queries.account(uow.tx)
    account = row.account if row else None
    current = phase(account, uow.now(), grace(uow))
    gateway = gateway_for(uow.settings)
    subscription = account.subscription if account else None
    live = subscription is not None and subscription.status not in ENDED
    seats = await queries.active_seats(uow.tx)
    estimate, invoices = None, await queries.invoices(uow.tx)
    if account is not None and account.customer_id is not None:
        try:
            if live and subscription is not None:
                estimate = await gateway.estimate(account.customer_id, subscription.subscription_id)
            invoices = [i.invoice for i in await gateway.invoices(account.customer_id)]
        except StripeUnavailable:
            log.warning("stripe unavailable; billing page shows recorded invoices")
    return BillingOverview(
        phase=current,
        banner=current in BANNER_PHASES,
        can_manage=uow.actor.role == "owner",
        seats=seats,
        plan=plan_for(gateway.plans, interval=subscription.interval) if subscription else None,
        status=subscription.status if subscription else None,
        trial_ends_at=account.trial_ends_at if account else None,
        renews_at=subscription.current_period_end if live and subscription else None,
        cancel_at_period_end=bool(subscription and subscription.cancel_at_period_end),
        grace_ends_at=grace_ends(account, grace(uow)) if account else None,
        estimate=estimate,
        invoices=invoices,
        plans=gateway.plans,
    )


async def start_checkout(uow: UnitOfWork, command: StartCheckout) -> str:
    """A Stripe Checkout Session (subscription mode) for the seats on ``command.interval``'s
    plan; the address to send the owner to. A trial still running carries over."""
    require_role(uow.actor, *MANAGERS)
    row = await queries.account(uow.tx, lock=True)
    gateway = gateway_for(uow.settings)
    plan = plan_for(gateway.plans, interval=command.interval)
    if plan is None:
        raise BillingRefused(f"no plan is billed per {command.interval}")
    tenant = uow.tx.require_tenant()
    customer = row.account.customer_id if row else None
    if customer is None:
        customer = await gateway.create_customer(
            tenant, await organisation_name(uow.tx), key=f"customer:{tenant}"
        )
        await handlers.decide(uow, decide_link_customer, LinkCustomer(customer_id=customer))
    trial_ends = row.account.trial_ends_at if row else None
    carry = trial_ends if trial_ends and trial_ends - uow.now() > CHECKOUT_MIN_TRIAL else None
    return await gateway.start_checkout(
        customer_id=customer,
        plan=plan,
        quantity=billable_quantity(await queries.active_seats(uow.tx)),
        trial_end=carry,
        tenant_id=tenant,
        success_url=f"{command.return_url}?checkout=done",
        cancel_url=f"{command.return_url}?checkout=cancelled",
        key=f"checkout:{uow.next_command_id()}",
    )


async def open_portal(uow: UnitOfWork, command: OpenPortal) -> str:
    """A Stripe Customer Portal session (cards, invoices, cancellation); its address."""
    require_role(uow.actor, *MANAGERS)
    row = await queries.account(uow.tx)
    if row is None or row.account.customer_id is None:
        raise BillingRefused("subscribe first: the portal manages an existing subscription")
    return await gateway_for(uow.settings).open_portal(
        customer_id=row.account.customer_id, return_url=command.return_url
    )
