"""The notification actors: mail for events members care about, the scheduled reminder and
digest runs, and the delivery of every queued mail.

Each queues its mail in its own transaction (``services.core.notifications.outbox``); the relay
then hands each ``*Queued`` event to ``deliver_mail``, which sends it. So a job that decides to
mail and the sending itself are retried apart: a failing mail server never makes a job decide
again, and a decision is never lost to a failing mail server.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING

import structlog

from domain.notifications.mail import DigestQueued, NotificationQueued, ReminderQueued
from services.core.db import Tx
from services.core.eventstore import EventStore, Metadata, RecordedEvent, read_history
from services.core.mail import build_mailer
from services.core.notifications.digest import queue_digests
from services.core.notifications.events import (
    queue_auditor_access_notification,
    queue_certificate_notification,
)
from services.core.notifications.outbox import deliver
from services.core.notifications.reminders import queue_reminders
from services.core.registry import build_event_store
from services.core.settings import Settings
from services.worker.broker import PermanentFailure

if TYPE_CHECKING:
    from services.worker.actors import Handler, Job

ScheduledJob = Callable[[Tx, date, Metadata], Awaitable[int]]
"""A periodic run for one tenant and day, in the tenant's transaction: returns mails queued."""

log = structlog.get_logger("cmeledger.notifications")


async def _event_of(tx: Tx, job: Job) -> RecordedEvent:
    found = await read_history(tx, after_seq=job.seq - 1, limit=1)
    if not found or found[0].event_id != job.event_id:
        raise PermanentFailure(f"no event {job.event_id} at seq {job.seq}")
    return found[0]


def _metadata(job: Job) -> Metadata:
    return Metadata(
        actor_id=job.actor_name,
        actor_role="system",
        correlation_id=job.correlation_id,
        causation_id=str(job.event_id),
    )


def mail_handlers(settings: Settings, store: EventStore | None = None) -> tuple[Handler, ...]:
    """The event actors' handlers, sending with the mailer ``settings`` describe."""
    store = store or build_event_store()
    mailer = build_mailer(settings)

    async def deliver_mail(tx: Tx, job: Job) -> None:
        """Send the mail a ``*Queued`` event queued (once; see ``outbox.deliver``)."""
        queued = store.decode(await _event_of(tx, job))
        if not isinstance(queued, ReminderQueued | DigestQueued | NotificationQueued):
            raise PermanentFailure(f"not a queued mail: {type(queued).__name__}")
        sent = await deliver(tx, store, mailer, queued.mail_id, _metadata(job))
        log.info("mail sent" if sent else "mail already sent", mail_id=str(queued.mail_id))

    async def notify_certificate(tx: Tx, job: Job) -> None:
        """Queue the mail about a certificate's verification outcome to its person."""
        event = await _event_of(tx, job)
        await queue_certificate_notification(tx, store, settings, event, _metadata(job))

    async def notify_auditor_access(tx: Tx, job: Job) -> None:
        """Queue the mail about an auditor's access being granted or changed."""
        event = await _event_of(tx, job)
        await queue_auditor_access_notification(tx, store, settings, event, _metadata(job))

    return deliver_mail, notify_certificate, notify_auditor_access


def scheduled_jobs(settings: Settings, store: EventStore | None = None) -> tuple[ScheduledJob, ...]:
    """The periodic runs the scheduler enqueues (``services.worker.scheduler``)."""
    store = store or build_event_store()

    async def send_reminders(tx: Tx, run_on: date, metadata: Metadata) -> int:
        return await queue_reminders(tx, store, settings, run_on=run_on, metadata=metadata)

    async def send_digest(tx: Tx, run_on: date, metadata: Metadata) -> int:
        return await queue_digests(tx, store, settings, run_on=run_on, metadata=metadata)

    return send_reminders, send_digest
