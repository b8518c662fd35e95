"""Dunning end to end in a browser, with every real part: the app on a free port, the relay and
a worker as processes, the local Stripe sending signed webhooks, mail to a local SMTP sink.
No trial days and no grace days, so each step shows at once: the trial ends (banner, employer
features read-only) -> the owner subscribes through Checkout -> paid -> a payment fails (banner,
mail, read-only) -> paid -> restored."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from uuid import uuid4

import httpx
import msgspec
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser

from services.api.app import create_app
from services.core.settings import Settings
from tests.billing_support import local_stripe, stripe_client
from tests.browser.conftest import Api, Browse, LiveApp, MailSink, browsing, free_port
from tests.browser.test_employer import signed_in
from tests.conftest import ROOT, settings_env

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dunning_app(migrated: Settings) -> Iterator[tuple[LiveApp, Settings]]:
    """The app, relay and worker with no trial and no grace period, on the local Stripe."""
    sink, smtp_port, port = MailSink(), free_port(), free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    base_url = f"http://127.0.0.1:{port}"
    with local_stripe(migrated) as on_stripe:
        settings = msgspec.structs.replace(
            on_stripe,
            public_url=base_url,
            smtp_port=smtp_port,
            billing_trial_days=0,
            billing_grace_days=0,
            billing_seat_debounce_s=0.0,
            broker_queue=f"browser-billing-{uuid4().hex[:10]}",
        )
        env = {
            **settings_env(settings),
            "CMELEDGER_BROKER_QUEUE": settings.broker_queue,
            "CMELEDGER_STRIPE_API_BASE": str(settings.stripe_api_base),
            "CMELEDGER_PUBLIC_URL": base_url,
            "CMELEDGER_SMTP_PORT": str(smtp_port),
            "CMELEDGER_BILLING_TRIAL_DAYS": "0",
            "CMELEDGER_BILLING_GRACE_DAYS": "0",
            "CMELEDGER_BILLING_SEAT_DEBOUNCE_S": "0",
        }
        # The local Stripe signs its webhooks for this app too.
        httpx.post(
            f"{settings.stripe_api_base}/_config/webhooks/browser-{port}",
            data={"url": f"{base_url}/webhooks/stripe", "secret": settings.stripe_webhook_secret},
        ).raise_for_status()
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "services.main", name, *extra],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for name, *extra in (("relay", "--poll-interval", "1"), ("worker", "--threads", "2"))
        ]
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None)
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 15
            while not server.started:
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.05)
            yield LiveApp(base_url, sink, settings), settings
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(15)
            smtp.stop()


@pytest.fixture
def dunning_browse(browser: Browser, dunning_app: tuple[LiveApp, Settings]) -> Iterator[Browse]:
    app, _ = dunning_app
    with browsing(browser, app, timeout_ms=15_000, every_page_checked=False) as checked:
        yield checked


def until(condition: Callable[[], bool], what: str, within: float = 40) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.5)


def billing_shows(browse: Browse, text: str) -> Callable[[], bool]:
    def shows() -> bool:
        browse.goto("/billing")
        return text in browse.page.locator('[data-testid="billing-phase"]').inner_text()

    return shows


def invite(owner: httpx.Client) -> int:
    address = f"{uuid4().hex[:10]}@example.org"
    return owner.post(
        "/api/v1/invitations", json={"email": address, "role": "employee"}
    ).status_code


def test_trial_end_checkout_failed_payment_and_restored_access(
    dunning_browse: Browse, dunning_app: tuple[LiveApp, Settings]
) -> None:
    app, settings = dunning_app
    browse = dunning_browse
    with Api(app.base_url).organisation("Harbor Imaging") as owner:
        account = signed_in(owner, owner.get("/api/v1/me").json()["email"])
        browse.sign_in_as(account)

        # the trial (of no days) has ended: banner, and employer features are read-only
        until(billing_shows(browse, "Read-only until payment"), "the trial to start and end")
        assert browse.page.get_by_test_id("billing-banner").is_visible()
        browse.shot("billing-trial-ended")
        assert invite(owner) == 402

        # checkout on the local Stripe's test page, then back
        browse.page.get_by_role("button", name="Subscribe with Stripe Checkout").click()
        browse.page.wait_for_url("**/checkout/cs_*")
        session = browse.page.url.rsplit("/", 1)[-1]
        browse.check()
        browse.page.get_by_role("button", name="Pay with the card that succeeds").click()
        browse.page.wait_for_url("**/billing?checkout=done")
        browse.check()
        until(billing_shows(browse, "Paid"), "the checkout webhook to be applied")
        assert browse.page.get_by_test_id("billing-banner").count() == 0
        assert invite(owner) == 201

        # the renewal is declined: banner, mail to the owner, read-only at once (no grace)
        subscription = stripe_client(settings).v1.checkout.sessions.retrieve(session).subscription
        fake = httpx.Client(
            base_url=str(settings.stripe_api_base), auth=(settings.stripe_api_key, "")
        )
        browse.page.context.on("close", lambda _: fake.close())
        fake.post(f"/_fake/subscriptions/{subscription}/fail_payment").raise_for_status()
        until(billing_shows(browse, "Read-only until payment"), "the failure to be applied")
        assert browse.page.get_by_test_id("billing-banner").is_visible()
        browse.shot("billing-payment-failed")
        until(
            lambda: any(
                m["To"] == account.email and "failed" in str(m["Subject"])
                for m in app.mail.received
            ),
            "the payment-failed mail",
        )
        assert invite(owner) == 402

        # paid: everything is back at once
        fake.post(f"/_fake/subscriptions/{subscription}/pay").raise_for_status()
        until(billing_shows(browse, "Paid"), "the payment to be applied")
        assert browse.page.get_by_test_id("billing-banner").count() == 0
        assert invite(owner) == 201
        browse.shot("billing-restored")
        fake.close()
