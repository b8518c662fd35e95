"""The billing page over HTTP: owners manage, admins see the state, auditors and employees see
nothing; the trial's end is shown to the owner; Checkout starts against the local Stripe."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.core.application import Application
from services.core.db import Database
from services.core.registry import build_event_store
from services.core.settings import Settings
from services.worker.billing import BILLING_SUBSCRIBERS, start_trial
from tests.billing_support import jobs_for, local_stripe, run_job
from tests.e2e.conftest import Org

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def billing_settings(migrated: Settings) -> Iterator[Settings]:
    with local_stripe(migrated) as settings:
        yield settings


@pytest.fixture
async def billed(billing_settings: Settings, database: Database) -> AsyncIterator[Org]:
    """An organisation whose trial the worker has started."""
    async with AsyncExitStack() as stack:
        organisation = Org(stack, billing_settings)
        await organisation.open()
        tenant = UUID(organisation.owner_info["organisation_id"])
        application = Application(
            database=database, store=build_event_store(), settings=billing_settings
        )
        [trial] = [s for s in BILLING_SUBSCRIBERS if s.handler is start_trial]
        for job in await jobs_for(database, tenant, trial):
            await run_job(application, start_trial, job)
        yield organisation


def form(**values: str) -> dict[str, str]:
    return {"_idempotency_key": str(uuid4()), **values}


async def test_the_owner_sees_the_trial_and_starts_checkout(
    billed: Org, billing_settings: Settings
) -> None:
    owner = billed.owner
    page = await owner.get("/billing")
    assert page.status_code == 200
    assert "Free trial" in page.text
    assert 'data-testid="trial-end"' in page.text
    dashboard = await owner.get("/dashboard")
    assert 'data-testid="trial-banner"' in dashboard.text
    started = await owner.post(
        "/billing/checkout", data=form(interval="year"), follow_redirects=False
    )
    assert started.status_code == 303
    assert started.headers["location"].startswith(f"{billing_settings.stripe_api_base}/checkout/")
    refused = await owner.post("/billing/checkout", data=form(interval="weekly"))
    assert refused.status_code == 422
    assert "Choose monthly or annual billing." in refused.text


async def test_admins_see_the_state_but_do_not_manage_it(billed: Org) -> None:
    admin, _ = await billed.member("admin")
    page = await admin.get("/billing")
    assert page.status_code == 200
    assert "Only owners manage billing." in page.text
    assert 'data-testid="trial-banner"' not in (await admin.get("/dashboard")).text
    refused = await admin.post("/billing/checkout", data=form(interval="month"))
    assert refused.status_code == 403


@pytest.mark.parametrize("role", ["employee", "auditor"])
async def test_employees_and_auditors_see_nothing_of_billing(billed: Org, role: str) -> None:
    member, _ = await billed.member(role)
    assert (await member.get("/billing")).status_code == 403
    home = await member.get("/dashboard" if role == "employee" else "/organisation")
    assert "/billing" not in home.text


async def test_the_webhook_endpoint_refuses_a_body_without_signature(billed: Org) -> None:
    answer: Any = await billed.owner.post("/webhooks/stripe", content=b"{}")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
