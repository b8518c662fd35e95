"""Billing against real parts: PostgreSQL, the local Stripe (localstripe plus the Checkout and
Portal routes of scripts/fake_stripe.py) reached through the ``stripe`` library, the API's
webhook endpoint, and the worker's billing actors run as the worker runs them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from domain.organisations.organisation import Role
from services.api.app import create_app
from services.core.application import AccessDenied, Actor, Application
from services.core.billing import queries
from services.core.billing.jobs import reconcile
from services.core.billing.standing import PaymentRequired
from services.core.billing.stripe_gateway import gateway_for
from services.core.billing.use_cases import (
    BillingOverview,
    StartCheckout,
    overview,
    start_checkout,
)
from services.core.db import Database
from services.core.eventsourcing.store import utc_now
from services.core.organisation.invitations import NewStaff
from services.core.organisation.use_cases import Invite, invite
from services.core.people.use_cases import view_person
from services.core.registry import build_event_store
from services.core.settings import Settings
from services.core.staff.use_cases import ImportStaff, import_staff
from services.worker.billing import (
    BILLING_SUBSCRIBERS,
    apply_stripe_event,
    start_trial,
    sync_seats,
)
from services.worker.runtime import Subscriber, command_ids_from
from tests.billing_support import (
    checkout,
    event_types,
    jobs_for,
    local_stripe,
    new_organisation,
    owner,
    run_job,
    signed,
    stripe_client,
    stripe_event,
)

pytestmark = pytest.mark.integration
SUBSCRIBERS = {s.name: s for s in BILLING_SUBSCRIBERS}
UPDATED = "customer.subscription.updated"


@pytest.fixture(scope="module")
def billing_settings(migrated: Settings) -> Iterator[Settings]:
    with local_stripe(migrated) as settings:
        yield msgspec.structs.replace(settings, billing_seat_debounce_s=0.0)


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as exit_stack:
        yield exit_stack


@pytest.fixture
def application(billing_settings: Settings, database: Database) -> Application:
    return Application(database=database, store=build_event_store(), settings=billing_settings)


@pytest.fixture
async def client(billing_settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(create_app(billing_settings)) as test_client:
        yield test_client


async def run_all(application: Application, tenant: UUID, name: str) -> None:
    subscriber: Subscriber = SUBSCRIBERS[name]
    for job in await jobs_for(application.database, tenant, subscriber):
        await run_job(application, subscriber.handler, job)


async def account(application: Application, tenant: UUID) -> queries.AccountRow:
    async with application.database.transaction(tenant) as tx:
        found = await queries.account(tx)
    assert found is not None
    return found


class Subscribed(msgspec.Struct, frozen=True, kw_only=True):
    tenant: UUID
    owner_id: UUID
    customer: str
    subscription: str


async def deliver(
    client: AsyncTestClient[Any], settings: Settings, event: dict[str, Any]
) -> dict[str, Any]:
    body, headers = signed(settings, event)
    answer = await client.post("/webhooks/stripe", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def subscribed(application: Application, client: AsyncTestClient[Any]) -> Subscribed:
    """A new organisation on trial that went through Checkout (webhook applied)."""
    tenant, owner_id = await new_organisation(application.database, application.store)
    await run_all(application, tenant, "start_trial")
    session = await checkout(application, tenant, owner_id)
    customer, subscription = await gateway_for(application.settings).checkout_session(session)
    assert subscription is not None
    await deliver(
        client,
        application.settings,
        stripe_event(
            "checkout.session.completed",
            {"id": session, "object": "checkout.session", "customer": customer},
        ),
    )
    await run_all(application, tenant, "apply_stripe_event")
    return Subscribed(
        tenant=tenant, owner_id=owner_id, customer=customer, subscription=subscription
    )


async def test_a_new_organisation_starts_a_thirty_day_trial_without_a_card(
    application: Application,
) -> None:
    tenant, _ = await new_organisation(application.database, application.store)
    [job] = await jobs_for(application.database, tenant, SUBSCRIBERS["start_trial"])
    await run_job(application, start_trial, job)
    await run_job(application, start_trial, job)  # a second delivery changes nothing
    async with application.database.transaction(tenant) as tx:
        opened_at = await tx.pg.fetchval(
            "SELECT recorded_at FROM events WHERE event_type = 'organisations.OrganisationOpened'"
        )
    found = await account(application, tenant)
    assert found.account.trial_ends_at == opened_at + timedelta(days=30)
    assert found.account.customer_id is None  # no card, no Stripe customer yet
    assert await event_types(application.database, tenant) == ["billing.TrialStarted"]


async def test_checkout_then_its_webhook_applies_the_subscription_once(
    application: Application, client: AsyncTestClient[Any]
) -> None:
    org = await subscribed(application, client)
    found = await account(application, org.tenant)
    assert found.account.customer_id == org.customer
    subscription = found.account.subscription
    assert subscription is not None
    assert subscription.subscription_id == org.subscription
    # the trial's rest carries over into Stripe's own trial; no payment is due before it ends
    assert subscription.status in {"trialing", "active"}
    assert subscription.quantity == 1
    assert await event_types(application.database, org.tenant) == [
        "billing.TrialStarted",
        "billing.CustomerLinked",
        "billing.StripeEventReceived",
        "billing.SubscriptionObserved",
    ]


async def test_a_bad_signature_is_refused_with_400_and_nothing_is_stored(
    application: Application, client: AsyncTestClient[Any], billing_settings: Settings
) -> None:
    event = stripe_event("invoice.paid", {"id": "in_x", "object": "invoice", "customer": "cus_x"})
    body, headers = signed(billing_settings, event, secret="whsec_not_ours")
    answer = await client.post("/webhooks/stripe", content=body, headers=headers)
    assert answer.status_code == 400
    assert answer.json()["type"].endswith("bad_signature")
    tampered, headers = signed(billing_settings, event)
    answer = await client.post(
        "/webhooks/stripe", content=tampered.replace(b"in_x", b"in_y"), headers=headers
    )
    assert answer.status_code == 400
    unsigned = await client.post("/webhooks/stripe", content=tampered)
    assert unsigned.status_code == 400
    assert not await in_inbox(application.database, event["id"])


async def test_a_stale_signature_is_refused_with_400(
    application: Application, client: AsyncTestClient[Any], billing_settings: Settings
) -> None:
    event = stripe_event("invoice.paid", {"id": "in_x", "object": "invoice", "customer": "cus_x"})
    stale = int(time.time()) - billing_settings.stripe_webhook_tolerance_s - 60
    body, headers = signed(billing_settings, event, at=stale)
    answer = await client.post("/webhooks/stripe", content=body, headers=headers)
    assert answer.status_code == 400
    assert not await in_inbox(application.database, event["id"])


async def in_inbox(database: Database, stripe_event_id: str) -> bool:
    async with database.transaction(None) as tx:
        return bool(
            await tx.pg.fetchval(
                "SELECT count(*) FROM stripe_inbox WHERE stripe_event_id = $1", stripe_event_id
            )
        )


async def test_the_same_event_delivered_five_times_at_once_has_one_effect(
    application: Application, client: AsyncTestClient[Any]
) -> None:
    org = await subscribed(application, client)
    stripe_client(application.settings).v1.subscriptions.update(
        org.subscription, {"cancel_at_period_end": True}
    )
    event = stripe_event(
        "customer.subscription.updated",
        {"id": org.subscription, "object": "subscription", "customer": org.customer},
    )
    answers = await asyncio.gather(
        *(deliver(client, application.settings, event) for _ in range(5))
    )
    assert sorted(a["outcome"] for a in answers) == ["accepted"] + ["duplicate"] * 4
    jobs = await jobs_for(application.database, org.tenant, SUBSCRIBERS["apply_stripe_event"])
    assert len(jobs) == 2  # the checkout's and this one
    for _ in range(2):  # the broker may deliver a message twice, too
        await asyncio.gather(
            *(run_job(application, apply_stripe_event, jobs[-1]) for _ in range(3))
        )
    types = await event_types(application.database, org.tenant)
    assert types.count("billing.StripeEventReceived") == 2
    assert types.count("billing.SubscriptionObserved") == 2  # the checkout's, then the change
    subscription = (await account(application, org.tenant)).account.subscription
    assert subscription is not None
    assert subscription.cancel_at_period_end


async def test_updated_before_created_ends_in_stripes_current_state(
    application: Application, client: AsyncTestClient[Any]
) -> None:
    tenant, owner_id = await new_organisation(application.database, application.store)
    await run_all(application, tenant, "start_trial")
    session = await checkout(application, tenant, owner_id)
    customer, subscription = await gateway_for(application.settings).checkout_session(session)
    stripe_client(application.settings).v1.subscriptions.update(
        str(subscription), {"cancel_at_period_end": True}
    )
    about = {"id": subscription, "object": "subscription", "customer": customer}
    # Stripe does not promise order: the update arrives (and is applied) before the creation
    for event_type in ("customer.subscription.updated", "customer.subscription.created"):
        await deliver(client, application.settings, stripe_event(event_type, about))
        await run_all(application, tenant, "apply_stripe_event")
    found = (await account(application, tenant)).account.subscription
    assert found is not None
    assert found.subscription_id == subscription
    assert found.cancel_at_period_end  # the created event's news is older, and changes nothing
    types = await event_types(application.database, tenant)
    assert types.count("billing.SubscriptionObserved") == 1


async def test_an_event_about_an_unknown_customer_is_acknowledged_and_logged(
    application: Application, client: AsyncTestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    event = stripe_event(
        "invoice.paid", {"id": "in_unknown", "object": "invoice", "customer": "cus_nobody"}
    )
    answer = await deliver(client, application.settings, event)
    assert answer == {"received": True, "outcome": "unknown_customer"}
    async with application.database.transaction(None) as tx:
        tenant = await tx.pg.fetchval(
            "SELECT tenant_id FROM stripe_inbox WHERE stripe_event_id = $1", event["id"]
        )
    assert tenant is None
    assert await in_inbox(application.database, event["id"])


async def test_an_import_of_a_thousand_people_makes_one_quantity_update(
    application: Application, client: AsyncTestClient[Any]
) -> None:
    org = await subscribed(application, client)
    rows = "\n".join(f"E{n:04},p{n}@example.org,Person {n:04}" for n in range(1000))
    csv = f"employee_number,email,full_name\n{rows}\n".encode()
    use_cases = application.use_cases(owner(org.tenant, org.owner_id), command_ids_from(uuid4()))
    report = await use_cases.run(
        import_staff, ImportStaff(csv=csv, mode="all_or_nothing", dry_run=False)
    )
    assert report.created == 1000
    jobs = await jobs_for(application.database, org.tenant, SUBSCRIBERS["sync_seats"])
    assert len(jobs) == 1000
    # four worker threads take the 1,000 messages the relay publishes
    queue = list(jobs)

    async def worker_thread() -> None:
        while queue:
            await run_job(application, sync_seats, queue.pop())

    await asyncio.gather(*(worker_thread() for _ in range(4)))
    types = await event_types(application.database, org.tenant)
    assert types.count("billing.SeatsPushed") == 1
    current = await gateway_for(application.settings).subscription(org.subscription)
    assert current.subscription.quantity == 1000
    found = (await account(application, org.tenant)).account
    assert found.subscription is not None
    assert found.subscription.quantity == 1000
    # prorated: the next invoice credits what was paid for the time the old quantity lost
    gateway = gateway_for(application.settings)
    paid = sum(i.invoice.amount_paid for i in await gateway.invoices(org.customer))
    estimate = await gateway.estimate(org.customer, org.subscription)
    assert estimate.amount_due == 1000 * application.settings.billing_monthly_amount - paid


async def test_reconciliation_repairs_a_quantity_changed_behind_our_back(
    application: Application, client: AsyncTestClient[Any]
) -> None:
    org = await subscribed(application, client)
    current = await gateway_for(application.settings).subscription(org.subscription)
    stripe_client(application.settings).v1.subscriptions.update(
        org.subscription, {"items": [{"id": current.item_id, "quantity": 7}]}
    )
    use_cases = application.use_cases(
        Actor(tenant_id=org.tenant, role="system", name="reconcile_billing"),
        command_ids_from(uuid4()),
    )
    found = await use_cases.run(reconcile, "test")
    assert (found.found, found.seats, found.repaired) == (7, 1, True)
    repaired = await gateway_for(application.settings).subscription(org.subscription)
    assert repaired.subscription.quantity == 1
    assert "billing.SeatDriftRepaired" in await event_types(application.database, org.tenant)
    again = await use_cases.run(reconcile, "test again")
    assert not again.repaired


def later(application: Application, days: float) -> Application:
    """The same application with its clock ``days`` ahead (the grace period passing)."""
    return Application(
        database=application.database,
        store=build_event_store(clock=lambda: utc_now() + timedelta(days=days)),
        settings=application.settings,
    )


async def invite_someone(application: Application, org: Subscribed) -> UUID:
    """Invite a new staff member; their staff record's id."""
    use_cases = application.use_cases(owner(org.tenant, org.owner_id), command_ids_from(uuid4()))
    sent = await use_cases.run(
        invite,
        Invite(email=f"{uuid4().hex[:8]}@example.org", staff=NewStaff(full_name="Ana Lima")),
    )
    assert sent.person_id is not None
    return sent.person_id


