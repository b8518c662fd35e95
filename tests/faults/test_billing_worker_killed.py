"""A worker killed with SIGKILL while it applies a Stripe webhook (waiting on Stripe): RabbitMQ
redelivers the message to the next worker, which applies it, and the organisation's ledger has
exactly one effect of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession, web

from services.core.application import Application
from services.core.billing.stripe_gateway import gateway_for
from services.core.billing.webhooks import receive
from services.core.db import Database
from services.core.registry import build_event_store
from services.core.settings import Settings
from tests.billing_support import (
    checkout,
    event_types,
    local_stripe,
    new_organisation,
    signed,
    stripe_event,
)
from tests.faults.harness import cli
from tests.live_server import free_port

pytestmark = pytest.mark.faults
STARTED, FINISHED = "applying stripe event", "stripe event applied"
STALL_S = 30.0


@pytest.fixture
async def stripe_settings(migrated: Settings) -> AsyncIterator[Settings]:
    with local_stripe(migrated) as settings:
        yield settings


@pytest.fixture
async def stalling_stripe(stripe_settings: Settings) -> AsyncIterator[str]:
    """A proxy to the local Stripe that holds every request ``STALL_S`` seconds first: a worker
    asking it is caught in the middle of applying."""
    upstream = str(stripe_settings.stripe_api_base)

    async def forward(request: web.Request) -> web.Response:
        await asyncio.sleep(STALL_S)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with (
            ClientSession() as session,
            session.request(
                request.method,
                upstream + request.path_qs,
                data=await request.read(),
                headers=headers,
            ) as answer,
        ):
            body = await answer.read()
            return web.Response(body=body, status=answer.status, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_a_worker_killed_mid_apply_leaves_exactly_one_effect(
    database: Database,
    env: dict[str, str],
    stripe_settings: Settings,
    stalling_stripe: str,
) -> None:
    application = Application(
        database=database, store=build_event_store(), settings=stripe_settings
    )
    tenant, owner_id = await new_organisation(database, application.store)
    session = await checkout(application, tenant, owner_id)
    customer, _ = await gateway_for(stripe_settings).checkout_session(session)
    event: dict[str, Any] = stripe_event(
        "checkout.session.completed",
        {"id": session, "object": "checkout.session", "customer": customer},
    )
    body, headers = signed(stripe_settings, event)
    assert (await receive(application, body, headers["Stripe-Signature"], None)).outcome == (
        "accepted"
    )
    stalled = {**env, "CMELEDGER_STRIPE_API_BASE": stalling_stripe}
    direct = {**env, "CMELEDGER_STRIPE_API_BASE": str(stripe_settings.stripe_api_base)}
    async with cli("relay", env, "relay", "--poll-interval", "1"):
        async with cli("first worker", stalled, "worker", "--threads", "1") as first:
            await first.wait_for("worker started")
            await first.wait_for(STARTED, within=90, stripe_event_id=event["id"])
            first.kill()  # while it waits for Stripe's answer
            await first.process.wait()
        assert not first.logged(FINISHED, stripe_event_id=event["id"]), "killed too late"
        assert "billing.SubscriptionObserved" not in await event_types(database, tenant)

        async with cli("second worker", direct, "worker", "--threads", "1") as second:
            await second.wait_for(FINISHED, within=60, stripe_event_id=event["id"])
            assert second.logged(STARTED, stripe_event_id=event["id"]), "not redelivered"
    types = await event_types(database, tenant)
    assert types.count("billing.SubscriptionObserved") == 1
    async with database.transaction(tenant) as tx:
        effects = await tx.pg.fetchval(
            "SELECT count(*) FROM actor_effects WHERE actor = 'apply_stripe_event'"
        )
    assert effects == 1
