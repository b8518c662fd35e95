"""The billing account's command handlers: load the billing stream, decide, append."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.billing import account
from domain.billing.account import (
    InvoiceObserved,
    LinkCustomer,
    Observe,
    SeatDriftRepaired,
    SeatsPushed,
    StartTrial,
    Subscription,
)
from domain.shared.event import Event
from services.core.db import Tx
from services.core.eventsourcing.commands import execute, record_fact
from services.core.eventsourcing.store import EventStore, Metadata, RecordedEvent
from services.core.stream_ids import billing_stream


async def _decide(
    tx: Tx, store: EventStore, decide: object, command: object, metadata: Metadata, command_id: UUID
) -> list[RecordedEvent]:
    return await execute(
        tx,
        store,
        billing_stream(tx.require_tenant()),
        evolve=account.evolve,
        decide=decide,  # type: ignore[arg-type]
        command=command,
        command_id=command_id,
        metadata=metadata,
    )


async def start_trial(
    tx: Tx, store: EventStore, opened_at: datetime, days: int, metadata: Metadata, command_id: UUID
) -> list[RecordedEvent]:
    return await _decide(
        tx,
        store,
        account.decide_start_trial,
        StartTrial(opened_at=opened_at, days=days),
        metadata,
        command_id,
    )


async def link_customer(
    tx: Tx, store: EventStore, customer_id: str, metadata: Metadata, command_id: UUID
) -> list[RecordedEvent]:
    return await _decide(
        tx,
        store,
        account.decide_link_customer,
        LinkCustomer(customer_id=customer_id),
        metadata,
        command_id,
    )


async def observe(
    tx: Tx, store: EventStore, subscription: Subscription, metadata: Metadata, command_id: UUID
) -> list[RecordedEvent]:
    return await _decide(
        tx, store, account.decide_observe, Observe(subscription=subscription), metadata, command_id
    )


async def record(
    tx: Tx,
    store: EventStore,
    fact: SeatsPushed | SeatDriftRepaired | InvoiceObserved,
    metadata: Metadata,
    event_id: UUID,
) -> RecordedEvent:
    """A fact about the account no decision makes (seats pushed, drift repaired, an invoice)."""
    event: Event = fact
    return await record_fact(
        tx, store, billing_stream(tx.require_tenant()), event, event_id=event_id, metadata=metadata
    )
