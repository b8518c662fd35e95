"""The worker runtime: what a job is, how an actor is declared with the events it subscribes to,
and how a job runs through the application layer.

An event actor takes JSON-simple arguments (tenant id, event id, seq, correlation id) and runs
as the system ``Actor`` named after it, in one unit of work of its tenant
(``services.core.application``). It is idempotent: its commands take their ids from its message
id, which the relay derives from (event id, actor name), and an actor that does more than issue
commands claims its message in ``actor_effects`` in the same transaction, so a duplicate
delivery changes nothing.

A scheduled actor takes (tenant id, ISO day, correlation id) and runs one periodic job of one
tenant and day in the same way (``services.worker.scheduler`` enqueues it).
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple
from uuid import UUID, uuid5

import dramatiq
import msgspec
import structlog

from domain.shared.event import Event, event_tag
from services.core.application import Actor, UnitOfWork
from services.core.db import Tx
from services.core.eventsourcing.store import RecordedEvent, read_history
from services.worker.broker import BUSY_DELAY_MS, Busy, PermanentFailure, worker_application

# The namespace of message ids: uuid5(namespace, f"{event id}:{actor name}") for the relay's,
# uuid5(namespace, f"{tenant}:{actor name}:{day}") for the scheduler's.
MESSAGE_NAMESPACE = UUID("6f1c2e0a-3d5b-5c7e-9a41-2b8d0f7e6c13")
DEFAULT_QUEUE = "cmeledger"


def message_id_for(event_id: UUID, actor_name: str) -> str:
    """The same (event, actor) pair always yields the same message id, so a re-publish after a
    crash is a duplicate the actor recognises, not a second piece of work."""
    return str(uuid5(MESSAGE_NAMESPACE, f"{event_id}:{actor_name}"))


def command_ids_from(message_id: UUID) -> Callable[[], UUID]:
    """The ids of a job's commands: its message id, then ids derived from it, the same on every
    delivery of the message."""
    counter = itertools.count()
    return lambda: message_id if (n := next(counter)) == 0 else uuid5(message_id, str(n))


class Job(msgspec.Struct, frozen=True, kw_only=True):
    """What an event actor is asked to do: handle one event of one tenant."""

    actor_name: str
    tenant_id: UUID
    event_id: UUID
    seq: int
    correlation_id: str | None = None

    @property
    def message_id(self) -> str:
        return message_id_for(self.event_id, self.actor_name)

    @property
    def actor(self) -> Actor:
        """The system actor the job runs as: the events it causes name the actor and the
        event that woke it."""
        return Actor(
            role="system",
            name=self.actor_name,
            tenant_id=self.tenant_id,
            correlation_id=self.correlation_id,
            causation_id=str(self.event_id),
        )

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


Handler = Callable[[UnitOfWork, Job], Awaitable[None]]
"""An event actor's work: a use case whose command is the job."""


async def event_of(uow: UnitOfWork, job: Job) -> RecordedEvent:
    """The event ``job`` is about (a permanent failure if its tenant has no such event)."""
    found = await read_history(uow.tx, after_seq=job.seq - 1, limit=1)
    if not found or found[0].event_id != job.event_id:
        raise PermanentFailure(f"no event {job.event_id} at seq {job.seq}")
    return found[0]


async def claim_effect(tx: Tx, job: Job) -> bool:
    """Claim ``job``'s message in ``actor_effects``: False if it was claimed before (a duplicate
    delivery). A concurrent delivery of the same message waits here until the first one's
    transaction ends."""
    claimed: bool | None = await tx.pg.fetchval(
        "INSERT INTO actor_effects (tenant_id, message_id, actor, event_id, seq)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true",
        job.tenant_id,
        UUID(job.message_id),
        job.actor_name,
        job.event_id,
        job.seq,
    )
    return bool(claimed)


@dataclass(frozen=True, slots=True)
class Subscriber:
    """An event actor: its handler (named after the actor) and the events that wake it."""

    handler: Handler
    events: tuple[type[Event], ...]
    interrupt_on_shutdown: bool = False
    """Interrupted when the worker stops (its transaction rolled back, its message delivered
    again) rather than waited for: for work that may take long."""

    @property
    def name(self) -> str:
        return self.handler.__name__


