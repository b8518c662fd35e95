"""Browser tests: the app served by uvicorn on a free port (its own thread and event loop) with
mail going to a local SMTP sink, driven by Debian's Chromium through Playwright.

Every page a test visits is checked: no console error (unless the test said it expects that
refusal's status), axe-core finds no serious or critical violation, and nothing scrolls
sideways. ``Browse.shot`` keeps
a full-page screenshot under ``test-output/screenshots/``. One browser serves the tests of this
package; each test gets a fresh context (cookies, storage).
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urldefrag
from uuid import uuid4

import httpx
import pytest
from aiosmtpd.controller import Controller
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from services.api.auth import SESSION_COOKIE
from services.core.settings import Settings
from services.worker.broker import build_broker
from tests.broker_support import delete_queue
from tests.live_server import free_port, serving, unthrottled

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("CMELEDGER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct horse battery"
BLOCKING_IMPACTS = {"serious", "critical"}
_FAILED_LOAD = re.compile(r"the server responded with a status of (\d{3})")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid4().hex[:10]}"


class MailSink:
    """An aiosmtpd handler that keeps every delivered message."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        return "250 OK"

    def link(self, to: str, path: str, timeout_s: float = 10) -> str:
        """The link to ``path`` in the latest mail to ``to`` (waiting for it to arrive)."""
        deadline = time.monotonic() + timeout_s
        while True:
            for message in reversed(self.received):
                if message["To"] == to:
                    body = message.get_body(preferencelist=("plain",))
                    assert body is not None
                    found = re.search(rf"http://\S+/{path}\?token=[\w-]+", body.get_content())
                    if found:
                        return found.group(0)
            assert time.monotonic() < deadline, f"no mail to {to} with a /{path} link"
            time.sleep(0.05)


@dataclass
class LiveApp:
    base_url: str
    mail: MailSink
    settings: Settings
    """The served app's: its blob directory, and the queue its reading jobs go to."""


@pytest.fixture(scope="package")
def live_app(migrated: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The whole app (API and portal) on a free port; mail to a local SMTP sink; reading jobs
    to a queue of its own (a test that needs them read runs a worker on it)."""
    assert AXE.exists(), "run scripts/bootstrap: node_modules (axe-core, htmx) is missing"
    sink, smtp_port, port = MailSink(), free_port(), free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    settings = unthrottled(
        migrated,
        public_url=f"http://127.0.0.1:{port}",
        smtp_port=smtp_port,
        blob_dir=str(tmp_path_factory.mktemp("blobs")),
        broker_queue=f"browser-{uuid4().hex[:12]}",
    )
    try:
        with serving(settings, port) as base_url:
            yield LiveApp(base_url, sink, settings)
    finally:
        smtp.stop()
        broker = build_broker(settings)
        assert isinstance(broker, RabbitmqBroker)
        delete_queue(broker, settings.broker_queue)
        broker.close()


@pytest.fixture(scope="package")
def playwright(live_app: LiveApp) -> Iterator[Playwright]:
    """Playwright's driver, started after every async fixture it needs (its synchronous API
    keeps an event loop running in this thread) and stopped when this package's tests end, so
    asyncio tests elsewhere in the session are not affected."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@dataclass
class Browse:
    """One test's page, checked wherever it goes."""

    page: Page
    app: LiveApp
    errors: list[str] = field(default_factory=list)
    expected_statuses: set[int] = field(default_factory=set)
    visited: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        failed = _FAILED_LOAD.search(message.text)
        if failed and int(failed.group(1)) in self.expected_statuses:
            return
        self.errors.append(f"{message.text} ({message.location.get('url')})")

    def expect_refusal(self, status: int) -> None:
        """The next answers may carry ``status`` (a form refused on purpose): the browser's
        console line about it is not an error of the page."""
        self.expected_statuses.add(status)

    def goto(self, path: str) -> Page:
        self.page.goto(self.app.base_url + path)
        self.check()
        return self.page

    def follow(self, name: str, role: Literal["button", "link"] = "button") -> Page:
        """Click the button (or link) named ``name`` and check the page it leads to."""
        self.page.get_by_role(role, name=name).click()
        self.check()
        return self.page

    def press(self, button: str, says: str) -> Page:
        """Click the button named ``button``; the page it leads to says ``says`` in its status
        message, and is checked."""
        self.page.get_by_role("button", name=button).click()
        expect(self.page.get_by_role("status")).to_contain_text(says)
        self.check()
        return self.page

    def check(self) -> None:
        """Wait for the page to settle, then require no console error and no serious or
        critical axe-core violation."""
        self.page.wait_for_load_state("load")
        assert not self.errors, "console errors:\n" + "\n".join(self.errors)
        violations = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
        )
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe on {self.page.url}: {blocking}"
        overflow = self.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{self.page.url} scrolls sideways by {overflow}px"
        self.checked.add(urldefrag(self.page.url).url)

    def phone(self) -> None:
        """Look at the next pages on a phone's screen."""
        self.page.set_viewport_size({"width": 390, "height": 844})

    def shot(self, name: str) -> None:
        """Check the page and keep a full-page screenshot of it."""
        self.check()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    def sign_in(self, email: str, password: str, lands_on: str) -> Page:
        """Sign in through the sign-in form of the page shown, landing on ``lands_on``."""
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page).to_have_url(self.app.base_url + lands_on)
        self.check()
        return self.page

    def sign_in_as(self, account: Account) -> None:
        """Put the account's session cookie into the browser (signing in is tested apart)."""
        self.page.context.add_cookies(
            [{"name": SESSION_COOKIE, "value": account.session, "url": self.app.base_url}]
        )


