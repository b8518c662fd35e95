"""The contract of the parts of Stripe the local Stripe fakes (Checkout Sessions, Customer
Portal sessions, ``proration_behavior``, a trial subscription's status), run as the application
runs them: the same requests through the ``stripe`` library (``StripeGateway``), checked against
what Stripe's API reference documents for each answer (object names, id prefixes, statuses,
the fields the application reads). Pointed at real Stripe in test mode (``CMELEDGER_STRIPE_*``
with a test key), the same requests must pass too; there the Checkout page is Stripe's own, so
only the creation half runs (``CMELEDGER_STRIPE_CONTRACT_LIVE=1``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import httpx
import pytest

from services.core.billing.stripe_gateway import StripeGateway, gateway_for
from services.core.settings import Settings
from tests.billing_support import local_stripe, stripe_client

pytestmark = pytest.mark.integration
LIVE = os.environ.get("CMELEDGER_STRIPE_CONTRACT_LIVE") == "1"


@pytest.fixture(scope="module")
def stripe_settings(settings: Settings) -> Iterator[Settings]:
    if LIVE:
        yield settings
        return
    with local_stripe(settings) as local:
        yield local


@pytest.fixture
def gateway(stripe_settings: Settings) -> StripeGateway:
    return gateway_for(stripe_settings)


async def new_customer(gateway: StripeGateway) -> str:
    customer = await gateway.create_customer(uuid4(), "Contract Imaging", key=str(uuid4()))
    assert customer.startswith("cus_")
    return customer


async def test_a_checkout_session_in_subscription_mode(
    gateway: StripeGateway, stripe_settings: Settings
) -> None:
    customer = await new_customer(gateway)
    url = await gateway.start_checkout(
        customer_id=customer,
        plan=gateway.plans[0],
        quantity=3,
        trial_end=datetime.now(UTC) + timedelta(days=10),
        tenant_id=uuid4(),
        success_url="https://example.org/billing?checkout=done",
        cancel_url="https://example.org/billing?checkout=cancelled",
        key=str(uuid4()),
    )
    assert url.startswith(("https://", "http://"))
    session_id = url.rstrip("/").rsplit("/", 1)[-1].split("#")[0]
    found = stripe_client(stripe_settings).v1.checkout.sessions.retrieve(session_id).to_dict()
    assert found["object"] == "checkout.session"
    assert found["id"].startswith("cs_")
    assert (found["mode"], found["status"], found["customer"]) == ("subscription", "open", customer)
    assert found["subscription"] is None
    assert await gateway.checkout_session(session_id) == (customer, None)
    if LIVE:
        return
    async with httpx.AsyncClient() as browser:
        paid = await browser.post(f"{url}/pay", data={"card": "4242424242424242"})
    assert paid.status_code == 303
    assert paid.headers["location"] == "https://example.org/billing?checkout=done"
    completed_customer, subscription = await gateway.checkout_session(session_id)
    assert completed_customer == customer
    assert subscription is not None
    assert subscription.startswith("sub_")
    current = await gateway.subscription(subscription)
    assert current.subscription.status == "trialing"  # a trial end was given
    assert current.subscription.quantity == 3
    assert current.subscription.interval == "month"
    assert current.item_id.startswith("si_")


async def test_a_portal_session(gateway: StripeGateway) -> None:
    customer = await new_customer(gateway)
    url = await gateway.open_portal(customer_id=customer, return_url="https://example.org/b")
    assert url.startswith(("https://", "http://"))
    if not LIVE:
        async with httpx.AsyncClient() as browser:
            assert (await browser.get(url)).status_code == 200


async def test_a_quantity_change_with_proration_behavior(
    gateway: StripeGateway, stripe_settings: Settings
) -> None:
    if LIVE:
        pytest.skip("needs a subscription with a card: run against the local Stripe")
    customer = await new_customer(gateway)
    client = stripe_client(stripe_settings)
    method = client.v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"},
        }  # type: ignore[typeddict-item]
    )
    client.v1.payment_methods.attach(method.id, {"customer": customer})
    client.v1.customers.update(
        customer, {"invoice_settings": {"default_payment_method": method.id}}
    )
    created = client.v1.subscriptions.create(
        {"customer": customer, "items": [{"plan": gateway.plans[0].price_id, "quantity": 2}]}  # type: ignore[typeddict-unknown-key]
    )
    current = await gateway.subscription(created.id)
    assert current.subscription.status == "active"
    key = str(uuid4())
    updated = await gateway.set_quantity(current, 5, key=key)
    assert updated.subscription.quantity == 5
    assert (await gateway.set_quantity(current, 5, key=key)).subscription.quantity == 5
    [found] = await gateway.invoices(customer)
    invoice = found.invoice
    assert (invoice.status, invoice.amount_paid) == ("paid", 2 * gateway.plans[0].amount)
    estimate = await gateway.estimate(customer, created.id)
    assert estimate.amount_due == 5 * gateway.plans[0].amount - invoice.amount_paid
