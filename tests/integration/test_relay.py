"""The relay and the worker against real PostgreSQL and real RabbitMQ (over TCP).

Each test module uses its own queue, deleted afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from uuid import UUID, uuid4

import dramatiq
import pika
import pytest
from dramatiq.brokers.rabbitmq import RabbitmqBroker

from services.core.db import Database
from services.core.eventsourcing.store import PostgresEventStore, RecordedEvent
from services.core.operations.dead_letters import FAILURE_OPTIONS, DeadLetter, dead_letters
from services.worker.relay import Relay
from services.worker.runtime import Subscriptions, message_id_for
from tests.broker_support import drain, relay_position
from tests.conftest import new_tenant
from tests.metrics_support import scrape
from tests.support import add_notes, make_store, register

pytestmark = pytest.mark.integration
SUBSCRIPTIONS = Subscriptions({"test.NoteAdded": ("record_receipt",)})


def queued_ids(broker: RabbitmqBroker, queue: str) -> list[str]:
    """The message ids waiting on ``queue`` (read and put back)."""
    connection = pika.BlockingConnection(broker.parameters)
    try:
        channel = connection.channel()
        ids = []
        while True:
            method, _, body = channel.basic_get(queue, auto_ack=False)
            if method is None:
                return ids
            ids.append(dramatiq.Message.decode(body).message_id)
    finally:
        connection.close()


async def effects(database: Database, tenant: UUID) -> list[tuple[UUID, int]]:
    async with database.transaction(tenant) as tx:
        rows = await tx.pg.fetch("SELECT message_id, seq FROM actor_effects ORDER BY seq")
    return [(row["message_id"], row["seq"]) for row in rows]


async def tenant_with_notes(
    database: Database, count: int, *, batch: int = 1
) -> tuple[UUID, list[RecordedEvent]]:
    """A new registered tenant with ``count`` notes on one stream, ``batch`` to an append."""
    store, tenant = make_store(), new_tenant()
    await register(database, store, tenant)
    return tenant, await add_notes(database, store, tenant, "s", count, batch=batch)


async def test_relay_to_actor_to_one_outcome_per_event(
    database: Database, purged: RabbitmqBroker, queue: str
) -> None:
    tenant, notes = await tenant_with_notes(database, 3)
    relay = Relay(database, purged, SUBSCRIPTIONS)
    assert await relay.relay_tenant(tenant) == 3
    assert await relay.relay_tenant(tenant) == 0
    assert await relay_position(database, tenant) == 3
    await drain(purged, queue)
    assert await effects(database, tenant) == [
        (UUID(message_id_for(e.event_id, "record_receipt")), e.seq) for e in notes
    ]


async def test_two_relays_at_once_publish_each_event_once(
    database: Database, purged: RabbitmqBroker, queue: str
) -> None:
    tenant, notes = await tenant_with_notes(database, 12, batch=4)
    relays = [Relay(database, purged, SUBSCRIPTIONS, batch=3) for _ in range(2)]
    await asyncio.gather(*(relay.relay_tenant(tenant) for relay in relays))
    for relay in relays:  # whichever relay was skipped catches anything left
        await relay.relay_tenant(tenant)
    ids = queued_ids(purged, queue)
    assert sorted(ids) == sorted(message_id_for(e.event_id, "record_receipt") for e in notes)
    assert await relay_position(database, tenant) == 12


async def test_crash_between_publish_and_ack_republishes_same_ids_and_applies_once(
    database: Database, purged: RabbitmqBroker, queue: str
) -> None:
    tenant, notes = await tenant_with_notes(database, 2, batch=2)

    def crash(_tenant: UUID, _seq: int) -> None:
        raise RuntimeError("relay died before acknowledging")

    with pytest.raises(RuntimeError):
        await Relay(database, purged, SUBSCRIPTIONS, after_publish=crash).relay_tenant(tenant)
    assert await relay_position(database, tenant) == 0
    assert await Relay(database, purged, SUBSCRIPTIONS).relay_tenant(tenant) == 2
    expected = [message_id_for(e.event_id, "record_receipt") for e in notes]
    assert sorted(queued_ids(purged, queue)) == sorted(expected * 2)
    await drain(purged, queue)
    assert [str(m) for m, _ in await effects(database, tenant)] == expected


async def test_republishing_for_one_actor_backfills_what_it_missed_and_repeats_nothing(
    database: Database, purged: RabbitmqBroker, queue: str
) -> None:
    tenant, notes = await tenant_with_notes(database, 5, batch=5)
    await Relay(database, purged, Subscriptions({})).relay_tenant(tenant)  # not yet subscribed
    assert await relay_position(database, tenant) == 5
    assert queued_ids(purged, queue) == []
    relay = Relay(database, purged, SUBSCRIPTIONS, batch=2)
    expected = [(UUID(message_id_for(e.event_id, "record_receipt")), e.seq) for e in notes]
    for _ in range(2):  # the second time, every message is a duplicate
        assert await relay.republish(tenant, "record_receipt") == 5
        await drain(purged, queue)
        assert await effects(database, tenant) == expected
    with pytest.raises(ValueError, match="no actor named 'nobody'"):
        await relay.republish(tenant, "nobody")


async def relayed_within_seconds_once_appended(
    database: Database,
    broker: RabbitmqBroker,
    queue: str,
    append: Callable[[PostgresEventStore, UUID], Awaitable[object]],
) -> None:
    """Run a relay polling only every 60 s over one new tenant, ``append`` to the tenant once
    the relay listens, and require the one event published within 5 s: on its notification."""
    store, tenant = make_store(), new_tenant()
    await register(database, store, tenant)
    stop = asyncio.Event()

    async def tenants() -> list[UUID]:
        return [tenant]

    relay = Relay(database, broker, SUBSCRIPTIONS)
    task = asyncio.create_task(relay.run(tenants, poll_interval=60, stop=stop))
    try:
        await asyncio.sleep(0.3)  # listening, first pass done
        await append(store, tenant)
        for _ in range(100):  # 5 s, far below the 60 s poll
            if await relay_position(database, tenant) == 1:
                break
            await asyncio.sleep(0.05)
        assert await relay_position(database, tenant) == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
    assert len(queued_ids(broker, queue)) == 1


async def test_relay_wakes_on_notify_before_its_poll(
    database: Database, purged: RabbitmqBroker, queue: str
) -> None:
    async def one_note(store: PostgresEventStore, tenant: UUID) -> None:
        await add_notes(database, store, tenant, "s", 1)

    await relayed_within_seconds_once_appended(database, purged, queue, one_note)


async def test_a_notified_tenant_held_by_another_relay_is_relayed_once_it_is_free(
    database: Database, purged: RabbitmqBroker, queue: str
) -> None:
    """Another relay (or this one's poll) holds the tenant while the notified event commits,
    having read the feed before it: the notified relay waits its turn instead of skipping the
    tenant until the next poll."""

    async def one_note_while_held(store: PostgresEventStore, tenant: UUID) -> None:
        async with database.transaction(tenant) as holder:
            await holder.pg.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"relay:{tenant}"
            )
            await add_notes(database, store, tenant, "s", 1)
            await asyncio.sleep(0.5)  # the notification arrives while the tenant is held

    await relayed_within_seconds_once_appended(database, purged, queue, one_note_while_held)


def queued_options(broker: RabbitmqBroker, queue: str) -> dict[str, dict[str, object]]:
    """The options of the messages waiting on ``queue``, by message id (read and put back)."""
    connection = pika.BlockingConnection(broker.parameters)
    try:
        channel = connection.channel()
        found = {}
        while (got := channel.basic_get(queue, auto_ack=False))[0] is not None:
            message = dramatiq.Message.decode(got[2])
            found[message.message_id] = message.options
        return found
    finally:
        connection.close()


async def test_poison_message_is_dead_lettered_with_its_error_and_replayable_per_tenant(
    purged: RabbitmqBroker, queue: str
) -> None:
    tenant = new_tenant()
    poison = purged.get_actor("record_receipt").send_with_options(
        kwargs={"tenant_id": str(tenant), "event_id": "not-a-uuid", "seq": 1},
        tenant_id=str(tenant),
    )
    await drain(purged, queue)
    assert dead_letters(purged.parameters, queue, new_tenant()) == []
    [letter] = dead_letters(purged.parameters, queue, tenant)
    assert letter.message_id == poison.message_id
    assert letter.retries == 0  # a permanent failure is not retried
    assert letter.error is not None
    assert letter.error.startswith("services.worker.broker.PermanentFailure: malformed job")
    assert letter.failed_at is not None
    replayed: list[DeadLetter] = []
    assert (
        dead_letters(
            purged.parameters, queue, tenant, replay=lambda _: True, on_replayed=replayed.append
        )
        == []
    )
    assert replayed == [letter]
    back = queued_options(purged, queue)
    assert list(back) == [poison.message_id]
    assert not FAILURE_OPTIONS & set(back[poison.message_id]), "a replay starts afresh"
    assert dead_letters(purged.parameters, queue, tenant) == []


async def test_a_message_out_of_retries_is_dead_lettered_with_its_last_error(
    purged: RabbitmqBroker, queue: str
) -> None:
    tenant = new_tenant()
    failing = purged.get_actor("record_receipt").send_with_options(
        kwargs={"tenant_id": str(tenant), "event_id": str(uuid4()), "seq": 2**70},
        tenant_id=str(tenant),
        max_retries=0,  # the first (retryable) failure exhausts them
    )
    await drain(purged, queue)
    [letter] = dead_letters(purged.parameters, queue, tenant)
    assert (letter.message_id, letter.retries) == (failing.message_id, 1)
    assert letter.error is not None
    assert "out of int64 range" in letter.error


async def test_relay_and_jobs_are_measured(
    database: Database, purged: RabbitmqBroker, queue: str, metrics_url: str
) -> None:
    tenant, _ = await tenant_with_notes(database, 3)
    relay = Relay(database, purged, SUBSCRIPTIONS, batch=2)
    jobs = "cmeledger_job_duration_seconds_count"
    done_before = scrape(metrics_url, jobs, actor="record_receipt", outcome="done")

    assert await relay.relay_batch(tenant) == 2  # one event left behind
    assert scrape(metrics_url, "cmeledger_outbox_backlog_events", tenant=str(tenant)) == 1
    assert await relay.relay_batch(tenant) == 1
    assert scrape(metrics_url, "cmeledger_outbox_backlog_events", tenant=str(tenant)) == 0
    assert scrape(metrics_url, "cmeledger_relay_lag_seconds_count", tenant=str(tenant)) == 3
    assert scrape(metrics_url, "cmeledger_relay_lag_seconds_sum", tenant=str(tenant)) > 0

    relay.record_queue_depth()
    assert scrape(metrics_url, "cmeledger_queue_depth_messages", queue=queue, kind="ready") == 3
    await drain(purged, queue)
    relay.record_queue_depth()
    assert scrape(metrics_url, "cmeledger_queue_depth_messages", queue=queue, kind="ready") == 0
    assert scrape(metrics_url, jobs, actor="record_receipt", outcome="done") - done_before == 3

    failures_before = scrape(metrics_url, "cmeledger_job_failures_total", actor="record_receipt")
    purged.get_actor("record_receipt").send_with_options(
        kwargs={"tenant_id": str(tenant), "event_id": "not-a-uuid", "seq": 1},
        tenant_id=str(tenant),
    )
    await drain(purged, queue)
    failures = scrape(metrics_url, "cmeledger_job_failures_total", actor="record_receipt")
    assert failures - failures_before == 1
    assert scrape(metrics_url, "cmeledger_queue_depth_messages", queue=queue, kind="dead") == 0
    relay.record_queue_depth()
    assert scrape(metrics_url, "cmeledger_queue_depth_messages", queue=queue, kind="dead") == 1
