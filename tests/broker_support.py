"""RabbitMQ for tests: ``cmeledger relay`` and ``worker`` as processes, a worker run until its
queue is empty, a test actor whose effect is only its receipt, and a dead letter put straight
into ``<settings.broker_queue>.XQ`` (shaped as the worker leaves it) for tests that need one
without running a worker."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID, uuid4

import dramatiq
import pika
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.common import current_millis, dq_name, xq_name

from services.core.application import UnitOfWork
from services.core.db import Database
from services.core.settings import Settings
from services.worker.actors import declare_actors
from services.worker.broker import (
    FAILED_AT_OPTION,
    TENANT_OPTION,
    TRACEBACK_OPTION,
    build_broker,
)
from services.worker.relay import CONSUMER
from services.worker.runtime import Job, claim_effect, message_id_for, tenant_actor
from tests.conftest import ROOT, settings_env

RECEIPT = "record_receipt"


async def record_receipt(uow: UnitOfWork, job: Job) -> None:
    """Records, once per message, that the worker received the event: the smallest effect, to
    prove relay -> broker -> actor -> database, exactly once per message."""
    await claim_effect(uow.tx, job)


def declare_receipt_actor(broker: dramatiq.Broker, queue_name: str) -> None:
    """Declare ``record_receipt`` on ``broker`` beside the real actors."""
    tenant_actor(broker, record_receipt, queue_name=queue_name, max_retries=5)


def delete_queue(broker: RabbitmqBroker, queue: str) -> None:
    """Delete ``queue`` with its delay and dead-letter queues."""
    connection = pika.BlockingConnection(broker.parameters)
    try:
        channel = connection.channel()
        for name in (queue, dq_name(queue), xq_name(queue)):
            channel.queue_delete(name)
    finally:
        connection.close()


async def relay_position(database: Database, tenant: UUID) -> int:
    """How far the relay has published ``tenant``'s events (its feed checkpoint; 0: nothing)."""
    async with database.transaction(tenant) as tx:
        value = await tx.pg.fetchval(
            "SELECT position FROM checkpoints WHERE name = $1", "feed:" + CONSUMER
        )
    return int(value or 0)


@contextlib.contextmanager
def broker_on_queue(
    settings: Settings, queue: str, *, with_receipt: bool = False
) -> Iterator[RabbitmqBroker]:
    """A RabbitMQ broker with the worker's actors (and ``record_receipt`` if asked) on a queue
    of its own, declared; closed and the queue deleted afterwards."""
    built = build_broker(settings)
    assert isinstance(built, RabbitmqBroker)
    declare_actors(built, queue_name=queue)
    if with_receipt:
        declare_receipt_actor(built, queue)
    built.declare_queue(queue, ensure=True)
    try:
        yield built
    finally:
        built.close()
        delete_queue(built, queue)


def purge(broker: RabbitmqBroker, queue: str) -> RabbitmqBroker:
    """``broker`` with ``queue`` declared and every queue emptied."""
    broker.declare_queue(queue, ensure=True)
    broker.flush_all()
    return broker


@contextlib.contextmanager
def running_worker(broker: RabbitmqBroker) -> Iterator[dramatiq.Worker]:
    """A worker thread in this process, consuming every queue of ``broker``'s actors."""
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


async def drain(broker: RabbitmqBroker, queue: str) -> None:
    """Run a worker until ``queue`` is empty and its messages are processed."""
    with running_worker(broker) as worker:
        await asyncio.to_thread(broker.join, queue, timeout=20_000)
        await asyncio.to_thread(worker.join)


TRACEBACK = "Traceback (most recent call last):\n  ...\nRuntimeError: the file store timed out\n"


def plant_dead_letter(
    settings: Settings, tenant: UUID, event_id: UUID, *, seq: int = 1, retries: int = 5
) -> str:
    """A ``record_receipt`` job about ``tenant``'s event that failed for good; its message id
    (the relay's: derived from the event and the actor)."""
    broker = build_broker(settings)
    try:
        broker.declare_queue(settings.broker_queue, ensure=True)
        message: dramatiq.Message[None] = dramatiq.Message(
            queue_name=xq_name(settings.broker_queue),
            actor_name=RECEIPT,
            message_id=message_id_for(event_id, RECEIPT),
            args=(),
            kwargs={"tenant_id": str(tenant), "event_id": str(event_id), "seq": seq},
            options={
                TENANT_OPTION: str(tenant),
                "retries": retries,
                TRACEBACK_OPTION: TRACEBACK,
                FAILED_AT_OPTION: current_millis(),
            },
        )
        broker.enqueue(message)
    finally:
        broker.close()
    return message.message_id


@contextlib.contextmanager
def relay_and_worker(
    settings: Settings, blob_dir: Path, logs: Path, *, queue: str = "", relay: bool = True
) -> Iterator[None]:
    """``cmeledger relay`` (unless not ``relay``) and ``cmeledger worker`` as processes on
    ``queue`` (by default one of their own), reading certificate files from ``blob_dir``, their
    output in ``logs``; stopped (and their queues deleted) on the way out."""
    queue = queue or f"journey-{uuid4().hex[:12]}"
    commands = [("relay", ("relay", "--poll-interval", "1"))] if relay else []
    commands.append(("worker", ("worker",)))
    env = {
        **settings_env(settings),
        "CMELEDGER_BROKER_QUEUE": queue,
        "CMELEDGER_BLOB_DIR": str(blob_dir),
        "CMELEDGER_DB_POOL_SIZE": "4",
    }
    started = []
    try:
        for name, args in commands:
            with (logs / f"{name}.log").open("wb") as log:
                started.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "services.main", *args],
                        cwd=ROOT,
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        yield
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        broker = build_broker(settings)
        assert isinstance(broker, RabbitmqBroker)
        delete_queue(broker, queue)
        broker.close()
