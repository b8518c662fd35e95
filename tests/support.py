"""Helpers for tests: sample event types, a store wired like production, quick appends, and
command handlers run for one tenant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, ClassVar
from uuid import UUID, uuid4

from domain.people.credentials import Body, CredentialStatus
from domain.people.person import AddCredential, ChangeCredentialStatus, CredentialAdded
from domain.shared.event import Event, EventRegistry, Upcaster
from services.core.db import Database
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import (
    EventStore,
    Metadata,
    PostgresEventStore,
    RecordedEvent,
    StreamAppend,
)
from services.core.people.handlers import change_person
from services.core.projections import ProjectionRunner
from services.core.projections.streams import StreamSummaries
from services.core.registry import EVENT_TYPES


class NoteAdded(Event, frozen=True, kw_only=True, tag="test.NoteAdded"):
    text: str


def _v1_count_to_value(data: dict[str, Any]) -> dict[str, Any]:
    return {"value": data.pop("count"), "unit": "credits", **data}


class CounterSet(Event, frozen=True, kw_only=True, tag="test.CounterSet"):
    """Version 1 stored ``count``; version 2 renamed it ``value`` and added ``unit``."""

    schema_version: ClassVar[int] = 2
    upcasters: ClassVar[dict[int, Upcaster]] = {1: _v1_count_to_value}
    value: int
    unit: str


TEST_EVENT_TYPES: list[type[Event]] = [NoteAdded, CounterSet]


def make_registry() -> EventRegistry:
    return EventRegistry([*EVENT_TYPES, *TEST_EVENT_TYPES])


def make_store(projections: list[Any] | None = None) -> PostgresEventStore:
    """A store over the production and sample event types (default projection: summaries)."""
    chosen = [StreamSummaries()] if projections is None else projections
    return PostgresEventStore(make_registry(), ProjectionRunner(chosen))


async def register(database: Database, store: EventStore, tenant: UUID) -> None:
    async with database.transaction(tenant) as tx:
        await store.register_tenant(tx)


async def registered_tenant(database: Database) -> tuple[PostgresEventStore, UUID]:
    """A store like ``make_store``'s and a new tenant registered in it."""
    store, tenant = make_store(), uuid4()
    await register(database, store, tenant)
    return store, tenant


def notes(stream: str, count: int, expected_version: int = 0) -> StreamAppend:
    """``count`` notes for ``stream``, to append after ``expected_version``."""
    return StreamAppend(
        stream,
        [NoteAdded(text=f"{stream} {n}") for n in range(count)],
        expected_version,
        [uuid4() for _ in range(count)],
    )


async def add_notes(
    database: Database,
    store: EventStore,
    tenant: UUID,
    stream: str,
    count: int,
    *,
    batch: int = 1,
) -> list[RecordedEvent]:
    """Append ``count`` notes to ``stream`` in batches; return what was recorded."""
    recorded: list[RecordedEvent] = []
    for start in range(0, count, batch):
        size = min(batch, count - start)
        async with database.transaction(tenant) as tx:
            recorded += await store.append(
                tx,
                stream,
                [NoteAdded(text=f"{stream} note {start + i}") for i in range(size)],
                expected_version=start,
                event_ids=[uuid4() for _ in range(size)],
                metadata=Metadata(actor_id="tester", actor_role="owner"),
            )
    return recorded


async def append_one(
    store: EventStore,
    tx: Any,
    stream: str,
    event: Event,
    expected_version: int = 0,
    metadata: Metadata | None = None,
) -> list[RecordedEvent]:
    """Append ``event`` to ``stream`` after ``expected_version`` under a fresh event id."""
    return await store.append(
        tx,
        stream,
        [event],
        expected_version=expected_version,
        event_ids=[uuid4()],
        metadata=metadata,
    )


class RolledBack(Exception):
    """Raised inside a transaction only to roll it back."""


async def as_app_then_roll_back(
    database: Database, tenant: UUID | None, sql: str, *args: object
) -> None:
    """Run ``sql`` in ``tenant``'s transaction, then roll back even if it was (wrongly) allowed."""
    try:
        async with database.transaction(tenant) as tx:
            await tx.pg.execute(sql, *args)
            raise RolledBack
    except RolledBack:
        pass


def credit_body(n: int) -> dict[str, Any]:
    """The JSON of the n-th of a run of small SDMS credits (each title its own), as the API takes
    it: for tests and benchmarks that record many."""
    return {
        "title": f"Carotid duplex: pitfalls and protocols, part {n}",
        "provider": "Gulfcoast Ultrasound Institute",
        "accrediting_organisation": "SDMS",
        "credit_types": ["sdms"],
        "completed_on": "2026-10-02",
        "credits": "0.25",
        "topics": ["sonography", "vascular"],
    }


class TenantCommands:
    """Command handlers run for one tenant, each in a transaction of its own with a fresh
    command id."""

    def __init__(self, database: Database, store: EventStore, tenant: UUID) -> None:
        self.database, self.store, self.tenant = database, store, tenant

    async def run(self, handler: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        async with self.database.transaction(self.tenant) as tx:
            return await handler(CommandContext(tx, self.store, uuid4()), *args)

    async def credential(
        self,
        person_id: UUID,
        body: Body,
        code: str,
        earned_on: date,
        status: tuple[CredentialStatus, date] | None = None,
        *,
        reason: str = "set by the test",
    ) -> UUID:
        """Add a credential to the person and, if ``status`` is given, set its status from that
        day for ``reason``; the credential's id."""
        [added] = await self.run(
            change_person, person_id, AddCredential(body=body, code=code, earned_on=earned_on)
        )
        held = self.store.decode(added)
        assert isinstance(held, CredentialAdded)
        credential_id = held.credential.credential_id
        if status is not None:
            change = ChangeCredentialStatus(
                credential_id=credential_id,
                status=status[0],
                effective_on=status[1],
                reason=reason,
            )
            await self.run(change_person, person_id, change)
        return credential_id
