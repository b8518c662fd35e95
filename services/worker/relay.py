"""The relay: the events table is the outbox (design P5); this moves it onto the broker.

Per tenant, in one transaction: take the tenant's relay advisory lock (a second relay skips the
tenant instead of publishing the same events), read the feed after the ``relay`` checkpoint,
publish one message per (event, subscribed actor) with a message id derived from both, wait for
RabbitMQ's publisher confirms, then acknowledge. A crash after publishing and before the commit
re-publishes the same message ids next time; actors are idempotent on them.

The relay wakes on ``NOTIFY cmeledger_events`` (payload: the tenant id, sent once per appending
transaction by a statement trigger) and polls every tenant on a timer in case a notification was
missed (design P4: a hint, not a transport).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import dramatiq
import structlog

from services.core.db import Database
from services.core.eventstore import RecordedEvent
from services.core.feed import acknowledge, read_feed
from services.worker.subscriptions import SUBSCRIPTIONS, Subscriptions, message_id_for

CONSUMER = "relay"
CHANNEL = "cmeledger_events"
BATCH = 500

log = structlog.get_logger("cmeledger.relay")


def messages_for(
    broker: dramatiq.Broker, subscriptions: Subscriptions, event: RecordedEvent
) -> list[dramatiq.Message[Any]]:
    """One message per actor subscribed to ``event``'s type, with a deterministic id."""
    correlation = event.metadata.get("correlation_id") or str(event.event_id)
    messages = []
    for name in subscriptions.actors_for(event.event_type):
        message = broker.get_actor(name).message_with_options(
            kwargs={
                "tenant_id": str(event.tenant_id),
                "event_id": str(event.event_id),
                "seq": event.seq,
                "correlation_id": correlation,
            },
            tenant_id=str(event.tenant_id),
            correlation_id=correlation,
        )
        messages.append(message.copy(message_id=message_id_for(event.event_id, name)))
    return messages


def publish(broker: dramatiq.Broker, messages: Sequence[dramatiq.Message[Any]]) -> None:
    """Enqueue ``messages``; with ``confirm_delivery`` each returns once RabbitMQ confirmed."""
    for message in messages:
        broker.enqueue(message)


class Relay:
    def __init__(
        self,
        database: Database,
        broker: dramatiq.Broker,
        subscriptions: Subscriptions = SUBSCRIPTIONS,
        *,
        batch: int = BATCH,
        after_publish: Callable[[UUID, int], None] | None = None,
    ) -> None:
        self.database = database
        self.broker = broker
        self.subscriptions = subscriptions
        self.batch = batch
        # Test hook: called between publishing and acknowledging (to simulate a crash there).
        self.after_publish = after_publish

    async def relay_batch(self, tenant: UUID) -> int | None:
        """Relay the next batch of ``tenant``'s events; the number of events acknowledged, or
        None when another relay holds the tenant."""
        async with self.database.transaction(tenant) as tx:
            locked = await tx.pg.fetchval(
                "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))",
                f"relay:{tenant}",
            )
            if not locked:
                return None
            events = await read_feed(tx, CONSUMER, limit=self.batch)
            if not events:
                return 0
            messages = [m for e in events for m in messages_for(self.broker, self.subscriptions, e)]
            if messages:
                # pika is blocking; each executor thread keeps its own channel.
                await asyncio.to_thread(publish, self.broker, messages)
            if self.after_publish is not None:
                self.after_publish(tenant, events[-1].seq)
            await acknowledge(tx, CONSUMER, events[-1].seq)
        log.info("relayed", tenant_id=str(tenant), events=len(events), messages=len(messages))
        return len(events)

    async def relay_tenant(self, tenant: UUID) -> int:
        """Relay everything ``tenant`` has appended so far (or nothing if another relay holds
        the tenant); the number of events acknowledged."""
        total = 0
        while (done := await self.relay_batch(tenant)) is not None:
            total += done
            if done < self.batch:
                break
        return total

    async def relay_all(self, tenants: Sequence[UUID]) -> int:
        return sum([await self.relay_tenant(tenant) for tenant in tenants])

    async def run(
        self,
        list_tenants: Callable[[], Any],
        *,
        poll_interval: float = 5.0,
        stop: asyncio.Event | None = None,
    ) -> None:
        """Relay until ``stop`` is set: notified tenants at once, every tenant each
        ``poll_interval`` seconds."""
        stop = stop or asyncio.Event()
        woken: asyncio.Queue[str] = asyncio.Queue()

        def on_notify(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            woken.put_nowait(payload)

        async with self.database.connection() as conn:
            await conn.add_listener(CHANNEL, on_notify)
            try:
                tenants: list[UUID] = await list_tenants()
                while not stop.is_set():
                    await self.relay_all(tenants)
                    tenants = await self._wait(woken, stop, poll_interval) or await list_tenants()
            finally:
                await conn.remove_listener(CHANNEL, on_notify)

    @staticmethod
    async def _wait(woken: asyncio.Queue[str], stop: asyncio.Event, seconds: float) -> list[UUID]:
        """The tenants notified within ``seconds`` (empty: poll everyone)."""
        stopping = asyncio.ensure_future(stop.wait())
        notified = asyncio.ensure_future(woken.get())
        try:
            await asyncio.wait({stopping, notified}, timeout=seconds, return_when="FIRST_COMPLETED")
        finally:
            stopping.cancel()
            notified.cancel()
        payloads = [notified.result()] if notified.done() and not notified.cancelled() else []
        while not woken.empty():
            payloads.append(woken.get_nowait())
        return [UUID(p) for p in dict.fromkeys(payloads) if p]
