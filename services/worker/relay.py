"""The relay: the events table is the outbox (design P5); this moves it onto the broker.

Per tenant, in one transaction: take the tenant's relay advisory lock (a second relay does not
publish the same events: a poll skips the tenant, a notified relay tries again shortly), read
the feed after the ``relay`` checkpoint, publish one message per (event, subscribed actor) with
a message id derived from both, wait for RabbitMQ's publisher confirms, then acknowledge. A
crash after publishing and before the commit re-publishes the same message ids next time; actors
are idempotent on them.

The relay wakes on ``NOTIFY cmeledger_events`` (payload: the tenant id, sent after appending
transactions commit, debounced, by ``services.core.db.Database``) and polls every tenant on a
timer in case a notification was missed (design P4: a hint, not a transport).

When RabbitMQ is unreachable (Dramatiq's own reconnect attempts exhausted), the batch's
transaction rolls back, so the checkpoint stays where it was; the relay waits, doubling the wait
up to ``MAX_BACKOFF_S``, and tries every tenant again on a new connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import dramatiq
import structlog
from dramatiq.errors import BrokerConnectionError

from services.core.db import EVENTS_CHANNEL, Database
from services.core.eventsourcing.feed import acknowledge, backlog, read_feed
from services.core.eventsourcing.store import RecordedEvent, row_to_event, select_events
from services.core.metrics import OUTBOX_BACKLOG, QUEUE_DEPTH, RELAY_LAG
from services.worker.runtime import Job, Subscriptions

CONSUMER = "relay"
CHANNEL = EVENTS_CHANNEL
BATCH = 500
CONCURRENCY = 8
"""Tenants relayed at once: waits for publisher confirms overlap. Needs as many pooled
connections, plus the one that listens, plus ``POLL_CONCURRENCY``."""
POLL_CONCURRENCY = 2
"""Tenants relayed at once by a poll made while notifications keep the relay busy."""
MIN_BACKOFF_S = 0.5
MAX_BACKOFF_S = 30.0
QUEUE_DEPTH_EVERY_S = 15.0
HELD_RETRY_S = 0.05
HELD_WAIT_S = 3.0
"""How often and how long a notified tenant held by another relay is tried again: the holder
may have read the feed before the notified commit, so skipping it would leave the event to the
next poll. Past the wait, the poll still finds it."""

log = structlog.get_logger("cmeledger.relay")


def messages_for(
    broker: dramatiq.Broker, subscriptions: Subscriptions, event: RecordedEvent
) -> list[dramatiq.Message[Any]]:
    """One message per actor subscribed to ``event``'s type, with a deterministic id."""
    correlation = event.metadata.get("correlation_id") or str(event.event_id)
    return [
        Job(
            actor_name=name,
            tenant_id=event.tenant_id,
            event_id=event.event_id,
            seq=event.seq,
            correlation_id=correlation,
        ).message(broker)
        for name in subscriptions.actors_for(event.event_type)
    ]


def publish(broker: dramatiq.Broker, messages: Sequence[dramatiq.Message[Any]]) -> None:
    """Enqueue ``messages``; with ``confirm_delivery`` each returns once RabbitMQ confirmed."""
    for message in messages:
        broker.enqueue(message)