class Subscriptions:
    """Event type -> the names of the actors that handle it."""

    def __init__(self, by_event_type: Mapping[str, tuple[str, ...]]) -> None:
        self._by_event_type = {key: tuple(value) for key, value in by_event_type.items()}

    @classmethod
    def of(cls, subscribers: Iterable[Subscriber]) -> Subscriptions:
        """The subscriptions ``subscribers`` declare."""
        by_event_type: dict[str, tuple[str, ...]] = {}
        for subscriber in subscribers:
            for event in subscriber.events:
                tag = event_tag(event)
                by_event_type[tag] = (*by_event_type.get(tag, ()), subscriber.name)
        return cls(by_event_type)

    def actors_for(self, event_type: str) -> tuple[str, ...]:
        return self._by_event_type.get(event_type, ())

    def event_types_for(self, actor_name: str) -> list[str]:
        return sorted(t for t, names in self._by_event_type.items() if actor_name in names)

    @property
    def actor_names(self) -> set[str]:
        return {name for names in self._by_event_type.values() for name in names}


def tenant_actor(
    broker: dramatiq.Broker, handler: Handler, *, queue_name: str, **options: Any
) -> dramatiq.Actor[Any, Any]:
    """Declare ``handler`` as an async event actor on ``broker``: it binds the log context (the
    event loop thread does not see the worker thread's) and runs the job as a use case of the
    job's system actor. A ``Busy`` job is sent again a few seconds later."""
    actor_name = handler.__name__
    application = worker_application(broker)

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
            use_cases = application.use_cases(job.actor, command_ids_from(UUID(job.message_id)))
            try:
                await use_cases.run(handler, job)
            except Busy:
                delay = round(BUSY_DELAY_MS * random.uniform(0.67, 1.33))
                await asyncio.to_thread(broker.enqueue, job.message(broker), delay=delay)

    return declare(broker, run, actor_name, queue_name, options)


ScheduledJob = Callable[[UnitOfWork, date], Awaitable[int]]
"""A periodic run for one tenant and day: returns the number of mails it queued."""


class Run(NamedTuple):
    """One periodic job's run of one day."""

    actor_name: str
    run_on: date


def run_message_id(tenant: UUID, run: Run) -> str:
    """The one message id of ``run`` for ``tenant``, whoever enqueues it and how often."""
    return str(uuid5(MESSAGE_NAMESPACE, f"{tenant}:{run.actor_name}:{run.run_on}"))


def scheduled_actor(
    broker: dramatiq.Broker, job: ScheduledJob, *, queue_name: str, **options: Any
) -> dramatiq.Actor[Any, Any]:
    """Declare ``job`` as an async actor taking (tenant id, ISO day, correlation id), run as a
    use case of the system actor named after it."""
    actor_name = job.__name__
    application = worker_application(broker)
    log = structlog.get_logger("cmeledger.scheduler")

    async def run(tenant_id: str, run_on: str, correlation_id: str | None = None) -> None:
        try:
            tenant, day = UUID(tenant_id), date.fromisoformat(run_on)
        except (TypeError, ValueError) as exc:
            raise PermanentFailure(f"malformed run: {exc}") from exc
        actor = Actor(
            role="system", name=actor_name, tenant_id=tenant, correlation_id=correlation_id
        )
        command_ids = command_ids_from(UUID(run_message_id(tenant, Run(actor_name, day))))
        with structlog.contextvars.bound_contextvars(
            tenant_id=tenant_id, correlation_id=correlation_id, run_on=run_on
        ):
            queued = await application.use_cases(actor, command_ids).run(job, day)
            log.info("run done", job=actor_name, mails_queued=queued)

    return declare(broker, run, actor_name, queue_name, options)


def declare(
    broker: dramatiq.Broker,
    run: Callable[..., Awaitable[None]],
    actor_name: str,
    queue_name: str,
    options: dict[str, Any],
) -> dramatiq.Actor[Any, Any]:
    """Declare the coroutine ``run`` as the actor ``actor_name`` on ``queue_name`` (a
    ``PermanentFailure`` is not retried)."""
    run.__name__ = actor_name
    declare = dramatiq.actor(
        broker=broker,
        actor_name=actor_name,
        queue_name=queue_name,
        throws=(PermanentFailure,),
        **options,
    )
    return declare(run)
