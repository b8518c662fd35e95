"""The API's way to the worker for reading a chosen scan or photo: a Dramatiq RabbitMQ broker
with publisher confirms and no middleware, connected on first use (one channel per thread),
declaring the worker's queue as the worker does (classic or quorum)."""

from __future__ import annotations

import threading

import dramatiq

from services.core.certificates.drafts import ReadingJob
from services.core.operations.queues import rabbitmq_broker
from services.core.settings import Settings


class ReadingJobs:
    """Sends ``ReadingJob`` messages to the worker's queue (``SendReading``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._broker: dramatiq.Broker | None = None
        self._lock = threading.Lock()

    def send(self, job: ReadingJob) -> None:
        """Put ``job`` on the worker's queue; returns once RabbitMQ confirmed it (raises
        ``dramatiq.errors.ConnectionError`` when RabbitMQ cannot be reached)."""
        self._connected().enqueue(job.message(self.settings.broker_queue))

    def _connected(self) -> dramatiq.Broker:
        with self._lock:
            if self._broker is None:
                self._broker = rabbitmq_broker(self.settings, middleware=[])
            return self._broker

    def close(self) -> None:
        with self._lock:
            if self._broker is not None:
                self._broker.close()
                self._broker = None
