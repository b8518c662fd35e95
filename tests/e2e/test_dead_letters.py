"""Dead letters over HTTP: a background job that failed for good is seen by its organisation's
owners and admins only, with its error and the event it was about; a replay (recorded in the
history) puts it back on the queue and, its cause fixed, the worker does it once. Employees and
auditors may do none of it; an unreachable broker answers 503 and nothing changes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import Any
from uuid import UUID

import msgspec
import pytest
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from litestar.testing import AsyncTestClient

from services.core.application import UnitOfWork
from services.core.db import Database
from services.core.settings import Settings
from services.worker.actors import declare_actors
from services.worker.broker import PermanentFailure, build_broker
from services.worker.runtime import Job, message_id_for, tenant_actor
from tests.broker_support import declare_receipt_actor, drain, plant_dead_letter, record_receipt
from tests.e2e.conftest import Org, connected_client, join, sign_up

pytestmark = pytest.mark.e2e
CAUSE_FIXED = threading.Event()
REPLAYED = "audits.DeadLettersReplayed"


async def fixable_receipt(uow: UnitOfWork, job: Job) -> None:
    """Fails for good until the test fixes its cause; then records its receipt."""
    if not CAUSE_FIXED.is_set():
        raise PermanentFailure("the certificate file is missing")
    await record_receipt(uow, job)


@pytest.fixture
def broker(migrated: Settings) -> Iterator[RabbitmqBroker]:
    """A worker's broker on the test queue, with the test actors beside the real ones."""
    CAUSE_FIXED.clear()
    built = build_broker(migrated)
    assert isinstance(built, RabbitmqBroker)
    declare_actors(built, queue_name=migrated.broker_queue)
    declare_receipt_actor(built, migrated.broker_queue)
    tenant_actor(built, fixable_receipt, queue_name=migrated.broker_queue)
    yield built
    built.close()


async def first_events(client: AsyncTestClient[Any], count: int) -> list[dict[str, Any]]:
    history = await client.get("/api/v1/audit/events", params={"limit": count})
    return list(history.json()["events"])


async def replays_recorded(client: AsyncTestClient[Any]) -> list[dict[str, Any]]:
    found = await client.get("/api/v1/audit/events", params={"event_type": REPLAYED})
    return list(found.json()["events"])


async def effects(database: Database, tenant: UUID) -> list[UUID]:
    async with database.transaction(tenant) as tx:
        return [r["message_id"] for r in await tx.pg.fetch("SELECT message_id FROM actor_effects")]


async def test_a_poison_job_is_seen_by_its_admins_only_and_done_once_replayed(
    org: Org, migrated: Settings, database: Database, broker: RabbitmqBroker
) -> None:
    tenant = UUID(org.owner_info["organisation_id"])
    admin, admin_me = await org.member("admin")
    employee, _ = await org.member("employee")
    auditor, _ = await org.member("auditor")
    [event] = await first_events(org.owner, 1)
    sent = broker.enqueue(  # as the relay sends it: the message id derives from event and actor
        broker.get_actor("fixable_receipt")
        .message_with_options(
            kwargs={"tenant_id": str(tenant), "event_id": event["event_id"], "seq": event["seq"]},
            tenant_id=str(tenant),
        )
        .copy(message_id=message_id_for(UUID(event["event_id"]), "fixable_receipt"))
    )
    await drain(broker, migrated.broker_queue)

    listed = await admin.get("/api/v1/admin/dead-letters")
    assert listed.status_code == 200, listed.text
    [letter] = listed.json()
    assert letter["message_id"] == sent.message_id
    assert letter["actor"] == "fixable_receipt"
    assert letter["error"].endswith("PermanentFailure: the certificate file is missing")
    assert letter["retries"] == 0
    assert letter["failed_at"] is not None
    assert {k: letter["event"][k] for k in ("event_id", "seq", "event_type")} == {
        k: event[k] for k in ("event_id", "seq", "event_type")
    }
    async with connected_client(migrated) as other_owner:
        await sign_up(other_owner)
        other = await other_owner.get("/api/v1/admin/dead-letters")
        assert (other.status_code, other.json()) == (200, [])
        refused = await other_owner.post(f"/api/v1/admin/dead-letters/{sent.message_id}/replay")
        assert refused.status_code == 404
    for outsider in (employee, auditor):
        assert (await outsider.get("/api/v1/admin/dead-letters")).status_code == 403
        assert (await outsider.post("/api/v1/admin/dead-letters/replay")).status_code == 403
        one = await outsider.post(f"/api/v1/admin/dead-letters/{sent.message_id}/replay")
        assert one.status_code == 403
    still = await org.owner.get("/api/v1/admin/dead-letters")
    assert [d["message_id"] for d in still.json()] == [sent.message_id]
    assert await replays_recorded(org.owner) == []

    CAUSE_FIXED.set()
    replayed = await admin.post(f"/api/v1/admin/dead-letters/{sent.message_id}/replay")
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["message_id"] == sent.message_id
    assert (await admin.get("/api/v1/admin/dead-letters")).json() == []
    await drain(broker, migrated.broker_queue)
    assert await effects(database, tenant) == [UUID(sent.message_id)]
    [recorded] = await replays_recorded(org.owner)
    assert recorded["stream_id"] == f"access-{admin_me['user_id']}"
    assert recorded["data"] == {
        "user_id": admin_me["user_id"],
        "jobs": [
            {
                "message_id": sent.message_id,
                "actor": "fixable_receipt",
                "event_id": event["event_id"],
            }
        ],
    }
    again = await admin.post(f"/api/v1/admin/dead-letters/{sent.message_id}/replay")
    assert again.status_code == 404
    assert again.headers["content-type"].startswith("application/problem+json")
    assert len(await replays_recorded(org.owner)) == 1


