"""The application layer's entry point: who acts, the unit of work a use case runs in, and the
runner that opens it.

A **use case** is one async function per user action, ``use_case(uow, command) -> result``: it
checks who may do it (``services.core.policy``), decides through the pure domain, appends, and
returns a typed result. JSON controllers, portal pages and worker jobs all call use cases through
a ``UseCases`` runner bound to the caller; none of them opens a transaction itself.

A **unit of work** carries the transaction, the event store, the clock, the actor and the ids of
the commands it issues. Command ids come from the caller (an ``Idempotency-Key``, a portal form's
one-time key, a worker message id), never from a random id at the call site, so a retried request
lands on the events its first run stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, TypeVar
from uuid import UUID

import msgspec

from domain.organisations.organisation import Role
from domain.shared.errors import DomainError
from domain.shared.event import Event
from services.core.db import Database, Tx
from services.core.eventsourcing.commands import CommandContext, record_fact
from services.core.eventsourcing.store import EventStore, Metadata, RecordedEvent
from services.core.settings import Settings
from services.core.stream_ids import access_stream

C = TypeVar("C")
R = TypeVar("R")

ActorRole = Role | Literal["system"]


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who acts, in which organisation: a member (user, role, own staff record) or the system."""

    tenant_id: UUID
    role: ActorRole
    user_id: UUID | None = None
    person_id: UUID | None = None
    """The staff record the member acts on as themselves (None for the system)."""
    request_id: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    name: str | None = None
    """The system actor's name (an actor of the worker), recorded as the events' actor id."""

    def metadata(self) -> Metadata:
        """The metadata every event this actor causes carries."""
        return Metadata(
            actor_id=str(self.user_id) if self.user_id is not None else self.name,
            actor_role=self.role,
            request_id=self.request_id,
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
        )


class AccessDenied(DomainError):
    """The actor may not do this (403)."""

    code = "forbidden"


class NotFound(DomainError):
    """No such record in this organisation (404): another organisation's records do not exist."""

    code = "not_found"


@dataclass(frozen=True, slots=True)
class UnitOfWork:
    """One transaction of one actor in one organisation, and what a use case needs in it."""

    tx: Tx
    store: EventStore
    settings: Settings
    actor: Actor
    command_ids: Callable[[], UUID]
    """Each call gives the id of the next command the unit of work issues."""

    def now(self) -> datetime:
        """The store's clock: the moment events appended now are recorded at."""
        return self.store.clock()

    def today(self) -> date:
        return self.now().date()

    def next_command_id(self) -> UUID:
        return self.command_ids()

    def command(self) -> CommandContext[Tx]:
        """The context of the next command the unit of work issues (its id is the next one)."""
        return CommandContext(self.tx, self.store, self.next_command_id(), self.metadata)

    async def record_access(self, user_id: UUID, event: Event) -> RecordedEvent:
        """Append ``event``, a fact of what member ``user_id`` did with their access (a
        download, an export, a token made), to their access stream (see ``record_fact``)."""
        stream = access_stream(user_id)
        return await record_fact(self.tx, self.store, stream, event, metadata=self.metadata)

    @property
    def metadata(self) -> Metadata:
        return self.actor.metadata()


UseCase = Callable[[UnitOfWork, C], Awaitable[R]]


@dataclass(frozen=True, slots=True)
class Application:
    """The process's shared parts (one per process): database, event store and settings."""

    database: Database
    store: EventStore
    settings: Settings

    def use_cases(self, actor: Actor, command_ids: Callable[[], UUID]) -> UseCases:
        """A runner of use cases for ``actor``, whose commands take their ids from
        ``command_ids``."""
        return UseCases(self, actor, command_ids)

    def now(self) -> datetime:
        """The store's clock: the moment events appended now are recorded at."""
        return self.store.clock()


@dataclass(frozen=True, slots=True)
class UseCases:
    """Runs use cases for one actor: each run is one unit of work (one transaction, committed
    when the use case returns, rolled back when it raises)."""

    application: Application
    actor: Actor
    command_ids: Callable[[], UUID]

    async def run(self, use_case: UseCase[C, R], command: C) -> R:
        async with self.application.database.transaction(self.actor.tenant_id) as tx:
            uow = UnitOfWork(
                tx=tx,
                store=self.application.store,
                settings=self.application.settings,
                actor=self.actor,
                command_ids=self.command_ids,
            )
            return await use_case(uow, command)
