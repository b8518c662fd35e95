"""Billing tests' helpers: the local Stripe (started for the session when it is not answering),
signed webhook deliveries, an organisation with an owner, and worker jobs run in-process the way
the worker runs them (one unit of work of the job's system actor, ids from its message id)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import httpx
import msgspec
import stripe

from domain.shared.event import event_tag
from services.core.application import Actor, Application
from services.core.billing.use_cases import StartCheckout, start_checkout
from services.core.db import Database
from services.core.eventsourcing.store import EventStore, read_history
from services.core.organisation.handlers import open_organisation
from services.core.settings import Settings
from services.worker.runtime import Handler, Job, Subscriber, command_ids_from
from tests.conftest import ROOT

PASSWORD = "correct horse battery staple"


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


@contextlib.contextmanager
def local_stripe(settings: Settings) -> Iterator[Settings]:
    """``settings`` pointing at a local Stripe: the one ``scripts/services up`` started, or one
    started here on a free port (and stopped afterwards)."""
    base = settings.stripe_api_base or "http://127.0.0.1:8420"
    if _answers(urlsplit(base).port or 8420):
        yield msgspec.structs.replace(settings, stripe_api_base=base)
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "scripts/fake_stripe.py", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not _answers(port):
            assert time.monotonic() < deadline, "the local Stripe did not start"
            time.sleep(0.1)
        yield msgspec.structs.replace(settings, stripe_api_base=f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(10)


@functools.cache
def stripe_client(settings: Settings) -> stripe.StripeClient:
    """One client per settings for the session (a dropped client leaves its sockets open)."""
    assert settings.stripe_api_base is not None
    return stripe.StripeClient(
        settings.stripe_api_key, base_addresses={"api": settings.stripe_api_base}
    )


def signed(
    settings: Settings, event: dict[str, Any], *, at: int | None = None, secret: str | None = None
) -> tuple[bytes, dict[str, str]]:
    """``event`` as Stripe would deliver it: the body and its ``Stripe-Signature`` header."""
    payload = json.dumps(event).encode()
    timestamp = int(time.time()) if at is None else at
    key = (secret or settings.stripe_webhook_secret).encode()
    digest = hmac.new(key, f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, {
        "Stripe-Signature": f"t={timestamp},v1={digest}",
        "Content-Type": "application/json",
    }


def stripe_event(event_type: str, found: dict[str, Any]) -> dict[str, Any]:
    """A webhook event about ``found`` (its id, object kind and customer, as Stripe sends)."""
    return {
        "id": f"evt_{uuid4().hex[:24]}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": found},
    }


async def new_organisation(database: Database, store: EventStore) -> tuple[UUID, UUID]:
    """A new organisation (tenant id, owner user id)."""
    slug = f"bill-{uuid4().hex[:10]}"
    opened = await open_organisation(
        database,
        store,
        name="Harbor Imaging",
        slug=slug,
        email=f"owner-{slug}@example.org",
        password=PASSWORD,
    )
    return opened.tenant_id, opened.user_id


def owner(tenant: UUID, user_id: UUID) -> Actor:
    return Actor(tenant_id=tenant, role="owner", user_id=user_id, person_id=user_id)


async def jobs_for(database: Database, tenant: UUID, subscriber: Subscriber) -> list[Job]:
    """The jobs the relay would publish to ``subscriber`` for the tenant's events so far."""
    tags = {event_tag(e) for e in subscriber.events}
    async with database.transaction(tenant) as tx:
        history = await read_history(tx, limit=100_000)
    return [
        Job(actor_name=subscriber.name, tenant_id=tenant, event_id=e.event_id, seq=e.seq)
        for e in history
        if e.event_type in tags
    ]


async def run_job(application: Application, handler: Handler, job: Job) -> None:
    """Run ``job`` as ``services.worker.runtime.tenant_actor`` does (one delivery)."""
    await application.use_cases(job.actor, command_ids_from(UUID(job.message_id))).run(handler, job)


async def event_types(database: Database, tenant: UUID, prefix: str = "billing.") -> list[str]:
    async with database.transaction(tenant) as tx:
        rows = await tx.pg.fetch(
            "SELECT event_type FROM events WHERE tenant_id = $1 AND event_type LIKE $2"
            " ORDER BY seq",
            tenant,
            prefix + "%",
        )
    return [row["event_type"] for row in rows]


async def checkout(application: Application, tenant: UUID, owner_id: UUID) -> str:
    """The owner starts Checkout and pays on the local Checkout page; the session id."""
    use_cases = application.use_cases(owner(tenant, owner_id), command_ids_from(uuid4()))
    url = await use_cases.run(
        start_checkout, StartCheckout(interval="month", return_url="http://127.0.0.1:1/billing")
    )
    async with httpx.AsyncClient() as browser:
        paid = await browser.post(f"{url}/pay", data={"card": "4242424242424242"})
    assert paid.status_code == 303
    assert paid.headers["location"] == "http://127.0.0.1:1/billing?checkout=done"
    return url.rsplit("/", 1)[-1]
