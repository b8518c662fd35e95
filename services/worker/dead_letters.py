"""Dead letters: messages that failed permanently or exhausted their retries.

Dramatiq's RabbitMQ broker dead-letters them into ``<queue>.XQ`` (kept 7 days). Admins list a
tenant's dead letters and replay them: a replayed message goes back on its queue with the same
message id (so the actor stays idempotent) and a fresh retry count. Other tenants' messages are
returned to the dead-letter queue untouched.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from uuid import UUID

import dramatiq
import msgspec
import pika
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.common import xq_name

from services.worker.broker import TENANT_OPTION


class DeadLetter(msgspec.Struct, frozen=True, kw_only=True):
    message_id: str
    actor_name: str
    kwargs: dict[str, object]
    retries: int
    error: str | None


def _describe(message: dramatiq.Message[Any]) -> DeadLetter:
    return DeadLetter(
        message_id=message.message_id,
        actor_name=message.actor_name,
        kwargs=dict(message.kwargs),
        retries=int(message.options.get("retries", 0)),
        error=message.options.get("traceback", "").strip().rsplit("\n", 1)[-1] or None,
    )


def dead_letters(
    broker: RabbitmqBroker, queue_name: str, tenant: UUID, *, replay: bool = False
) -> list[DeadLetter]:
    """``tenant``'s dead letters on ``queue_name``; with ``replay``, re-enqueue them."""
    found: list[DeadLetter] = []
    connection = pika.BlockingConnection(broker.parameters)
    try:
        channel = connection.channel()
        for _ in range(
            channel.queue_declare(xq_name(queue_name), passive=True).method.message_count
        ):
            method, _properties, body = channel.basic_get(xq_name(queue_name), auto_ack=False)
            if method is None:
                break
            message = dramatiq.Message.decode(body)
            if message.options.get(TENANT_OPTION) != str(tenant):
                continue  # left unacknowledged: requeued when the channel closes
            found.append(_describe(message))
            if replay:
                options = {
                    k: v for k, v in message.options.items() if k not in {"retries", "traceback"}
                }
                broker.enqueue(dataclasses.replace(message, queue_name=queue_name, options=options))
                channel.basic_ack(method.delivery_tag)
        channel.close()
    finally:
        connection.close()
    return found
