"""The Mailer contract, run against every adapter: the in-memory fake and SMTP (a local aiosmtpd
sink). Each adapter is read back through what it delivered."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage

import msgspec
import pytest

from services.core.mail import Mailer, MemoryMailer, Message, SmtpMailer, build_mailer, to_email
from services.core.settings import Settings
from tests.live_server import free_port
from tests.mail_sink import bodies, running_sink

pytestmark = pytest.mark.integration
SENDER = "CME Ledger <no-reply@example.org>"


@dataclass
class Adapter:
    mailer: Mailer
    delivered: Callable[[], Awaitable[list[EmailMessage]]]


@pytest.fixture(params=["memory", "smtp"])
async def adapter(request: pytest.FixtureRequest) -> AsyncIterator[Adapter]:
    if request.param == "memory":
        fake = MemoryMailer()

        async def sent() -> list[EmailMessage]:
            return [to_email(message, SENDER) for message in fake.sent]

        yield Adapter(fake, sent)
        return
    with running_sink() as (sink, port):

        async def received() -> list[EmailMessage]:
            return sink.received

        yield Adapter(SmtpMailer("127.0.0.1", port, SENDER), received)


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
    text, html = bodies(delivered)
    assert "token=abc" in text
    assert '<a href="https://example.org/reset?token=abc">' in html
    assert delivered["List-Unsubscribe"] is None
    assert delivered["List-Unsubscribe-Post"] is None


async def test_optional_mail_carries_one_click_unsubscribe_and_a_stable_message_id(
    adapter: Adapter,
) -> None:
    link = "https://ledger.example.org/unsubscribe?token=abc.def"
    optional = msgspec.structs.replace(
        message(), unsubscribe_url=link, message_id="9b2e4f60-1c3d-5a7b-8e9f-0a1b2c3d4e5f"
    )
    await adapter.mailer.send(optional)
    await adapter.mailer.send(optional)
    first, again = await adapter.delivered()
    assert first["List-Unsubscribe"] == f"<{link}>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["Message-ID"] == "<9b2e4f60-1c3d-5a7b-8e9f-0a1b2c3d4e5f@example.org>"
    assert again["Message-ID"] == first["Message-ID"]
    assert first.get_content_type() == "multipart/alternative"


async def test_messages_arrive_separately_in_order(adapter: Adapter) -> None:
    await adapter.mailer.send(message("one@example.org"))
    await adapter.mailer.send(message("two@example.org"))
    assert [m["To"] for m in await adapter.delivered()] == ["one@example.org", "two@example.org"]


async def test_an_unreachable_smtp_server_raises_os_error() -> None:
    mailer = SmtpMailer("127.0.0.1", free_port(), SENDER, timeout_s=2)
    with pytest.raises(ConnectionRefusedError):
        await mailer.send(message())


async def test_a_temporary_refusal_raises_os_error_so_the_sender_can_retry() -> None:
    with running_sink() as (sink, port):
        sink.refuse = 1
        mailer = SmtpMailer("127.0.0.1", port, SENDER, timeout_s=2)
        with pytest.raises(OSError, match="Try again later"):
            await mailer.send(message())
        await mailer.send(message())
        assert len(sink.received) == 1


def test_settings_build_an_smtp_mailer() -> None:
    mailer = build_mailer(Settings(smtp_host="mail.example.org", smtp_port=2525))
    assert isinstance(mailer, SmtpMailer)
