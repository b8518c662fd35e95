"""The event store the integration tests append to (``store``: the production registry's; a
module overrides it, for example with a fixed clock), and RabbitMQ for the tests that run the
worker: each module gets a queue of its own (deleted afterwards) on a broker with the worker's
actors and the test actor ``record_receipt``. A module changes the settings the broker is built
from by overriding ``broker_settings``."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from dramatiq.brokers.rabbitmq import RabbitmqBroker

from services.core.eventsourcing.store import EventStore
from services.core.registry import build_event_store
from services.core.settings import Settings
from tests.broker_support import broker_on_queue, purge


@pytest.fixture
def store() -> EventStore:
    return build_event_store()


@pytest.fixture(scope="module")
def queue(request: pytest.FixtureRequest) -> str:
    module = request.module.__name__.rsplit(".", 1)[-1]
    return f"{module}-{uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def broker_settings(migrated: Settings) -> Settings:
    return migrated


@pytest.fixture(scope="module")
def broker(broker_settings: Settings, queue: str) -> Iterator[RabbitmqBroker]:
    with broker_on_queue(broker_settings, queue, with_receipt=True) as built:
        assert built.confirm_delivery, "the relay relies on publisher confirms"
        yield built


@pytest.fixture
def purged(broker: RabbitmqBroker, queue: str) -> RabbitmqBroker:
    return purge(broker, queue)
