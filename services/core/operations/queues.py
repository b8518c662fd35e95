"""RabbitMQ brokers of the worker's queues, declared alike by whoever sends to them (the worker
and its relay, the API sending reading jobs): classic or quorum queues, as configured."""

from __future__ import annotations

from typing import Any

from dramatiq.brokers.rabbitmq import DEAD_MESSAGE_TTL, RabbitmqBroker
from dramatiq.common import xq_name
from dramatiq.middleware import Middleware

from services.core.settings import Settings


class QuorumRabbitmqBroker(RabbitmqBroker):
    """Declares its queues (work, delay and dead-letter) as quorum queues: replicated over a
    RabbitMQ cluster's nodes by Raft, so a node lost loses no accepted message. A queue's type
    is fixed when it is first declared; a classic queue must be drained and deleted first."""

    def _build_queue_arguments(self, queue_name: str) -> dict[str, Any]:
        arguments: dict[str, Any] = super()._build_queue_arguments(queue_name)  # type: ignore[no-untyped-call]
        return {**arguments, "x-queue-type": "quorum"}

    def _declare_xq_queue(self, queue_name: str) -> Any:
        return self.channel.queue_declare(
            queue=xq_name(queue_name),
            durable=True,
            arguments={"x-message-ttl": DEAD_MESSAGE_TTL, "x-queue-type": "quorum"},
        )


def rabbitmq_broker(
    settings: Settings, *, middleware: list[Middleware], confirm_delivery: bool = True
) -> RabbitmqBroker:
    """A broker of ``settings.broker_url`` declaring queues of ``settings.broker_queue_type``;
    it connects when first used."""
    kind = QuorumRabbitmqBroker if settings.broker_queue_type == "quorum" else RabbitmqBroker
    return kind(url=settings.broker_url, confirm_delivery=confirm_delivery, middleware=middleware)
