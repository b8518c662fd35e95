"""Every actor of the worker, declared with the events it subscribes to (event actors) or run
by the scheduler (periodic jobs). The relay publishes by the subscriptions declared here."""

from __future__ import annotations

from typing import Any

import dramatiq

from services.core.blobs import build_blob_store
from services.core.mail import build_mailer
from services.core.settings import Settings
from services.worker.billing import BILLING_SUBSCRIBERS, reconcile_billing
from services.worker.broker import worker_application
from services.worker.certificates import certificate_subscribers
from services.worker.notifications import SCHEDULED_JOBS, mail_subscribers
from services.worker.readings import reading_actor
from services.worker.runtime import (
    DEFAULT_QUEUE,
    Subscriber,
    Subscriptions,
    scheduled_actor,
    tenant_actor,
)

MAX_RETRIES = 5


def subscribers(settings: Settings) -> tuple[Subscriber, ...]:
    """The event actors, with the mailer and blob store ``settings`` describe."""
    return (
        *mail_subscribers(build_mailer(settings)),
        *certificate_subscribers(build_blob_store(settings)),
        *BILLING_SUBSCRIBERS,
    )


def declare_actors(broker: dramatiq.Broker, *, queue_name: str = DEFAULT_QUEUE) -> Subscriptions:
    """Declare every actor on ``broker`` (tests pass their own broker and queue name): the
    event actors, the reading of chosen certificates and the scheduler's periodic runs; the
    subscriptions of the event actors."""
    settings = worker_application(broker).settings
    declared = subscribers(settings)
    for subscriber in declared:
        options: dict[str, Any] = (
            {"notify_shutdown": True} if subscriber.interrupt_on_shutdown else {}
        )
        tenant_actor(
            broker, subscriber.handler, queue_name=queue_name, max_retries=MAX_RETRIES, **options
        )
    reading_actor(
        broker,
        build_blob_store(settings),
        queue_name=queue_name,
        max_retries=MAX_RETRIES,
        notify_shutdown=True,
    )
    for job in (*SCHEDULED_JOBS, reconcile_billing):
        scheduled_actor(broker, job, queue_name=queue_name, max_retries=MAX_RETRIES)
    return Subscriptions.of(declared)
