"""The API's way to the worker for reading a chosen scan or photo: a Dramatiq RabbitMQ broker
with publisher confirms and no middleware, declaring the worker's queue as the worker does
(classic or quorum). A connection is opened for each job and closed after it: a person chooses
a file now and then, and a blocking connection left idle would miss its heartbeats and be
dropped by RabbitMQ."""

from __future__ import annotations

from services.core.certificates.drafts import ReadingJob
from services.core.operations.queues import rabbitmq_broker
from services.core.settings import Settings


class ReadingJobs:
    """Sends ``ReadingJob`` messages to the worker's queue (``SendReading``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, job: ReadingJob) -> None:
        """Put ``job`` on the worker's queue; returns once RabbitMQ confirmed it (raises
        ``dramatiq.errors.BrokerConnectionError`` when RabbitMQ cannot be reached)."""
        broker = rabbitmq_broker(self.settings, middleware=[])
        try:
            broker.enqueue(job.message(self.settings.broker_queue))
        finally:
            broker.close()
