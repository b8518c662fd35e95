"""Sending email: a ``Mailer`` port, an SMTP adapter and an in-memory fake.

Every message has a plain-text and an HTML body. The SMTP adapter uses the standard library in a
worker thread, so a slow mail server never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Protocol

import msgspec

from services.core.settings import Settings


class Message(msgspec.Struct, frozen=True, kw_only=True):
    to: str
    subject: str
    text: str
    html: str


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


def build_mailer(settings: Settings) -> Mailer:
    return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_from)
