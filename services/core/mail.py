"""Sending email: a ``Mailer`` port, an SMTP adapter and an in-memory fake.

Every message has a plain-text and an HTML body. Optional mail carries an unsubscribe link, sent
as ``List-Unsubscribe`` with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058: a
mail client unsubscribes with one POST, without opening a page). A message with an id gets the
same ``Message-ID`` header on every attempt, so a mail sent again after a crash is recognised as
a duplicate by the receiving mail systems that deduplicate. The SMTP adapter uses the standard
library in a worker thread, so a slow mail server never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Protocol, runtime_checkable

import msgspec
import structlog

from services.core.settings import Settings


class Message(msgspec.Struct, frozen=True, kw_only=True):
    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None
    """Optional mail only: the one-click unsubscribe address (https, answers POST)."""
    message_id: str | None = None
    """The unique left part of the ``Message-ID`` (the sender's domain is the right part)."""


@runtime_checkable
class Mailer(Protocol):
    async def send(self, message: Message) -> None:
        """Hand ``message`` to the mail system; raise ``OSError`` if it cannot be delivered."""
        ...


def to_email(message: Message, sender: str) -> EmailMessage:
    """The MIME form: multipart/alternative with the text part first, HTML preferred."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    if message.message_id is not None:
        domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
        email["Message-ID"] = f"<{message.message_id}@{domain}>"
    if message.unsubscribe_url is not None:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


class SmtpMailer:
    def __init__(self, host: str, port: int, sender: str, timeout_s: float = 10.0) -> None:
        self._host, self._port, self._sender, self._timeout = host, port, sender, timeout_s

    async def send(self, message: Message) -> None:
        await asyncio.to_thread(self._send, to_email(message, self._sender))

    def _send(self, email: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
            smtp.send_message(email)


class MemoryMailer:
    """Keeps every message in ``sent`` (tests and local runs without a mail server)."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    async def send(self, message: Message) -> None:
        self.sent.append(message)


async def send_quietly(mailer: Mailer, message: Message) -> None:
    """Send ``message``, logging instead of raising when it cannot be delivered (for mail sent
    after the answer, when nobody is left to tell)."""
    try:
        await mailer.send(message)
    except OSError:
        structlog.get_logger().exception("mail not sent", subject=message.subject)


def build_mailer(settings: Settings) -> Mailer:
    return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_from)
