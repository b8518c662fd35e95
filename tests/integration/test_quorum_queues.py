"""RabbitMQ quorum queues (``CMELEDGER_BROKER_QUEUE_TYPE=quorum``, for a cluster): the broker
declares its work, delay and dead-letter queues as quorum queues, publishes with confirms, and a
worker consumes from them as from classic ones."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import dramatiq
import msgspec
import pika
import pika.exceptions
import pytest
from dramatiq.brokers.rabbitmq import DEAD_MESSAGE_TTL, RabbitmqBroker
from dramatiq.common import dq_name, xq_name

from services.core.operations.queues import QuorumRabbitmqBroker
from services.core.settings import Settings
from services.worker.broker import build_broker
from tests.broker_support import delete_queue, drain

pytestmark = pytest.mark.integration


def redeclared(broker: RabbitmqBroker, name: str, arguments: dict[str, Any]) -> int:
    """Declare ``name`` again with ``arguments``: 0 when RabbitMQ agrees, else its reply code
    (406 when an argument, such as the queue type, differs from the queue's)."""
    connection = pika.BlockingConnection(broker.parameters)
    try:
        connection.channel().queue_declare(name, durable=True, arguments=arguments)
    except pika.exceptions.ChannelClosedByBroker as refused:
        return int(refused.reply_code)
    finally:
        if connection.is_open:
            connection.close()
    return 0


async def test_quorum_queues_are_declared_confirmed_and_consumed(migrated: Settings) -> None:
    queue = f"test-quorum-{uuid4().hex[:12]}"
    settings = msgspec.structs.replace(migrated, broker_queue_type="quorum")
    broker = build_broker(settings)
    assert isinstance(broker, QuorumRabbitmqBroker)
    assert broker.confirm_delivery
    received: list[int] = []

    @dramatiq.actor(broker=broker, queue_name=queue, actor_name=f"note_{queue}")
    def note(n: int) -> None:
        received.append(n)

    try:
        for n in range(3):
            note.send(n)
        await drain(broker, queue)
        assert sorted(received) == [0, 1, 2]
        work = broker._build_queue_arguments(queue)
        dead = {"x-message-ttl": DEAD_MESSAGE_TTL, "x-queue-type": "quorum"}
        for name, arguments in [(queue, work), (dq_name(queue), work), (xq_name(queue), dead)]:
            assert arguments["x-queue-type"] == "quorum"
            assert redeclared(broker, name, arguments) == 0, name
            assert redeclared(broker, name, {**arguments, "x-queue-type": "classic"}) == 406, name
    finally:
        broker.close()
        await asyncio.to_thread(delete_queue, broker, queue)


def test_classic_queues_stay_the_default(migrated: Settings) -> None:
    broker = build_broker(migrated)
    assert type(broker) is RabbitmqBroker
    broker.close()