class Relay:
    def __init__(
        self,
        database: Database,
        broker: dramatiq.Broker,
        subscriptions: Subscriptions,
        *,
        batch: int = BATCH,
        concurrency: int = CONCURRENCY,
        after_publish: Callable[[UUID, int], None] | None = None,
    ) -> None:
        self.database = database
        self.broker = broker
        self.subscriptions = subscriptions
        self.batch = batch
        self.concurrency = concurrency
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
            if events:
                messages = [
                    m for e in events for m in messages_for(self.broker, self.subscriptions, e)
                ]
                if messages:
                    # pika is blocking; each executor thread keeps its own channel.
                    await asyncio.to_thread(publish, self.broker, messages)
                if self.after_publish is not None:
                    self.after_publish(tenant, events[-1].seq)
                await acknowledge(tx, CONSUMER, events[-1].seq)
            OUTBOX_BACKLOG.labels(str(tenant)).set(await backlog(tx, CONSUMER))
        if not events:
            return 0
        published = datetime.now(UTC)
        lag = RELAY_LAG.labels(str(tenant))
        for event in events:
            lag.observe(max(0.0, (published - event.recorded_at).total_seconds()))
        log.info("relayed", tenant_id=str(tenant), events=len(events), messages=len(messages))
        return len(events)

    async def relay_tenant(self, tenant: UUID, *, wait: bool = False) -> int:
        """Relay everything ``tenant`` has appended so far; the number of events acknowledged.
        If another relay holds the tenant: nothing, or with ``wait`` (a notified tenant) the
        tenant tried again every ``HELD_RETRY_S`` for up to ``HELD_WAIT_S``."""
        total, held_since = 0, time.monotonic()
        while True:
            done = await self.relay_batch(tenant)
            if done is None:
                if not wait or time.monotonic() - held_since >= HELD_WAIT_S:
                    return total
                await asyncio.sleep(HELD_RETRY_S)
                continue
            total += done
            if done < self.batch:
                return total

    async def republish(self, tenant: UUID, actor_name: str) -> int:
        """Publish again, for ``actor_name`` only, every past event of ``tenant`` it subscribes
        to, with the relay's own message ids: events the actor already handled are duplicates it
        ignores, events from before it was subscribed get handled (a backfill). The number of
        messages published."""
        types = self.subscriptions.event_types_for(actor_name)
        if not types:
            raise ValueError(f"no actor named {actor_name!r} is subscribed to any event")
        only = Subscriptions(dict.fromkeys(types, (actor_name,)))
        published = 0
        after = 0
        while True:
            async with self.database.transaction(tenant) as tx:
                rows = await tx.pg.fetch(
                    select_events(" AND event_type = ANY($2) AND seq > $3 ORDER BY seq LIMIT $4"),
                    tenant,
                    types,
                    after,
                    self.batch,
                )
            events = [row_to_event(row) for row in rows]
            messages = [m for e in events for m in messages_for(self.broker, only, e)]
            await asyncio.to_thread(publish, self.broker, messages)
            published += len(messages)
            if len(events) < self.batch:
                return published
            after = events[-1].seq

    async def relay_all(
        self, tenants: Sequence[UUID], *, concurrency: int | None = None, wait: bool = False
    ) -> int:
        """Relay every tenant in ``tenants``, up to ``concurrency`` (default: the relay's) at
        once, each on its own pooled connection, waiting for its own publisher confirms (and
        with ``wait``, its turn: ``relay_tenant``); the first error is raised once every tenant
        has had its turn."""
        slots = asyncio.Semaphore(concurrency or self.concurrency)

        async def one(tenant: UUID) -> int:
            async with slots:
                return await self.relay_tenant(tenant, wait=wait)

        done = await asyncio.gather(*(one(tenant) for tenant in tenants), return_exceptions=True)
        for result in done:
            if isinstance(result, BaseException):
                raise result
        return sum(n for n in done if isinstance(n, int))

    def record_queue_depth(self) -> None:
        """Set ``cmeledger_queue_depth_messages`` for every queue of the broker's actors (a
        blocking broker call: run it in a thread)."""
        counts = getattr(self.broker, "get_queue_message_counts", None)
        if counts is None:  # the StubBroker
            return
        for queue in self.broker.get_declared_queues():
            for kind, depth in zip(("ready", "delayed", "dead"), counts(queue), strict=True):
                QUEUE_DEPTH.labels(queue, kind).set(depth)

    async def run(
        self,
        list_tenants: Callable[[], Any],
        *,
        poll_interval: float = 5.0,
        stop: asyncio.Event | None = None,
        ready: asyncio.Event | None = None,
    ) -> None:
        """Relay until ``stop`` is set: notified tenants at once, and every tenant each
        ``poll_interval`` seconds even while notifications keep coming (one may be lost: the
        process that would have sent it stopped after its commit). ``ready`` is set once the
        relay listens and has made its first pass over every tenant."""
        stop = stop or asyncio.Event()
        clock = asyncio.get_running_loop().time
        woken: asyncio.Queue[str] = asyncio.Queue()

        def on_notify(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            woken.put_nowait(payload)

        poller: asyncio.Task[None] | None = None
        async with self.database.connection() as conn:
            await conn.add_listener(CHANNEL, on_notify)
            try:
                tenants: list[UUID] = await list_tenants()
                polled_at = clock()
                failures, depth_at = 0, 0.0
                while not stop.is_set():
                    try:
                        await self.relay_all(tenants, wait=True)
                        if time.monotonic() - depth_at >= QUEUE_DEPTH_EVERY_S:
                            depth_at = time.monotonic()
                            await self._measure_queues()
                    except BrokerConnectionError:
                        failures += 1
                        delay = min(MAX_BACKOFF_S, MIN_BACKOFF_S * 2 ** (failures - 1))
                        log.warning("broker unreachable", retry_in_s=delay, exc_info=True)
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop.wait(), delay)
                        tenants = await list_tenants()
                        continue
                    if failures:
                        log.info("broker reachable again", after_failures=failures)
                        failures = 0
                    if ready is not None:
                        ready.set()
                    tenants = await self._wait(woken, stop, poll_interval)
                    if not tenants:  # quiet: poll every tenant here
                        tenants, polled_at = await list_tenants(), clock()
                    elif clock() - polled_at >= poll_interval and (poller is None or poller.done()):
                        # busy: poll beside the notified tenants, not in their way
                        polled_at = clock()
                        poller = asyncio.create_task(self._poll(list_tenants))
            finally:
                if poller is not None:
                    poller.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await poller
                await conn.remove_listener(CHANNEL, on_notify)

    async def _poll(self, list_tenants: Callable[[], Any]) -> None:
        """Relay every tenant, two at a time (beside the notified ones); the main loop deals
        with an unreachable broker."""
        try:
            await self.relay_all(await list_tenants(), concurrency=POLL_CONCURRENCY)
        except BrokerConnectionError:
            log.warning("broker unreachable during a poll", exc_info=True)

    async def _measure_queues(self) -> None:
        """``record_queue_depth``, never stopping the relay: a failure to read is logged."""
        try:
            await asyncio.to_thread(self.record_queue_depth)
        except Exception:  # a metric is not worth the relay; the next pass tries again
            log.warning("queue depth not read", exc_info=True)

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
