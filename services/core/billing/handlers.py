"""The billing account's command handling: decide on the organisation's billing stream and
append, or record a fact no decision makes; in the caller's unit of work."""

from __future__ import annotations

from domain.billing.account import (
    InvoiceObserved,
    LinkCustomer,
    Observe,
    SeatDriftRepaired,
    SeatsPushed,
    StartTrial,
)
from domain.shared.event import Event
from services.core.aggregates import BILLING
from services.core.application import UnitOfWork
from services.core.eventsourcing.commands import Decider, record_fact
from services.core.eventsourcing.store import RecordedEvent
from services.core.stream_ids import billing_stream


async def decide(
    uow: UnitOfWork, decider: Decider, command: StartTrial | LinkCustomer | Observe
) -> list[RecordedEvent]:
    """Decide ``command`` with ``decider`` on the billing stream and append what it decides."""
    return await BILLING.execute(uow.command(), uow.tx.require_tenant(), decider, command)


async def record(
    uow: UnitOfWork, fact: SeatsPushed | SeatDriftRepaired | InvoiceObserved
) -> RecordedEvent:
    """A fact about the account no decision makes (seats pushed, drift repaired, an invoice)."""
    event: Event = fact
    return await record_fact(
        uow.tx,
        uow.store,
        billing_stream(uow.tx.require_tenant()),
        event,
        event_id=uow.next_command_id(),
        metadata=uow.metadata,
    )