@contextmanager
def browsing(
    browser: Browser, app: LiveApp, *, timeout_ms: int = 10_000, every_page_checked: bool = True
) -> Iterator[Browse]:
    """A fresh context (cookies, storage) on ``app`` at desktop width, watched: a console error
    or an uncaught exception fails the test at its end, and so (``every_page_checked``) does a
    page visited without ``Browse.check``."""
    context = browser.new_context(
        base_url=app.base_url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.add_init_script(path=str(AXE))
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    checked = Browse(page, app)
    page.on("console", checked.on_console)
    page.on("pageerror", lambda exc: checked.errors.append(f"uncaught: {exc}"))
    page.on(
        "framenavigated",
        lambda frame: checked.visited.append(frame.url) if frame == page.main_frame else None,
    )
    try:
        yield checked
        assert not checked.errors, "console errors:\n" + "\n".join(checked.errors)
        unchecked = [url for url in checked.visited if urldefrag(url).url not in checked.checked]
        if every_page_checked:
            assert not unchecked, f"pages visited without the checks: {unchecked}"
    finally:
        context.close()


@pytest.fixture
def browse(browser: Browser, live_app: LiveApp) -> Iterator[Browse]:
    with browsing(browser, live_app) as checked:
        yield checked


@dataclass
class Account:
    email: str
    session: str
    person_id: str
    organisation_id: str


class Api:
    """Set-up through the JSON API over HTTP (what the browser tests do not test)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    @contextmanager
    def client(self, account: Account | None = None) -> Iterator[httpx.Client]:
        """A client holding its CSRF token, signed in as ``account`` if given."""
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            client.get("/health")
            client.headers["x-csrftoken"] = client.cookies["csrftoken"]
            if account is not None:
                client.cookies.set(SESSION_COOKIE, account.session)
            yield client

    @contextmanager
    def organisation(self, name: str = "Riverside Imaging") -> Iterator[httpx.Client]:
        """A client signed in as the owner of a new organisation."""
        with self.client() as owner:
            opened = owner.post(
                "/api/v1/organisations",
                json={
                    "organisation_name": name,
                    "slug": unique("imaging"),
                    "email": f"{unique('owner')}@example.org",
                    "password": PASSWORD,
                },
            )
            assert opened.status_code == 201, opened.text
            yield owner

    def invitation(self, address: str, organisation: str = "Hilltop Imaging", **body: Any) -> Any:
        """A new organisation's invitation of ``address`` as an employee (the API's answer)."""
        with self.organisation(organisation) as owner:
            sent = owner.post(
                "/api/v1/invitations", json={"email": address, "role": "employee", **body}
            )
            assert sent.status_code == 201, sent.text
            return sent.json()

    def employee(self, name: str = "Nia Okafor") -> Account:
        """A new organisation's employee with a staff record and an ARDMS RVT credential."""
        address = f"{unique('sonographer')}@example.org"
        sent = self.invitation(address, "Riverside Imaging", staff={"full_name": name})
        with self.client() as employee:
            joined = employee.post(
                "/api/v1/invitations/accept",
                json={"token": sent["accept_token"], "password": PASSWORD},
            )
            assert joined.status_code == 200, joined.text
            held = employee.post(
                f"/api/v1/people/{sent['person_id']}/credentials",
                json={"body": "ARDMS", "code": "RVT", "earned_on": "2024-03-15"},
            )
            assert held.status_code == 201, held.text
            return Account(
                email=address,
                session=employee.cookies[SESSION_COOKIE],
                person_id=sent["person_id"],
                organisation_id=joined.json()["organisation_id"],
            )


@pytest.fixture(scope="package")
def api(live_app: LiveApp) -> Api:
    return Api(live_app.base_url)
