"""The notification actors: mail for events members care about, the scheduled reminder and
digest runs, and the delivery of every queued mail.

Each queues its mail in its own transaction (``services.core.notifications.outbox``); the relay
then hands each ``*Queued`` event to ``deliver_mail``, which sends it. So a job that decides to
mail and the sending itself are retried apart: a failing mail server never makes a job decide
again, and a decision is never lost to a failing mail server.
"""

from __future__ import annotations

from datetime import date

import structlog

from domain.credits.verification import (
    CertificateNeedsReview,
    CertificateRejected,
    CertificateVerified,
)
from domain.notifications.mail import (
    MAIL_QUEUED_EVENTS,
    DigestQueued,
    ManualReminderQueued,
    NotificationQueued,
    ReminderQueued,
)
from domain.organisations.organisation import AuditorAccessChanged, MemberAdded
from services.core.application import UnitOfWork
from services.core.mail import Mailer
from services.core.notifications.digest import queue_digests
from services.core.notifications.events import (
    queue_auditor_access_notification,
    queue_certificate_notification,
)
from services.core.notifications.outbox import deliver
from services.core.notifications.reminders import queue_reminders
from services.worker.broker import PermanentFailure
from services.worker.runtime import Job, ScheduledJob, Subscriber, event_of

log = structlog.get_logger("cmeledger.notifications")


def mail_subscribers(mailer: Mailer) -> tuple[Subscriber, ...]:
    """The notification actors, sending with ``mailer``."""

    async def deliver_mail(uow: UnitOfWork, job: Job) -> None:
        """Send the mail a ``*Queued`` event queued (once; see ``outbox.deliver``)."""
        queued = uow.store.decode(await event_of(uow, job))
        if not isinstance(
            queued, ReminderQueued | ManualReminderQueued | DigestQueued | NotificationQueued
        ):
            raise PermanentFailure(f"not a queued mail: {type(queued).__name__}")
        sent = await deliver(uow.tx, uow.store, mailer, queued.mail_id, uow.metadata)
        log.info("mail sent" if sent else "mail already sent", mail_id=str(queued.mail_id))

    return (
        Subscriber(deliver_mail, MAIL_QUEUED_EVENTS),
        Subscriber(
            notify_certificate,
            (CertificateVerified, CertificateNeedsReview, CertificateRejected),
        ),
        Subscriber(notify_auditor_access, (MemberAdded, AuditorAccessChanged)),
    )


async def notify_certificate(uow: UnitOfWork, job: Job) -> None:
    """Queue the mail about a certificate's verification outcome to its person."""
    event = await event_of(uow, job)
    await queue_certificate_notification(uow.tx, uow.store, uow.settings, event, uow.metadata)


async def notify_auditor_access(uow: UnitOfWork, job: Job) -> None:
    """Queue the mail about an auditor's access being granted or changed."""
    event = await event_of(uow, job)
    await queue_auditor_access_notification(uow.tx, uow.store, uow.settings, event, uow.metadata)


async def send_reminders(uow: UnitOfWork, run_on: date) -> int:
    """Queue the deadline reminders due on ``run_on``."""
    return await queue_reminders(
        uow.tx, uow.store, uow.settings, run_on=run_on, metadata=uow.metadata
    )


async def send_digest(uow: UnitOfWork, run_on: date) -> int:
    """Queue the weekly digest of the week of ``run_on``."""
    return await queue_digests(
        uow.tx, uow.store, uow.settings, run_on=run_on, metadata=uow.metadata
    )


SCHEDULED_JOBS: tuple[ScheduledJob, ...] = (send_reminders, send_digest)
"""The periodic runs the scheduler enqueues (``services.worker.scheduler``)."""
