"""The dead-letter use cases (owners and admins, their organisation's only): list the background
jobs that failed for good, and put them back on the queue.

The broker is called from here (``services.core.operations.dead_letters``), in the unit of
work: reading holds the scan lock until the transaction ends, and a replay is recorded
(``audits.DeadLettersReplayed``) in the same transaction, also when RabbitMQ fails half-way
(then ``Replayed.interrupted``: the result is returned, not raised, so the record commits).
An unreachable broker is a ``BrokerUnavailable``.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
import pika

from services.core.application import AccessDenied, NotFound, UnitOfWork
from services.core.db import Tx
from services.core.operations.dead_letters import DeadLetter, event_id_of, replay, scan
from services.core.policy import MANAGERS, require_role


class EventAbout(msgspec.Struct, frozen=True, kw_only=True):
    """The event of the organisation's history that the job was handling."""

    event_id: UUID
    seq: int
    event_type: str
    stream_id: str
    recorded_at: datetime


class DeadLetterView(msgspec.Struct, frozen=True, kw_only=True):
    message_id: str
    actor: str
    """The background job, e.g. ``verify_certificate``."""
    error: str | None
    """Why it failed the last time: the exception and its message."""
    retries: int
    """How many times it was retried before it was given up."""
    failed_at: datetime | None
    event: EventAbout | None
    """The event it was about; null if the message named none of the organisation's events."""


class ReplayDeadLetters(msgspec.Struct, frozen=True, kw_only=True):
    message_id: str | None = None
    """The one job to replay (``NotFound`` when the organisation has no such failed job);
    None: all of them."""


class Replayed(msgspec.Struct, frozen=True, kw_only=True):
    jobs: list[DeadLetterView]
    interrupted: bool
    """RabbitMQ failed half-way: only ``jobs`` went back on the queue."""


async def _views(tx: Tx, letters: list[DeadLetter]) -> list[DeadLetterView]:
    ids = [event_id for letter in letters if (event_id := event_id_of(letter)) is not None]
    rows = await tx.pg.fetch(
        "SELECT event_id, seq, event_type, stream_id, recorded_at FROM events"
        " WHERE tenant_id = $1 AND event_id = ANY($2::uuid[])",
        tx.require_tenant(),
        ids,
    )
    events = {row["event_id"]: EventAbout(**dict(row)) for row in rows}
    return [
        DeadLetterView(
            message_id=letter.message_id,
            actor=letter.actor_name,
            error=letter.error,
            retries=letter.retries,
            failed_at=letter.failed_at,
            event=events.get(event_id_of(letter)),
        )
        for letter in letters
    ]


async def list_dead_letters(uow: UnitOfWork, _: None = None) -> list[DeadLetterView]:
    """The organisation's failed background jobs, oldest failure first (kept 7 days)."""
    require_role(uow.actor, *MANAGERS)
    settings = uow.settings
    letters = await scan(uow.tx, pika.URLParameters(settings.broker_url), settings.broker_queue)
    return await _views(uow.tx, letters)


async def replay_dead_letters(uow: UnitOfWork, command: ReplayDeadLetters) -> Replayed:
    """Put the organisation's failed jobs (or the one named) back on the queue with fresh
    retries, and record the replay in the history."""
    require_role(uow.actor, *MANAGERS)
    if uow.actor.user_id is None:
        raise AccessDenied("only a member may replay failed jobs")
    settings = uow.settings
    done = await replay(
        uow.tx,
        uow.store,
        pika.URLParameters(settings.broker_url),
        settings.broker_queue,
        select=lambda letter: command.message_id in (None, letter.message_id),
        user_id=uow.actor.user_id,
        metadata=uow.metadata,
    )
    if command.message_id is not None and not done.replayed and not done.interrupted:
        raise NotFound("no such failed job in this organisation")
    return Replayed(jobs=await _views(uow.tx, done.replayed), interrupted=done.interrupted)