async def test_replaying_all_puts_back_only_the_organisations_own_jobs(
    org: Org, migrated: Settings, database: Database, broker: RabbitmqBroker, stack: AsyncExitStack
) -> None:
    tenant = UUID(org.owner_info["organisation_id"])
    ours = {
        plant_dead_letter(migrated, tenant, UUID(event["event_id"]), seq=event["seq"])
        for event in await first_events(org.owner, 2)
    }
    other_owner = await stack.enter_async_context(connected_client(migrated))
    other_info = await sign_up(other_owner)
    [other_event] = await first_events(other_owner, 1)
    theirs = plant_dead_letter(
        migrated, UUID(other_info["organisation_id"]), UUID(other_event["event_id"])
    )

    listed = (await org.owner.get("/api/v1/admin/dead-letters")).json()
    assert {d["message_id"] for d in listed} == ours
    assert {d["error"] for d in listed} == {"RuntimeError: the file store timed out"}
    assert {d["retries"] for d in listed} == {5}
    replayed = await org.owner.post("/api/v1/admin/dead-letters/replay")
    assert replayed.status_code == 200, replayed.text
    assert {d["message_id"] for d in replayed.json()} == ours
    assert (await org.owner.get("/api/v1/admin/dead-letters")).json() == []
    left = await other_owner.get("/api/v1/admin/dead-letters")
    assert [d["message_id"] for d in left.json()] == [theirs]
    await drain(broker, migrated.broker_queue)
    assert sorted(await effects(database, tenant)) == sorted(UUID(m) for m in ours)
    [recorded] = await replays_recorded(org.owner)
    assert {job["message_id"] for job in recorded["data"]["jobs"]} == ours
    nothing = await org.owner.post("/api/v1/admin/dead-letters/replay")
    assert (nothing.status_code, nothing.json()) == (200, [])
    assert len(await replays_recorded(org.owner)) == 1, "an empty replay records nothing"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_broker_answers_503_and_changes_nothing(
    migrated: Settings, stack: AsyncExitStack
) -> None:
    broken = msgspec.structs.replace(
        migrated, broker_url=f"amqp://guest:guest@127.0.0.1:{_closed_port()}/"
    )
    owner = await stack.enter_async_context(connected_client(broken))
    await sign_up(owner)
    admin, _ = await join(stack, broken, owner, "admin")
    for response in (
        await admin.get("/api/v1/admin/dead-letters"),
        await admin.post("/api/v1/admin/dead-letters/replay"),
        await admin.post("/api/v1/admin/dead-letters/0f0e2d3c-1b4a-4a59-8877-665544332211/replay"),
    ):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"] == "urn:cmeledger:problem:broker_unavailable"
        assert response.headers["retry-after"] == "30"
    assert await replays_recorded(owner) == []
