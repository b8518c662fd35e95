"""The Dramatiq broker, set up explicitly: RabbitMQ with publisher confirms (StubBroker in tests).

Middleware, in order: age and time limits, retries with exponential backoff (an actor's
``throws=(PermanentFailure,)`` skips them), callbacks, the asyncio event loop for async actors,
the per-message log context, and the database lifecycle of the worker process. A message that
exhausts its retries, or fails permanently, is nacked into Dramatiq's dead-letter queue
(``<queue>.XQ`` on RabbitMQ; ``dead_letters_by_queue`` on the StubBroker).
"""

from __future__ import annotations

from typing import Any

import dramatiq
import structlog
from dramatiq.broker import MessageProxy
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import (
    AgeLimit,
    AsyncIO,
    Callbacks,
    Middleware,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from services.core.db import Database
from services.core.settings import Settings

MIN_BACKOFF_MS = 1_000
MAX_BACKOFF_MS = 10 * 60 * 1_000
MAX_RETRIES = 8
TIME_LIMIT_MS = 5 * 60 * 1_000

# Message options the relay sets and the context middleware binds.
TENANT_OPTION = "tenant_id"
CORRELATION_OPTION = "correlation_id"


class PermanentFailure(Exception):
    """A known failure that a retry cannot fix (bad input, missing data): not retried."""


class MessageContext(Middleware):
    """Binds tenant id, correlation id and message id from a message's options into the
    structlog context of the worker thread while it processes the message, and clears them
    after. Async actors run on the event loop thread and rebind from their arguments
    (``services.worker.actors.tenant_actor``)."""

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        structlog.contextvars.bind_contextvars(**message_context(message.options, message))

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        structlog.contextvars.unbind_contextvars(*CONTEXT_KEYS)

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        structlog.contextvars.unbind_contextvars(*CONTEXT_KEYS)


CONTEXT_KEYS = ("tenant_id", "correlation_id", "message_id")


def message_context(options: dict[str, Any], message: MessageProxy | None) -> dict[str, Any]:
    context = {
        "tenant_id": options.get(TENANT_OPTION),
        "correlation_id": options.get(CORRELATION_OPTION),
        "message_id": message.message_id if message is not None else None,
    }
    return {key: value for key, value in context.items() if value is not None}


class WorkerDatabase(Middleware):
    """The worker process's connection pool: created lazily on the event loop thread by the
    first actor, closed there when the worker shuts down."""

    def __init__(self, settings: Settings) -> None:
        self.database = Database(settings)

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        from dramatiq.asyncio import get_event_loop_thread

        loop_thread = get_event_loop_thread()
        if loop_thread is not None:
            loop_thread.run_coroutine(self.database.dispose())


def build_broker(
    settings: Settings, *, stub: bool = False, confirm_delivery: bool = True
) -> dramatiq.Broker:
    """A broker with our middleware; RabbitMQ from ``settings.broker_url`` unless ``stub``."""
    middleware: list[Middleware] = [
        AgeLimit(),
        TimeLimit(time_limit=TIME_LIMIT_MS),
        ShutdownNotifications(),
        Callbacks(),
        Retries(max_retries=MAX_RETRIES, min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS),
        AsyncIO(),
        MessageContext(),
        WorkerDatabase(settings),
    ]
    if stub:
        return StubBroker(middleware=middleware)
    return RabbitmqBroker(
        url=settings.broker_url, confirm_delivery=confirm_delivery, middleware=middleware
    )


def worker_database(broker: dramatiq.Broker) -> Database:
    """The database of the worker process that ``broker`` serves."""
    for middleware in broker.middleware:
        if isinstance(middleware, WorkerDatabase):
            return middleware.database
    raise RuntimeError("the broker was not built by build_broker")
