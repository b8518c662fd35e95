"""The Stripe webhook inbox: check the signature, accept each Stripe event id once, and hand
the event to the worker through the organisation's ledger.

``receive`` checks the ``Stripe-Signature`` header with the ``stripe`` library (HMAC of the raw
body with the endpoint's secret, timestamp within ``stripe_webhook_tolerance_s``). Then, in one
transaction: the event id goes into ``stripe_inbox`` (a duplicate, also a concurrent one, waits
for the first and finds the id taken: acknowledged, nothing more), and for an organisation found
by the object's customer a ``StripeEventReceived`` fact is appended to its ledger. The relay
then wakes the ``apply_stripe_event`` actor, which fetches the object again from Stripe.
An event about a customer no organisation has is acknowledged and logged, never retried.
"""

from __future__ import annotations

import json
from typing import Any, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
import stripe
import structlog

from domain.billing.account import StripeEventReceived
from services.core.application import Application
from services.core.billing.jobs import OBJECT_TYPES
from services.core.billing.queries import tenant_of_customer
from services.core.eventsourcing.commands import record_fact
from services.core.eventsourcing.store import Metadata
from services.core.stream_ids import billing_inbox_stream

STRIPE_NAMESPACE = uuid5(NAMESPACE_URL, "https://cmeledger.example/stripe-events")
WEBHOOK_ACTOR = "stripe_webhook"

log = structlog.get_logger("cmeledger.billing")


class BadSignature(Exception):
    """The payload is not signed with the endpoint's secret, or the signature is too old."""


Outcome = Literal["accepted", "duplicate", "unknown_customer", "ignored"]


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    stripe_event_id: str
    outcome: Outcome


def verify(payload: bytes, signature: str | None, secret: str, tolerance: int) -> dict[str, Any]:
    """The event ``payload`` holds, if ``signature`` proves Stripe sent it lately."""
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature, secret, tolerance=tolerance
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise BadSignature(str(exc).split("\n")[0]) from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise BadSignature("the payload is not a Stripe event")
    return event


def _customer_of(found: dict[str, Any]) -> str | None:
    customer = found.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    return customer if isinstance(customer, str) else None


async def receive(
    application: Application, payload: bytes, signature: str | None, request_id: str | None
) -> Receipt:
    """Accept a webhook delivery (see the module's docstring); ``BadSignature`` if forged or
    stale."""
    settings = application.settings
    event = verify(
        payload, signature, settings.stripe_webhook_secret, settings.stripe_webhook_tolerance_s
    )
    event_id, event_type = event["id"], str(event.get("type", ""))
    found = (event.get("data") or {}).get("object") or {}
    object_type = OBJECT_TYPES.get(event_type)
    customer = _customer_of(found) if isinstance(found, dict) else None
    tenant = await tenant_of_customer(application.database, customer) if customer else None
    async with application.database.transaction(tenant) as tx:
        fresh = await tx.pg.fetchval(
            "INSERT INTO stripe_inbox (stripe_event_id, event_type, tenant_id)"
            " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING true",
            event_id,
            event_type,
            tenant,
        )
        if not fresh:
            outcome: Outcome = "duplicate"
        elif object_type is None or not isinstance(found.get("id"), str):
            outcome = "ignored"
        elif tenant is None:
            outcome = "unknown_customer"
        else:
            outcome = "accepted"
            await record_fact(
                tx,
                application.store,
                billing_inbox_stream(tenant),
                StripeEventReceived(
                    stripe_event_id=event_id,
                    event_type=event_type,
                    object_type=object_type,
                    object_id=found["id"],
                ),
                event_id=stripe_event_uuid(event_id),
                metadata=Metadata(
                    actor_id=WEBHOOK_ACTOR, actor_role="system", request_id=request_id
                ),
            )
    logged = log.warning if outcome == "unknown_customer" else log.info
    logged(
        "stripe webhook",
        outcome=outcome,
        stripe_event_id=event_id,
        event_type=event_type,
        tenant_id=str(tenant) if tenant else None,
    )
    return Receipt(stripe_event_id=event_id, outcome=outcome)


def stripe_event_uuid(stripe_event_id: str) -> UUID:
    """The ledger event id of a Stripe event: the same delivery always names the same event."""
    return uuid5(STRIPE_NAMESPACE, stripe_event_id)
