"""Worker plumbing on the StubBroker: deterministic message ids, the per-message log context,
and permanent failures going straight to the dead letters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import dramatiq
import pytest
import structlog
from dramatiq.brokers.stub import StubBroker

from services.core.eventsourcing.store import RecordedEvent
from services.core.settings import Settings
from services.worker.actors import declare_actors
from services.worker.broker import build_broker
from services.worker.relay import messages_for
from services.worker.runtime import Job, Subscriptions, command_ids_from, message_id_for
from tests.broker_support import declare_receipt_actor

pytestmark = pytest.mark.unit
QUEUE = "unit-worker"


PRODUCTION_SUBSCRIPTIONS = {
    "credits.CertificateUploaded": ("verify_certificate",),
    "credits.CertificateVerified": ("notify_certificate",),
    "credits.CertificateNeedsReview": ("notify_certificate",),
    "credits.CertificateRejected": ("notify_certificate",),
    "organisations.MemberAdded": ("notify_auditor_access",),
    "organisations.AuditorAccessChanged": ("notify_auditor_access",),
    "notifications.ReminderQueued": ("deliver_mail",),
    "notifications.DigestQueued": ("deliver_mail",),
    "notifications.NotificationQueued": ("deliver_mail",),
    "organisations.OrganisationOpened": ("start_trial",),
    "people.PersonRegistered": ("sync_seats",),
    "people.PersonDeactivated": ("sync_seats",),
    "people.PersonReactivated": ("sync_seats",),
    "billing.StripeEventReceived": ("apply_stripe_event",),
    "billing.PaymentOverdue": ("notify_payment_overdue",),
}


@pytest.fixture(scope="module")
def declared(settings: Settings) -> Iterator[tuple[StubBroker, Subscriptions]]:
    broker = build_broker(settings, stub=True)
    assert isinstance(broker, StubBroker)
    subscriptions = declare_actors(broker, queue_name=QUEUE)
    declare_receipt_actor(broker, QUEUE)
    broker.emit_after("process_boot")
    yield broker, subscriptions
    broker.close()


@pytest.fixture(scope="module")
def stub_broker(declared: tuple[StubBroker, Subscriptions]) -> StubBroker:
    return declared[0]


def test_the_relay_publishes_by_the_events_each_declared_actor_subscribes_to(
    declared: tuple[StubBroker, Subscriptions],
) -> None:
    broker, subscriptions = declared
    assert {
        event_type: subscriptions.actors_for(event_type) for event_type in PRODUCTION_SUBSCRIPTIONS
    } == PRODUCTION_SUBSCRIPTIONS
    assert subscriptions.actor_names == {
        n for names in PRODUCTION_SUBSCRIPTIONS.values() for n in names
    }
    assert subscriptions.actor_names <= set(broker.get_declared_actors())


def test_a_jobs_commands_take_their_ids_from_its_message_id_the_same_each_delivery() -> None:
    job = Job(actor_name="a", tenant_id=uuid4(), event_id=uuid4(), seq=3, correlation_id="c")
    first, again = command_ids_from(UUID(job.message_id)), command_ids_from(UUID(job.message_id))
    ids = [first(), first(), first()]
    assert ids[0] == UUID(job.message_id)
    assert len(set(ids)) == 3
    assert [again(), again(), again()] == ids


def test_a_job_runs_as_the_system_actor_named_after_it_caused_by_its_event() -> None:
    job = Job(actor_name="notify_x", tenant_id=uuid4(), event_id=uuid4(), seq=3, correlation_id="c")
    metadata = job.actor.metadata()
    assert (metadata.actor_id, metadata.actor_role) == ("notify_x", "system")
    assert (metadata.correlation_id, metadata.causation_id) == ("c", str(job.event_id))
    assert job.actor.tenant_id == job.tenant_id


@pytest.fixture
def worker(stub_broker: StubBroker) -> Iterator[dramatiq.Worker]:
    stub_broker.flush_all()
    started = dramatiq.Worker(stub_broker, worker_threads=1, worker_timeout=100)
    started.start()
    yield started
    started.stop()


def _event(event_type: str) -> RecordedEvent:
    return RecordedEvent(
        tenant_id=uuid4(),
        seq=7,
        stream_id="s",
        stream_version=1,
        event_id=uuid4(),
        event_type=event_type,
        schema_version=1,
        data={},
        metadata={"correlation_id": "corr-1"},
        recorded_at=datetime.now(UTC),
        prev_hash="0" * 64,
        hash="1" * 64,
    )


def test_message_ids_derive_from_event_and_actor_only() -> None:
    event_id = uuid4()
    assert message_id_for(event_id, "a") == message_id_for(UUID(str(event_id)), "a")
    assert message_id_for(event_id, "a") != message_id_for(event_id, "b")
    assert message_id_for(event_id, "a") != message_id_for(uuid4(), "a")


def test_relay_messages_carry_tenant_correlation_and_deterministic_ids(
    stub_broker: StubBroker,
) -> None:
    subscriptions = Subscriptions({"x.Happened": ("record_receipt",)})
    event = _event("x.Happened")
    first = messages_for(stub_broker, subscriptions, event)
    again = messages_for(stub_broker, subscriptions, event)
    assert [m.message_id for m in first] == [message_id_for(event.event_id, "record_receipt")]
    assert [m.message_id for m in again] == [m.message_id for m in first]
    assert first[0].options["tenant_id"] == str(event.tenant_id)
    assert first[0].options["correlation_id"] == "corr-1"
    assert first[0].kwargs["seq"] == 7
    assert first[0].queue_name == QUEUE
    assert messages_for(stub_broker, subscriptions, _event("x.Other")) == []


def test_middleware_binds_message_context_and_clears_it(
    stub_broker: StubBroker, worker: dramatiq.Worker
) -> None:
    seen: list[dict[str, Any]] = []

    @dramatiq.actor(broker=stub_broker, queue_name=QUEUE, actor_name="capture_context")
    def capture_context() -> None:
        seen.append(structlog.contextvars.get_contextvars())

    tenant = str(uuid4())
    sent = capture_context.send_with_options(tenant_id=tenant, correlation_id="c-9")
    stub_broker.join(QUEUE)
    worker.join()
    capture_context.send()  # same worker thread, no context in the message
    stub_broker.join(QUEUE)
    worker.join()
    assert seen == [
        {"tenant_id": tenant, "correlation_id": "c-9", "message_id": sent.message_id},
        {"message_id": seen[1]["message_id"]},
    ]


def test_permanent_failure_is_dead_lettered_without_retry(
    stub_broker: StubBroker, worker: dramatiq.Worker
) -> None:
    actor = stub_broker.get_actor("record_receipt")
    actor.send_with_options(kwargs={"tenant_id": str(uuid4()), "event_id": "not-a-uuid", "seq": 1})
    stub_broker.join(QUEUE, fail_fast=False)
    worker.join()
    dead = stub_broker.dead_letters_by_queue[QUEUE]
    assert len(dead) == 1
    assert dead[0].options.get("retries", 0) == 0  # a retryable error would have retries=1
