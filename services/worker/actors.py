"""The actors. Each takes JSON-simple arguments (tenant id, event id, seq, correlation id), runs
in one tenant-scoped transaction and is idempotent: its effect is keyed by the message id, which
the relay derives from (event id, actor name), so a duplicate delivery changes nothing.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import dramatiq
import msgspec
import structlog

from services.core.db import Tx
from services.worker.broker import (
    BUSY_DELAY_MS,
    Busy,
    PermanentFailure,
    worker_database,
    worker_settings,
)
from services.worker.certificates import verification_handlers
from services.worker.effects import claim_effect
from services.worker.notifications import mail_handlers, scheduled_jobs
from services.worker.scheduler import scheduled_actor
from services.worker.subscriptions import DEFAULT_QUEUE, message_id_for


class Job(msgspec.Struct, frozen=True, kw_only=True):
    """What an actor is asked to do: handle one event of one tenant."""

    actor_name: str
    tenant_id: UUID
    event_id: UUID
    seq: int
    correlation_id: str | None = None

    @property
    def message_id(self) -> str:
        return message_id_for(self.event_id, self.actor_name)

    def message(self, broker: dramatiq.Broker) -> dramatiq.Message[Any]:
        """The message asking for this job, with its deterministic id."""
        message = broker.get_actor(self.actor_name).message_with_options(
            kwargs={
                "tenant_id": str(self.tenant_id),
                "event_id": str(self.event_id),
                "seq": self.seq,
                "correlation_id": self.correlation_id,
            },
            tenant_id=str(self.tenant_id),
            correlation_id=self.correlation_id,
        )
        return message.copy(message_id=self.message_id)


Handler = Callable[[Tx, Job], Awaitable[None]]


def tenant_actor(
    broker: dramatiq.Broker, handler: Handler, *, queue_name: str, **options: Any
) -> dramatiq.Actor[Any, Any]:
    """Declare ``handler`` as an async actor on ``broker``: it binds the log context (the
    event loop thread does not see the worker thread's) and opens the tenant's transaction."""
    actor_name = handler.__name__
    database = worker_database(broker)

    async def run(
        tenant_id: str, event_id: str, seq: int, correlation_id: str | None = None
    ) -> None:
        try:
            job = Job(
                actor_name=actor_name,
                tenant_id=UUID(tenant_id),
                event_id=UUID(event_id),
                seq=seq,
                correlation_id=correlation_id,
            )
        except (TypeError, ValueError) as exc:
            raise PermanentFailure(f"malformed job: {exc}") from exc
        context = {"tenant_id": tenant_id, "correlation_id": correlation_id}
        with structlog.contextvars.bound_contextvars(
            **{k: v for k, v in context.items() if v is not None}, message_id=job.message_id
        ):
            try:
                async with database.transaction(job.tenant_id) as tx:
                    await handler(tx, job)
            except Busy:
                delay = round(BUSY_DELAY_MS * random.uniform(0.67, 1.33))
                await asyncio.to_thread(broker.enqueue, job.message(broker), delay=delay)

    run.__name__ = actor_name
    declare = dramatiq.actor(
        broker=broker,
        actor_name=actor_name,
        queue_name=queue_name,
        throws=(PermanentFailure,),
        **options,
    )
    return declare(run)


async def record_receipt(tx: Tx, job: Job) -> None:
    """Record, once per message, that the worker received the event (the smallest real effect:
    it proves relay -> broker -> actor -> database, exactly once per message)."""
    inserted = await claim_effect(tx, job)
    structlog.get_logger("cmeledger.worker").info(
        "receipt recorded" if inserted else "duplicate delivery ignored", seq=job.seq
    )


HANDLERS: tuple[Handler, ...] = (record_receipt,)


def declare_actors(
    broker: dramatiq.Broker, *, queue_name: str = DEFAULT_QUEUE
) -> dict[str, dramatiq.Actor[Any, Any]]:
    """Declare every actor on ``broker`` (tests pass their own broker and queue name): the
    event actors and the scheduler's periodic runs."""
    settings = worker_settings(broker)
    declared = {
        handler.__name__: tenant_actor(broker, handler, queue_name=queue_name, max_retries=5)
        for handler in (*HANDLERS, *mail_handlers(settings))
    }
    # Verification is interrupted when the worker shuts down (its reading is killed, its
    # transaction rolled back, its message redelivered) rather than waited for.
    for handler in verification_handlers(settings):
        declared[handler.__name__] = tenant_actor(
            broker, handler, queue_name=queue_name, max_retries=5, notify_shutdown=True
        )
    for job in scheduled_jobs(settings):
        declared[job.__name__] = scheduled_actor(broker, job, queue_name=queue_name, max_retries=5)
    return declared
