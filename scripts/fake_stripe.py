"""The local Stripe: localstripe (a stateful fake of the Stripe API) plus what it lacks.

localstripe serves customers, payment methods, plans, subscriptions (quantity changes with
proration items), invoices and its own webhooks. This adds, on the same port:

- the two prices of the settings (``CMELEDGER_STRIPE_PRICE_*``), created as localstripe plans
  with the same ids (localstripe has no ``/v1/prices``; Stripe accepts a price id where a plan id
  is asked);
- ``proration_behavior`` on subscription updates (localstripe knows only the older ``prorate``);
- a subscription created with a trial end is ``trialing`` (localstripe leaves it
  ``incomplete``);
- Checkout Sessions in subscription mode (``/v1/checkout/sessions``) with a page at
  ``/checkout/<id>`` where a card is "entered" by pressing a button: it attaches a test card,
  creates the subscription and sends ``checkout.session.completed``;
- Customer Portal sessions (``/v1/billing_portal/sessions``) with a page at ``/portal/<id>``;
- test-clock stand-ins: ``POST /_fake/subscriptions/<id>/fail_payment`` and ``/pay`` move a
  subscription to ``past_due`` (``invoice.payment_failed``) and back (``invoice.paid``).

Webhooks go, signed with ``CMELEDGER_STRIPE_WEBHOOK_SECRET``, to
``CMELEDGER_PUBLIC_URL/webhooks/stripe``. Run: ``python scripts/fake_stripe.py --port 8420``.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import logging
import os
import pickle
import socket
import time
from typing import Any

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError
from localstripe.resources import (
    Customer,
    Event,
    Invoice,
    PaymentMethod,
    Plan,
    StripeObject,
    Subscription,
)
from localstripe.webhooks import register_webhook, schedule_webhook

from services.core.settings import load_settings

TEST_CARDS = {"succeeds": "4242424242424242", "declines later": "4000000000000341"}


class CheckoutSession(StripeObject):  # type: ignore[misc]
    object = "checkout.session"
    _id_prefix = "cs_test_"

    def __init__(self, base: str, data: dict[str, Any]) -> None:
        super().__init__()
        items = data.get("line_items") or []
        if data.get("mode") != "subscription" or len(items) != 1 or not data.get("customer"):
            raise UserError(400, "Only mode=subscription with a customer and one line item")
        Customer._api_retrieve(data["customer"])
        Plan._api_retrieve(items[0]["price"])
        self.mode = "subscription"
        self.customer = data["customer"]
        self.client_reference_id = data.get("client_reference_id")
        self.metadata = data.get("metadata") or {}
        self.success_url = data["success_url"]
        self.cancel_url = data.get("cancel_url")
        self.status = "open"
        self.payment_status = "unpaid"
        self.subscription: str | None = None
        self.url = f"{base}/checkout/{self.id}"
        self._price = items[0]["price"]
        self._quantity = int(items[0].get("quantity") or 1)
        trial_end = (data.get("subscription_data") or {}).get("trial_end")
        self._trial_end = int(trial_end) if trial_end else None


class PortalSession(StripeObject):  # type: ignore[misc]
    object = "billing_portal.session"
    _id_prefix = "bps_"

    def __init__(self, base: str, data: dict[str, Any]) -> None:
        super().__init__()
        Customer._api_retrieve(data.get("customer") or "")
        self.customer = data["customer"]
        self.return_url = data.get("return_url")
        self.url = f"{base}/portal/{self.id}"


def base_of(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


async def create_checkout(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    return server.json_response(CheckoutSession(base_of(request), data)._export())


async def retrieve_checkout(request: web.Request) -> web.Response:
    session = CheckoutSession._api_retrieve(request.match_info["id"])
    return server.json_response(session._export())


async def create_portal(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    return server.json_response(PortalSession(base_of(request), data)._export())


def page(title: str, body: str) -> web.Response:
    return web.Response(
        text=f'<!doctype html><html lang=en><meta charset=utf-8><link rel=icon href="data:,">'
        f"<title>{title}</title><body><main>"
        f"<h1>{title}</h1>{body}</main></body></html>",
        content_type="text/html",
    )


async def checkout_page(request: web.Request) -> web.Response:
    session = CheckoutSession._api_retrieve(request.match_info["id"])
    plan = Plan._api_retrieve(session._price)
    buttons = "".join(
        f'<button name="card" value="{number}">Pay with the card that {label}</button> '
        for label, number in TEST_CARDS.items()
    )
    return page(
        "Test checkout (local fake of Stripe Checkout)",
        f"<p>{session._quantity} seats × {plan.amount} {plan.currency} per {plan.interval}</p>"
        f'<form method="post" action="/checkout/{session.id}/pay">{buttons}</form>',
    )


async def pay_checkout(request: web.Request) -> web.Response:
    session = CheckoutSession._api_retrieve(request.match_info["id"])
    if session.status != "open":
        raise web.HTTPSeeOther(session.success_url)
    form = await request.post()
    method = PaymentMethod(
        type="card",
        card={
            "number": str(form.get("card", TEST_CARDS["succeeds"])),
            "exp_month": "12",
            "exp_year": str(time.gmtime().tm_year + 2),
            "cvc": "123",
        },
    )
    PaymentMethod._api_attach(method.id, customer=session.customer)
    Customer._api_update(session.customer, invoice_settings={"default_payment_method": method.id})
    subscription = Subscription._api_create(
        customer=session.customer,
        items=[{"plan": session._price, "quantity": session._quantity}],
        trial_end=session._trial_end,
        metadata=session.metadata,
    )
    if session._trial_end is not None:  # localstripe leaves a trial subscription "incomplete"
        subscription.status = "trialing"
        subscription.trial_start = int(time.time())
    session.subscription = subscription.id
    session.status = "complete"
    session.payment_status = "paid" if session._trial_end is None else "no_payment_required"
    schedule_webhook(Event("checkout.session.completed", session))
    raise web.HTTPSeeOther(session.success_url)


async def portal_page(request: web.Request) -> web.Response:
    session = PortalSession._api_retrieve(request.match_info["id"])
    invoices = Invoice._api_list_all(None, customer=session.customer, limit=99)._list
    rows = "".join(
        f"<li>{html.escape(i.id)}: {i.total} {i.currency}, {i.status}</li>" for i in invoices
    )
    back = html.escape(session.return_url or "/")
    return page(
        "Test customer portal (local fake of the Stripe Customer Portal)",
        f'<ul>{rows or "<li>No invoices yet</li>"}</ul><a href="{back}">Back</a>',
    )


def _use_card(customer: str, number: str) -> None:
    method = PaymentMethod(
        type="card",
        card={
            "number": number,
            "exp_month": "12",
            "exp_year": str(time.gmtime().tm_year + 2),
            "cvc": "123",
        },
    )
    PaymentMethod._api_attach(method.id, customer=customer)
    Customer._api_update(customer, invoice_settings={"default_payment_method": method.id})


async def fail_payment(request: web.Request) -> web.Response:
    """The renewal's charge is declined: a new open invoice, the subscription ``past_due``."""
    subscription = Subscription._api_retrieve(request.match_info["id"])
    _use_card(subscription.customer, TEST_CARDS["declines later"])
    invoice = Invoice(
        customer=subscription.customer,
        subscription=subscription.id,
        items=list(subscription.items._list),
        date=int(time.time()),
    )
    invoice._finalize()
    with contextlib.suppress(UserError):
        Invoice._api_pay_invoice(invoice.id)
    subscription.status = "past_due"
    schedule_webhook(Event("invoice.payment_failed", invoice))
    schedule_webhook(Event("customer.subscription.updated", subscription))
    return server.json_response(subscription._export())


