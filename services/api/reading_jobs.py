"""The API's way to the worker for reading a chosen scan or photo: a Dramatiq RabbitMQ broker
with publisher confirms and no middleware, declaring the worker's queue as the worker does
(classic or quorum). A connection is opened for each job and closed after it: a person chooses
a file now and then, and a blocking connection left idle would miss its heartbeats and be
dropped by RabbitMQ. It gives up within seconds (one attempt, short connect, socket and blocked
timeouts): the request waiting on it holds a database connection."""

from __future__ import annotations

import pika.connection
import pika.exceptions
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.errors import BrokerConnectionError

from services.core.certificates.drafts import ReadingJob
from services.core.operations.queues import rabbitmq_broker
from services.core.settings import Settings

GIVE_UP_S = 3
"""How long the API waits on RabbitMQ: to connect, for a socket, while blocked."""


class ReadingJobs:
    """Sends ``ReadingJob`` messages to the worker's queue (``SendReading``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def broker(self) -> RabbitmqBroker:
        """A broker for one job, giving up within ``GIVE_UP_S``."""
        broker = rabbitmq_broker(self.settings, middleware=[])
        parameters = broker.parameters
        assert isinstance(parameters, pika.connection.Parameters)
        parameters.connection_attempts = 1
        parameters.socket_timeout = GIVE_UP_S
        parameters.stack_timeout = GIVE_UP_S
        parameters.blocked_connection_timeout = GIVE_UP_S
        return broker

    def send(self, job: ReadingJob) -> None:
        """Put ``job`` on the worker's queue; returns once RabbitMQ confirmed it (raises a
        ``dramatiq.errors.BrokerError`` when RabbitMQ cannot be reached or refuses it)."""
        broker = self.broker()
        try:
            # Connect once here: the enqueue below would try to connect again several times.
            broker.connection  # noqa: B018
            broker.enqueue(job.message(self.settings.broker_queue))
        except pika.exceptions.AMQPError as exc:
            raise BrokerConnectionError(str(exc)) from exc  # type: ignore[no-untyped-call]
        finally:
            broker.close()
