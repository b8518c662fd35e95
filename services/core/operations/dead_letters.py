"""Dead letters: messages that failed permanently or exhausted their retries.

They wait in ``<queue>.XQ`` (kept 7 days), each with its error and failure time (set by the
worker's ``services.worker.broker.DeadLetterWithError``, named in ``messages``). Admins list a
tenant's dead letters and replay them: a replayed message goes back on its queue with the same
message id (so the actor stays idempotent) and a fresh retry count. Other tenants' messages go
back to the dead-letter queue untouched.

The admin API and the command line read the queue here, in the application layer; the worker
only writes dead letters.

Reading the queue takes every message off it until the reading channel closes, so a second
reader at the same moment would miss them: readers take ``SCAN_LOCK`` first (``scan``). Every
replay by a member is recorded in the tenant's chain (``replay``).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple
from uuid import UUID

import dramatiq
import msgspec
import pika
import pika.exceptions
from dramatiq.common import xq_name
from dramatiq.errors import DecodeError

from domain.audits.operations import DeadLettersReplayed, ReplayedJob
from services.core.db import Tx
from services.core.eventsourcing.commands import record_fact
from services.core.eventsourcing.store import EventStore, Metadata
from services.core.operations.messages import FAILED_AT_OPTION, TENANT_OPTION, TRACEBACK_OPTION
from services.core.stream_ids import access_stream

SCAN_LOCK = "dead-letters"
# Options of a failed delivery that a replay starts afresh without.
FAILURE_OPTIONS = frozenset(
    {"retries", "eta", "requeue_timestamp", TRACEBACK_OPTION, FAILED_AT_OPTION}
)


class BrokerUnavailable(Exception):
    """RabbitMQ could not be reached, or failed while the dead letters were read."""


class DeadLetter(msgspec.Struct, frozen=True, kw_only=True):
    message_id: str
    actor_name: str
    kwargs: dict[str, object]
    retries: int
    error: str | None
    """The last line of the traceback: the exception and its message."""
    failed_at: datetime | None


def _describe(message: dramatiq.Message[Any]) -> DeadLetter:
    failed_at = message.options.get(FAILED_AT_OPTION)
    return DeadLetter(
        message_id=message.message_id,
        actor_name=message.actor_name,
        kwargs=dict(message.kwargs),
        retries=int(message.options.get("retries", 0)),
        error=message.options.get(TRACEBACK_OPTION, "").strip().rsplit("\n", 1)[-1] or None,
        failed_at=None if failed_at is None else datetime.fromtimestamp(failed_at / 1000, UTC),
    )


def _keep(_letter: DeadLetter) -> bool:
    return False


def dead_letters(
    parameters: pika.connection.Parameters,
    queue_name: str,
    tenant: UUID,
    *,
    replay: Callable[[DeadLetter], bool] = _keep,
    on_replayed: Callable[[DeadLetter], None] | None = None,
) -> list[DeadLetter]:
    """``tenant``'s dead letters on ``queue_name``, oldest first, that are still dead letters
    afterwards. Those ``replay`` selects go back on the queue, each reported to ``on_replayed``
    once RabbitMQ confirmed it (so a caller knows what was replayed even if the broker fails
    half-way). Blocking: call it in a thread, under ``SCAN_LOCK`` (``scan``)."""
    kept: list[DeadLetter] = []
    connection = pika.BlockingConnection(parameters)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        try:
            declared = channel.queue_declare(xq_name(queue_name), passive=True)
        except pika.exceptions.ChannelClosedByBroker as exc:
            if exc.reply_code == 404:  # no message has failed on this queue yet
                return kept
            raise
        for _ in range(declared.method.message_count):
            method, _properties, body = channel.basic_get(xq_name(queue_name), auto_ack=False)
            if method is None:
                break
            try:
                message = dramatiq.Message.decode(body)
            except DecodeError:
                continue  # not a Dramatiq message: no tenant's; left where it is
            if message.options.get(TENANT_OPTION) != str(tenant):
                continue  # left unacknowledged: requeued when the channel closes
            letter = _describe(message)
            if not replay(letter):
                kept.append(letter)
                continue
            options = {k: v for k, v in message.options.items() if k not in FAILURE_OPTIONS}
            fresh = dataclasses.replace(message, queue_name=queue_name, options=options)
            channel.basic_publish(
                exchange="",
                routing_key=queue_name,
                body=fresh.encode(),
                properties=pika.BasicProperties(delivery_mode=2),
                mandatory=True,
            )
            channel.basic_ack(method.delivery_tag)
            if on_replayed is not None:
                on_replayed(letter)
        channel.close()
    finally:
        if connection.is_open:
            connection.close()
    return kept


async def scan(
    tx: Tx,
    parameters: pika.connection.Parameters,
    queue_name: str,
    *,
    replay: Callable[[DeadLetter], bool] = _keep,
    on_replayed: Callable[[DeadLetter], None] | None = None,
) -> list[DeadLetter]:
    """``dead_letters`` of the transaction's tenant, in a thread, holding ``SCAN_LOCK`` until
    the transaction ends. Raises ``BrokerUnavailable``."""
    await tx.pg.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", SCAN_LOCK)
    try:
        return await asyncio.to_thread(
            dead_letters,
            parameters,
            queue_name,
            tx.require_tenant(),
            replay=replay,
            on_replayed=on_replayed,
        )
    except pika.exceptions.AMQPError as exc:
        raise BrokerUnavailable(f"RabbitMQ: {exc!r}") from exc


class Replay(NamedTuple):
    replayed: list[DeadLetter]
    interrupted: bool
    """RabbitMQ failed half-way: only ``replayed`` went back on the queue."""


async def replay(
    tx: Tx,
    store: EventStore,
    parameters: pika.connection.Parameters,
    queue_name: str,
    *,
    select: Callable[[DeadLetter], bool],
    user_id: UUID,
    metadata: Metadata | None = None,
) -> Replay:
    """Put the transaction tenant's dead letters that ``select`` picks back on the queue, and
    record in the same transaction that ``user_id`` replayed them (``audits.DeadLettersReplayed``
    on their access stream), also when RabbitMQ fails half-way, for those already back."""
    replayed: list[DeadLetter] = []
    try:
        await scan(tx, parameters, queue_name, replay=select, on_replayed=replayed.append)
    except BrokerUnavailable:
        interrupted = True
    else:
        interrupted = False
    if replayed:
        event = DeadLettersReplayed(user_id=user_id, jobs=tuple(map(_job, replayed)))
        await record_fact(tx, store, access_stream(user_id), event, metadata=metadata)
    return Replay(replayed, interrupted)


def event_id_of(letter: DeadLetter) -> UUID | None:
    """The event a dead letter was about, if its message names a valid event id."""
    try:
        return UUID(str(letter.kwargs.get("event_id")))
    except ValueError:
        return None


def _job(letter: DeadLetter) -> ReplayedJob:
    return ReplayedJob(
        message_id=letter.message_id, actor=letter.actor_name, event_id=event_id_of(letter)
    )
