"""The Mailer contract, run against every adapter: the in-memory fake and SMTP (a local aiosmtpd
sink). Each adapter is read back through what it delivered."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from services.core.mail import Mailer, MemoryMailer, Message, SmtpMailer, build_mailer, to_email
from services.core.settings import Settings

pytestmark = pytest.mark.integration
SENDER = "CME Ledger <no-reply@example.org>"


class Sink:
    """An aiosmtpd handler that keeps every delivered message."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        return "250 OK"


@dataclass
class Adapter:
    mailer: Mailer
    delivered: Callable[[], Awaitable[list[EmailMessage]]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=["memory", "smtp"])
async def adapter(request: pytest.FixtureRequest) -> AsyncIterator[Adapter]:
    if request.param == "memory":
        fake = MemoryMailer()

        async def sent() -> list[EmailMessage]:
            return [to_email(message, SENDER) for message in fake.sent]

        yield Adapter(fake, sent)
        return
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()

    async def received() -> list[EmailMessage]:
        return sink.received

    try:
        yield Adapter(SmtpMailer("127.0.0.1", port, SENDER), received)
    finally:
        controller.stop()


def message(to: str = "ana@example.org") -> Message:
    return Message(
        to=to,
        subject="Reset your password",
        text="Open https://example.org/reset?token=abc\n",
        html='<p><a href="https://example.org/reset?token=abc">Reset</a></p>',
    )


async def test_a_sent_message_arrives_with_text_and_html_bodies(adapter: Adapter) -> None:
    await adapter.mailer.send(message())
    [delivered] = await adapter.delivered()
    assert delivered["To"] == "ana@example.org"
    assert delivered["From"] == SENDER
    assert delivered["Subject"] == "Reset your password"
    text = delivered.get_body(preferencelist=("plain",))
    html = delivered.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert isinstance(text, EmailMessage)
    assert isinstance(html, EmailMessage)
    assert "token=abc" in text.get_content()
    assert '<a href="https://example.org/reset?token=abc">' in html.get_content()


async def test_messages_arrive_separately_in_order(adapter: Adapter) -> None:
    await adapter.mailer.send(message("one@example.org"))
    await adapter.mailer.send(message("two@example.org"))
    assert [m["To"] for m in await adapter.delivered()] == ["one@example.org", "two@example.org"]


async def test_an_unreachable_smtp_server_raises_os_error() -> None:
    mailer = SmtpMailer("127.0.0.1", free_port(), SENDER, timeout_s=2)
    with pytest.raises(ConnectionRefusedError):
        await mailer.send(message())


def test_settings_build_an_smtp_mailer() -> None:
    mailer = build_mailer(Settings(smtp_host="mail.example.org", smtp_port=2525))
    assert isinstance(mailer, SmtpMailer)