async def test_a_failed_payment_warns_then_restricts_after_grace_and_payment_restores(
    application: Application, client: AsyncTestClient[Any], stack: AsyncExitStack
) -> None:
    org = await subscribed(application, client)
    fake = await stack.enter_async_context(
        httpx.AsyncClient(
            base_url=str(application.settings.stripe_api_base),
            auth=(application.settings.stripe_api_key, ""),
        )
    )
    about = {"id": org.subscription, "object": "subscription", "customer": org.customer}

    failed = await fake.post(f"/_fake/subscriptions/{org.subscription}/fail_payment")
    assert failed.json()["status"] == "past_due"
    await deliver(
        client, application.settings, stripe_event("customer.subscription.updated", about)
    )
    await run_all(application, org.tenant, "apply_stripe_event")
    await run_all(application, org.tenant, "notify_payment_overdue")
    await run_all(application, org.tenant, "notify_payment_overdue")  # redelivered: one mail
    assert "billing.PaymentOverdue" in await event_types(application.database, org.tenant)
    async with application.database.transaction(org.tenant) as tx:
        mails = await tx.pg.fetch("SELECT category, subject FROM mail_outbox")
    assert [(m["category"], m["subject"]) for m in mails] == [
        ("billing", "Payment for Harbor Imaging on CME Ledger failed")
    ]
    # within the grace period everything still works, with a banner
    page = await billing_page(application, org, "owner")
    assert (page.phase, page.banner, page.status) == ("past_due", True, "past_due")
    assert page.invoices[0].status == "open"
    ana = await invite_someone(application, org)
    grace = application.settings.billing_grace_days
    after_grace = later(application, grace + 1)
    assert (await billing_page(after_grace, org, "admin")).phase == "restricted"
    with pytest.raises(PaymentRequired):
        await invite_someone(after_grace, org)
    import_use_cases = after_grace.use_cases(
        owner(org.tenant, org.owner_id), command_ids_from(uuid4())
    )
    with pytest.raises(PaymentRequired):
        await import_use_cases.run(
            import_staff,
            ImportStaff(
                csv=b"employee_number,email,full_name\nE1,e1@example.org,E One\n",
                mode="all_or_nothing",
                dry_run=False,
            ),
        )
    # a member still reads their own record; nothing was deleted
    as_ana = after_grace.use_cases(
        Actor(tenant_id=org.tenant, role="employee", user_id=uuid4(), person_id=ana),
        command_ids_from(uuid4()),
    )
    assert (await as_ana.run(view_person, ana)).person_id == ana

    paid = await fake.post(f"/_fake/subscriptions/{org.subscription}/pay")
    assert paid.json()["status"] == "active"
    await deliver(
        client, application.settings, stripe_event("customer.subscription.updated", about)
    )
    await run_all(after_grace, org.tenant, "apply_stripe_event")
    assert (await event_types(application.database, org.tenant))[-1] == "billing.PaymentRestored"
    await invite_someone(after_grace, org)
    assert (await billing_page(after_grace, org, "owner")).phase == "active"


async def billing_page(application: Application, org: Subscribed, role: Role) -> BillingOverview:
    actor = Actor(tenant_id=org.tenant, role=role, user_id=org.owner_id)
    return await application.use_cases(actor, command_ids_from(uuid4())).run(overview, None)


@pytest.mark.parametrize("role", ["auditor", "employee"])
async def test_auditors_and_employees_see_nothing_of_billing(
    application: Application, role: Role
) -> None:
    tenant, user = await new_organisation(application.database, application.store)
    org = Subscribed(tenant=tenant, owner_id=user, customer="-", subscription="-")
    with pytest.raises(AccessDenied):
        await billing_page(application, org, role)
    actor = Actor(tenant_id=tenant, role="admin", user_id=user)
    with pytest.raises(AccessDenied):  # admins see the state but do not manage it
        await application.use_cases(actor, command_ids_from(uuid4())).run(
            start_checkout, StartCheckout(return_url="http://127.0.0.1:1/billing")
        )
