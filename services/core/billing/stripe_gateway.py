"""The one place that talks to Stripe, through the ``stripe`` library.

Its base address comes from settings (the local Stripe in development and tests, api.stripe.com
in production). Every mutating call carries an idempotency key derived from the command that
makes it, so a retried job repeats the same request and Stripe answers it once. Stripe's answers
come back as the domain's minimal facts: no payloads travel further.

The library's calls are blocking; each runs in a thread so the event loop keeps serving.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar
from uuid import UUID

import msgspec
import stripe
from stripe._base_address import BaseAddresses
from stripe.params.checkout import SessionCreateParams

from domain.billing.account import Invoice, Subscription
from domain.billing.plans import Plan
from services.core.settings import Settings

T = TypeVar("T")


class StripeUnavailable(Exception):
    """Stripe did not answer (or answered with a server error): try again later."""


class StripeInvoice(msgspec.Struct, frozen=True, kw_only=True):
    customer_id: str
    subscription_id: str | None
    invoice: Invoice


class Estimate(msgspec.Struct, frozen=True, kw_only=True):
    amount_due: int
    currency: str
    due: datetime | None


class CurrentSubscription(msgspec.Struct, frozen=True, kw_only=True):
    customer_id: str
    subscription: Subscription
    item_id: str


def moment(timestamp: int | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC)


def _subscription(found: dict[str, Any]) -> CurrentSubscription:
    item = found["items"]["data"][0]
    price = item.get("price") or item.get("plan") or {}
    interval = (price.get("recurring") or {}).get("interval") or price.get("interval")
    return CurrentSubscription(
        customer_id=found["customer"],
        item_id=item["id"],
        subscription=Subscription(
            subscription_id=found["id"],
            status=found["status"],
            interval=interval if interval in ("month", "year") else None,
            quantity=int(item.get("quantity") or 1),
            current_period_end=moment(
                item.get("current_period_end") or found.get("current_period_end")
            ),
            trial_end=moment(found.get("trial_end")),
            cancel_at_period_end=bool(found.get("cancel_at_period_end")),
        ),
    )


def _invoice(found: dict[str, Any]) -> StripeInvoice:
    subscription = found.get("subscription") or (
        ((found.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    )
    return StripeInvoice(
        customer_id=found["customer"],
        subscription_id=subscription if isinstance(subscription, str) else None,
        invoice=Invoice(
            invoice_id=found["id"],
            status=found.get("status") or "draft",
            amount_due=int(found.get("amount_due") or 0),
            amount_paid=int(found.get("amount_paid") or 0),
            currency=found.get("currency") or "usd",
            created=moment(found.get("created")) or datetime.now(UTC),
        ),
    )


class StripeGateway:
    def __init__(self, settings: Settings) -> None:
        base: BaseAddresses | None = (
            {"api": settings.stripe_api_base} if settings.stripe_api_base else None
        )
        self._client = stripe.StripeClient(
            settings.stripe_api_key, base_addresses=base, max_network_retries=2
        )
        self.plans = (
            Plan(
                interval="month",
                price_id=settings.stripe_price_monthly,
                amount=settings.billing_monthly_amount,
                currency=settings.billing_currency,
            ),
            Plan(
                interval="year",
                price_id=settings.stripe_price_annual,
                amount=settings.billing_annual_amount,
                currency=settings.billing_currency,
            ),
        )

    async def _call(self, call: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(call)
        except stripe.APIConnectionError as exc:
            raise StripeUnavailable("Stripe did not answer") from exc
        except stripe.StripeError as exc:
            if (exc.http_status or 500) >= 500:
                raise StripeUnavailable(f"Stripe answered {exc.http_status}") from exc
            raise

    async def create_customer(self, tenant_id: UUID, name: str, *, key: str) -> str:
        """A Stripe customer for the organisation (its id); the tenant id in its metadata."""
        created = await self._call(
            lambda: self._client.v1.customers.create(
                {"name": name, "metadata": {"tenant_id": str(tenant_id)}},
                {"idempotency_key": key},
            )
        )
        return created.id

    async def subscription(self, subscription_id: str) -> CurrentSubscription:
        found = await self._call(lambda: self._client.v1.subscriptions.retrieve(subscription_id))
        return _subscription(found.to_dict())

    async def subscriptions_of(self, customer_id: str) -> list[CurrentSubscription]:
        """The customer's subscriptions that have not ended, newest first."""
        found = await self._call(
            lambda: self._client.v1.subscriptions.list({"customer": customer_id, "limit": 10})
        )
        subscriptions = [_subscription(s.to_dict()) for s in found.data]
        return sorted(subscriptions, key=lambda s: s.subscription.subscription_id, reverse=True)

    async def set_quantity(
        self, current: CurrentSubscription, quantity: int, *, key: str
    ) -> CurrentSubscription:
        """Set the seats of ``current`` to ``quantity``, prorated on the next invoice."""
        updated = await self._call(
            lambda: self._client.v1.subscriptions.update(
                current.subscription.subscription_id,
                {
                    "items": [{"id": current.item_id, "quantity": quantity}],
                    "proration_behavior": "create_prorations",
                },
                {"idempotency_key": key},
            )
        )
        return _subscription(updated.to_dict())

    async def invoice(self, invoice_id: str) -> StripeInvoice:
        found = await self._call(lambda: self._client.v1.invoices.retrieve(invoice_id))
        return _invoice(found.to_dict())

    async def invoices(self, customer_id: str, *, limit: int = 12) -> list[StripeInvoice]:
        found = await self._call(
            lambda: self._client.v1.invoices.list({"customer": customer_id, "limit": limit})
        )
        return [_invoice(i.to_dict()) for i in found.data]

    async def estimate(self, customer_id: str, subscription_id: str) -> Estimate:
        """The next invoice of the subscription, as Stripe previews it (prorations included)."""
        found = (
            await self._call(
                lambda: self._client.v1.invoices.create_preview(
                    {"customer": customer_id, "subscription": subscription_id}
                )
            )
        ).to_dict()
        return Estimate(
            amount_due=int(found.get("amount_due") or found.get("total") or 0),
            currency=found.get("currency") or "usd",
            due=moment(found.get("next_payment_attempt") or found.get("period_end")),
        )

    async def checkout_session(self, session_id: str) -> tuple[str, str | None]:
        """A Checkout Session's customer and subscription (None until completed)."""
        found = (
            await self._call(lambda: self._client.v1.checkout.sessions.retrieve(session_id))
        ).to_dict()
        subscription = found.get("subscription")
        return found["customer"], subscription if isinstance(subscription, str) else None

    async def start_checkout(
        self,
        *,
        customer_id: str,
        plan: Plan,
        quantity: int,
        trial_end: datetime | None,
        tenant_id: UUID,
        success_url: str,
        cancel_url: str,
        key: str,
    ) -> str:
        """A Checkout Session in subscription mode; the address to send the owner to."""
        params: SessionCreateParams = {
            "mode": "subscription",
            "customer": customer_id,
            "client_reference_id": str(tenant_id),
            "line_items": [{"price": plan.price_id, "quantity": quantity}],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": {"tenant_id": str(tenant_id)},
        }
        if trial_end is not None:
            params["subscription_data"] = {"trial_end": int(trial_end.timestamp())}
        session = await self._call(
            lambda: self._client.v1.checkout.sessions.create(
                params,
                {"idempotency_key": key},
            )
        )
        return str(session.url)

    async def open_portal(self, *, customer_id: str, return_url: str) -> str:
        """A short-lived Customer Portal session; the address to send the owner to."""
        session = await self._call(
            lambda: self._client.v1.billing_portal.sessions.create(
                {"customer": customer_id, "return_url": return_url}
            )
        )
        return session.url


@cache
def gateway_for(settings: Settings) -> StripeGateway:
    """The process's gateway for ``settings`` (one HTTP client, reused)."""
    return StripeGateway(settings)
