"""RabbitMQ stops and starts again while certificates keep being uploaded and a relay and a
worker process run: both ride it out (no crash, no restart), the relay's checkpoint never passes
an unpublished event, and after the broker returns every event's message is delivered and its
effect applied exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from uuid import UUID

import pytest

from services.core.db import Database
from services.core.stream_ids import certificate_stream
from services.worker.runtime import message_id_for
from tests.broker_support import relay_position
from tests.faults.harness import OUTCOMES, RabbitNode, Uploads, cli, until

pytestmark = pytest.mark.faults
UPLOADED = "credits.CertificateUploaded"
ACTORS = ("verify_certificate",)
"""The actors the production subscriptions wake on an upload."""


async def effects(database: Database, tenant: UUID) -> list[tuple[str, UUID]]:
    """(actor, message id) of every effect the upload actors applied. The key allows one per
    message; comparing them with the events shows that none was lost."""
    async with database.transaction(tenant) as tx:
        rows = await tx.pg.fetch(
            "SELECT actor, message_id FROM actor_effects WHERE actor = ANY($1)", list(ACTORS)
        )
    return sorted((row["actor"], row["message_id"]) for row in rows)


async def outcomes_per_certificate(database: Database, tenant: UUID) -> Counter[str]:
    async with database.transaction(tenant) as tx:
        rows = await tx.pg.fetch(
            "SELECT stream_id FROM events WHERE event_type = ANY($1)", OUTCOMES
        )
    return Counter(row["stream_id"] for row in rows)


async def uploaded_events(database: Database, tenant: UUID) -> list[tuple[UUID, int]]:
    async with database.transaction(tenant) as tx:
        rows = await tx.pg.fetch(
            "SELECT event_id, seq FROM events WHERE event_type = $1 ORDER BY seq", UPLOADED
        )
    return [(row["event_id"], row["seq"]) for row in rows]


async def test_a_broker_restart_loses_nothing_and_applies_each_message_once(
    database: Database, rabbit: RabbitNode, env: dict[str, str], blob_dir: Path
) -> None:
    uploads = await Uploads(database, blob_dir).open()
    async with (
        cli("relay", env, "relay", "--poll-interval", "1") as relay,
        cli("worker", env, "worker", "--threads", "2") as worker,
    ):
        async with uploads.uploading(every=0.2):

            async def some_applied() -> bool:
                return len(await effects(database, uploads.tenant)) >= 3

            await until(some_applied, within=30, what="effects before the outage")
            before = len(uploads.certificates)
            with rabbit.down():
                await relay.wait_for("broker unreachable", within=20)
                position = await relay_position(database, uploads.tenant)
                await asyncio.sleep(2)  # uploads go on while the broker is away
                assert await relay_position(database, uploads.tenant) == position
                during = len(uploads.certificates)
            assert during > before, "no upload while the broker was away"
            await relay.wait_for("broker reachable again", within=40)
            await asyncio.sleep(1)
        events = await uploaded_events(database, uploads.tenant)
        assert len(events) == len(uploads.certificates) > during

        async def all_applied() -> bool:
            return len(await effects(database, uploads.tenant)) >= len(events) * len(ACTORS)

        # A bound for a hang, not a speed check: each certificate is read in a child process,
        # so the catch-up after the outage takes longer on a loaded machine.
        await until(all_applied, within=max(60, 2 * len(events)), what="an effect for every event")
        assert relay.alive, relay.tail()
        assert worker.alive, worker.tail()
        assert worker.logged("Restarting consumer in 3.00 seconds."), worker.tail()

    expected = sorted(
        (actor, UUID(message_id_for(event_id, actor))) for event_id, _ in events for actor in ACTORS
    )
    assert await effects(database, uploads.tenant) == expected
    assert await outcomes_per_certificate(database, uploads.tenant) == Counter(
        {certificate_stream(certificate): 1 for certificate in uploads.certificates}
    )
    assert await relay_position(database, uploads.tenant) >= events[-1][1]
