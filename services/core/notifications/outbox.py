"""The mail outbox: queue a mail once, send it at most once per attempt, mark it sent.

``queue_mail`` runs in the deciding job's transaction: the ``*Queued`` event and the outbox row
commit together or not at all, and a mail id queued before is left as it is (a retried job
decides again and finds its mail). ``deliver`` runs in the ``deliver_mail`` actor's transaction:
it locks the outbox row, sends, and records ``sent_at`` and ``MailSent``; a concurrent or
duplicate delivery waits for the lock and then finds the mail sent. If the mail server refuses,
``OSError`` rolls the transaction back and the actor is retried. One window remains: a crash
after the server accepted the mail and before the commit sends it again on the retry; the
repeat carries the same ``Message-ID``, which mail systems use to drop duplicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple
from uuid import NAMESPACE_URL, UUID, uuid5

import structlog

from domain.notifications.mail import MailSent
from domain.notifications.preferences import MailCategory, MandatoryMail
from domain.shared.event import Event
from services.core.db import Tx
from services.core.eventsourcing.commands import record_fact
from services.core.eventsourcing.store import EventStore, Metadata
from services.core.mail import Mailer, Message
from services.core.stream_ids import mail_stream

MAIL_NAMESPACE = uuid5(NAMESPACE_URL, "https://cmeledger.example/mail")

log = structlog.get_logger("cmeledger.mail")


def mail_id_for(*about: object) -> UUID:
    """The id of the mail about ``about`` (e.g. "reminder", person id, day): the same decision
    always names the same mail."""
    return uuid5(MAIL_NAMESPACE, ":".join(str(part) for part in about))


class Recipient(NamedTuple):
    user_id: UUID
    email: str


async def recipients(tx: Tx, *, roles: Sequence[str]) -> list[Recipient]:
    """The organisation's current members with one of ``roles``, with their account address."""
    rows = await tx.pg.fetch(
        "SELECT m.user_id, u.email FROM memberships m JOIN users u USING (user_id)"
        " WHERE m.tenant_id = $1 AND m.role = ANY($2::text[])"
        " AND (m.access_until IS NULL OR m.access_until > now()) ORDER BY u.email",
        tx.require_tenant(),
        list(roles),
    )
    return [Recipient(row["user_id"], row["email"]) for row in rows]


async def queue_mail(
    tx: Tx,
    store: EventStore,
    *,
    queued: Event,
    mail_id: UUID,
    user_id: UUID,
    category: MailCategory | MandatoryMail,
    message: Message,
    metadata: Metadata | None = None,
) -> bool:
    """Store ``message`` for sending and record ``queued`` (its event id derives from the mail
    id), unless the mail was queued before; True if it was queued now."""
    fresh = await tx.pg.fetchval(
        "INSERT INTO mail_outbox (tenant_id, mail_id, user_id, category, recipient, subject,"
        " body_text, body_html, unsubscribe_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT DO NOTHING RETURNING true",
        tx.require_tenant(),
        mail_id,
        user_id,
        category,
        message.to,
        message.subject,
        message.text,
        message.html,
        message.unsubscribe_url,
    )
    if not fresh:
        return False
    await record_fact(
        tx,
        store,
        mail_stream(user_id),
        queued,
        event_id=uuid5(mail_id, "queued"),
        metadata=metadata,
    )
    return True


async def deliver(
    tx: Tx, store: EventStore, mailer: Mailer, mail_id: UUID, metadata: Metadata | None = None
) -> bool:
    """Send the queued mail ``mail_id`` unless it was sent; True if it was sent now. Raises
    ``OSError`` when the mail server cannot take it (nothing is recorded)."""
    row = await tx.pg.fetchrow(
        "SELECT user_id, recipient, subject, body_text, body_html, unsubscribe_url, sent_at"
        " FROM mail_outbox WHERE tenant_id = $1 AND mail_id = $2 FOR UPDATE",
        tx.require_tenant(),
        mail_id,
    )
    if row is None or row["sent_at"] is not None:
        return False
    message = Message(
        to=row["recipient"],
        subject=row["subject"],
        text=row["body_text"],
        html=row["body_html"],
        unsubscribe_url=row["unsubscribe_url"],
        message_id=str(mail_id),
    )
    try:
        await mailer.send(message)
    except OSError:
        log.error("mail not sent; the job is retried", mail_id=str(mail_id), exc_info=True)
        raise
    await tx.pg.execute(
        "UPDATE mail_outbox SET sent_at = now() WHERE tenant_id = $1 AND mail_id = $2",
        tx.require_tenant(),
        mail_id,
    )
    await record_fact(
        tx,
        store,
        mail_stream(row["user_id"]),
        MailSent(mail_id=mail_id),
        event_id=uuid5(mail_id, "sent"),
        metadata=metadata,
    )
    return True
