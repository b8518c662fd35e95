"""The Dramatiq broker, set up explicitly: RabbitMQ with publisher confirms (StubBroker in tests).

Middleware, in order: age and time limits, retries with exponential backoff (an actor's
``throws=(PermanentFailure,)`` skips them), callbacks, the asyncio event loop for async actors,
the per-message log context, and the application (database pool) of the worker process. A
message that exhausts its retries, or fails permanently, goes to Dramatiq's dead-letter queue: on
RabbitMQ ``<queue>.XQ``, with its error (``DeadLetterWithError``); on the StubBroker
``dead_letters_by_queue``.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

import dramatiq
import structlog
from dramatiq.broker import MessageProxy
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import current_millis, xq_name
from dramatiq.errors import BrokerConnectionError
from dramatiq.middleware import (
    AgeLimit,
    AsyncIO,
    Callbacks,
    Middleware,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from services.core.application import Application
from services.core.db import Database
from services.core.metrics import JOB_DURATION, JOB_FAILURES
from services.core.operations.messages import FAILED_AT_OPTION, TENANT_OPTION, TRACEBACK_OPTION
from services.core.operations.queues import rabbitmq_broker
from services.core.registry import build_event_store
from services.core.settings import Settings

MIN_BACKOFF_MS = 1_000
MAX_BACKOFF_MS = 10 * 60 * 1_000
MAX_RETRIES = 8
TIME_LIMIT_MS = 5 * 60 * 1_000
SHUTDOWN_TIMEOUT_MS = 4_000
"""How long a stopping worker waits for its actors (interrupted, or finishing a short job), and
as long again for its consumers: within the 10 s an orchestrator gives before SIGKILL."""

CORRELATION_OPTION = "correlation_id"
"""A message option the relay sets and the context middleware binds, as ``TENANT_OPTION``."""


class PermanentFailure(Exception):
    """A known failure that a retry cannot fix (bad input, missing data): not retried."""


class Busy(Exception):
    """The job cannot run yet (its tenant has its share of the workers): its transaction is
    rolled back and its message sent again after ``BUSY_DELAY_MS`` (give or take a third), not
    counted as a retry."""


BUSY_DELAY_MS = 3_000


class PerMessage(Middleware):
    """Dramatiq's message hooks in two: ``begin`` as a message's processing begins, ``end`` as
    it ends (processed, failed with ``exception``, or skipped)."""

    def begin(self, message: MessageProxy) -> None:
        """Before ``message`` is processed."""

    def end(self, message: MessageProxy, exception: BaseException | None, *, skipped: bool) -> None:
        """After ``message`` was processed (``exception``: why it failed) or skipped."""

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self.begin(message)

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        self.end(message, exception, skipped=False)

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self.end(message, None, skipped=True)


class MessageContext(PerMessage):
    """Binds tenant id, correlation id and message id from a message's options into the
    structlog context of the worker thread while it processes the message, and clears them
    after. Async actors run on the event loop thread and rebind from their arguments
    (``services.worker.runtime.tenant_actor``)."""

    def begin(self, message: MessageProxy) -> None:
        structlog.contextvars.bind_contextvars(**message_context(message.options, message))

    def end(self, message: MessageProxy, exception: BaseException | None, *, skipped: bool) -> None:
        structlog.contextvars.unbind_contextvars(*CONTEXT_KEYS)


CONTEXT_KEYS = ("tenant_id", "correlation_id", "message_id")


def message_context(options: dict[str, Any], message: MessageProxy | None) -> dict[str, Any]:
    context = {
        "tenant_id": options.get(TENANT_OPTION),
        "correlation_id": options.get(CORRELATION_OPTION),
        "message_id": message.message_id if message is not None else None,
    }
    return {key: value for key, value in context.items() if value is not None}


class JobMetrics(PerMessage):
    """Times every job attempt (``cmeledger_job_duration_seconds{actor, outcome}``) and counts
    the failed ones (``cmeledger_job_failures_total{actor}``). Dramatiq's own Prometheus
    middleware assumes the ``dramatiq`` command's processes and its own exposition server; ours
    are served with the rest of the process's metrics."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}  # message id -> start; one thread per message

    def begin(self, message: MessageProxy) -> None:
        self._started[message.message_id] = time.perf_counter()

    def end(self, message: MessageProxy, exception: BaseException | None, *, skipped: bool) -> None:
        started = self._started.pop(message.message_id, None)
        if skipped:
            return
        outcome = "done" if exception is None else "failed"
        if started is not None:
            JOB_DURATION.labels(message.actor_name, outcome).observe(time.perf_counter() - started)
        if exception is not None:
            JOB_FAILURES.labels(message.actor_name).inc()


class DeadLetterWithError(Middleware):
    """Dead-letters a failed message itself, saying why it failed.

    RabbitMQ dead-letters a rejected delivery as it was delivered: a permanent failure would
    arrive in ``<queue>.XQ`` without its error, an exhausted one with the previous attempt's.
    This publishes the failed message, with its final retry count, traceback and failure time,
    to the dead-letter queue (confirmed), then lets the worker acknowledge the delivery. Should
    that publish fail, the worker rejects the delivery and RabbitMQ dead-letters it as delivered.
    It must run after ``Retries``, which decides that a message failed for good.
    """

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if not message.failed:
            return
        options: dict[str, Any] = {FAILED_AT_OPTION: current_millis()}
        if exception is not None:
            options[TRACEBACK_OPTION] = "".join(traceback.format_exception(exception, limit=30))
        try:
            broker.enqueue(message.copy(queue_name=xq_name(message.queue_name), options=options))
        except BrokerConnectionError:
            structlog.get_logger("cmeledger.worker").warning(
                "dead letter left to the broker", message_id=message.message_id, exc_info=True
            )
            return
        message.failed = False


class WorkerApplication(Middleware):
    """The worker process's application (settings, event store, connection pool): the pool is
    created lazily on the event loop thread by the first actor, closed there when the worker
    shuts down."""

    def __init__(self, settings: Settings) -> None:
        self.application = Application(Database(settings), build_event_store(), settings)

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        from dramatiq.asyncio import get_event_loop_thread

        loop_thread = get_event_loop_thread()
        if loop_thread is not None:
            loop_thread.run_coroutine(self.application.database.dispose())


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
        JobMetrics(),
        WorkerApplication(settings),
    ]
    if stub:
        return StubBroker(middleware=middleware)
    broker = rabbitmq_broker(settings, middleware=middleware, confirm_delivery=confirm_delivery)
    broker.add_middleware(DeadLetterWithError(), before=Retries)  # its "after" hooks run later
    return broker


def worker_application(broker: dramatiq.Broker) -> Application:
    """The application of the worker process that ``broker`` serves (its actors run their jobs
    through it, with the settings ``broker`` was built with)."""
    for middleware in broker.middleware:
        if isinstance(middleware, WorkerApplication):
            return middleware.application
    raise RuntimeError("the broker was not built by build_broker")