async def pay(request: web.Request) -> web.Response:
    """A working card replaces the declined one and the open invoices are paid."""
    subscription = Subscription._api_retrieve(request.match_info["id"])
    _use_card(subscription.customer, TEST_CARDS["succeeds"])
    listed = Invoice._api_list_all(None, customer=subscription.customer, limit=99)._list
    for invoice in listed:
        if invoice.subscription == subscription.id and invoice.status == "open":
            Invoice._api_pay_invoice(invoice.id)
            schedule_webhook(Event("invoice.paid", invoice))
    subscription.status = "active"
    schedule_webhook(Event("customer.subscription.updated", subscription))
    return server.json_response(subscription._export())


def accept_proration_behavior() -> None:
    """Map Stripe's ``proration_behavior`` onto localstripe's ``prorate``."""
    original = Subscription._update

    def update(self: Subscription, proration_behavior: str | None = None, **data: Any) -> Any:
        if proration_behavior is not None:
            data["prorate"] = proration_behavior != "none"
        return original(self, **data)

    Subscription._update = update


def create_prices() -> None:
    settings = load_settings()
    for price, amount, interval in (
        (settings.stripe_price_monthly, settings.billing_monthly_amount, "month"),
        (settings.stripe_price_annual, settings.billing_annual_amount, "year"),
    ):
        if resources.store.get(f"plan:{price}") is None:
            Plan(
                id=price,
                amount=amount,
                currency=settings.billing_currency,
                interval=interval,
                product={"name": "CME Ledger seat"},
            )
    register_webhook(
        "cmeledger",
        f"{settings.public_url.rstrip('/')}/webhooks/stripe",
        settings.stripe_webhook_secret,
        None,
    )


PAGES = ("/checkout/", "/portal/")


def open_pages(app: web.Application) -> None:
    """The checkout and portal pages are for the browser (no API key), as Stripe's are."""
    api_auth = app.middlewares[1]
    assert api_auth is server.auth_middleware

    @web.middleware
    async def auth(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith(PAGES):
            return await handler(request)
        return await api_auth(request, handler)

    app.middlewares[1] = auth


def keep_state(path: str | None) -> None:
    """Keep localstripe's state in ``path`` across restarts (None: in this process only).
    localstripe itself would pickle it to a fixed file in /tmp, shared by every user."""
    store = resources.store
    if path is None:
        store.dump_to_disk = lambda: None
        return
    if os.path.exists(path):
        with open(path, "rb") as saved:
            store.update(pickle.load(saved))  # noqa: S301 (our own file)

    def dump() -> None:
        with open(path, "wb") as target:
            pickle.dump(dict(store), target, protocol=pickle.HIGHEST_PROTOCOL)

    store.dump_to_disk = dump


def build_app(state: str | None = None) -> web.Application:
    app: web.Application = server.app
    keep_state(state)
    open_pages(app)
    # Before localstripe's own routes match (``/v1/...`` are declared at import; aiohttp matches
    # in order, and these paths are not localstripe's).
    app.router.add_post("/v1/checkout/sessions", create_checkout)
    app.router.add_get("/v1/checkout/sessions/{id}", retrieve_checkout)
    app.router.add_post("/v1/billing_portal/sessions", create_portal)
    app.router.add_get("/checkout/{id}", checkout_page)
    app.router.add_post("/checkout/{id}/pay", pay_checkout)
    app.router.add_get("/portal/{id}", portal_page)
    app.router.add_post("/_fake/subscriptions/{id}/fail_payment", fail_payment)
    app.router.add_post("/_fake/subscriptions/{id}/pay", pay)
    accept_proration_behavior()
    create_prices()
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state", help="file keeping the fake's data across restarts")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    web.run_app(build_app(args.state), sock=sock, print=None)


if __name__ == "__main__":
    main()
