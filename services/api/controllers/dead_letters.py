"""The organisation's dead letters: background jobs that failed for good (a message no retry can
fix, or retries exhausted), and putting them back on the queue once the cause is fixed.

Owners and admins only; each sees only their organisation's. A replayed job keeps its message
id, so a job that had in fact done its work does nothing the second time. Every replay is
recorded in the organisation's history (``audits.DeadLettersReplayed``), also one that RabbitMQ
interrupts half-way, for the jobs already put back (the answer is then 503).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
import pika
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.problem_details import ProblemDetailsException

from services.api.auth import Principal, requires_role
from services.api.controllers.invitations import actor
from services.api.errors import PROBLEM_TYPE
from services.core.db import Tx
from services.core.settings import Settings
from services.worker.dead_letters import (
    BrokerUnavailable,
    DeadLetter,
    event_id_of,
    replay,
    scan,
)

RETRY_AFTER_S = 30


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


def _broker_unavailable() -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=503,
        title="broker unavailable",
        detail="the message broker cannot be reached; nothing more was changed, retry later",
        type_=PROBLEM_TYPE + "broker_unavailable",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


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


class DeadLetterController(Controller):
    path = "/api/v1/admin/dead-letters"
    tags = ("operations",)
    guards = [requires_role("owner", "admin")]  # noqa: RUF012 (Litestar layer)

    @get("")
    async def list_dead_letters(
        self, request: Request[Principal, Any, Any], state: State
    ) -> list[DeadLetterView]:
        """The organisation's failed background jobs, oldest failure first (kept 7 days)."""
        settings: Settings = state.settings
        async with state.database.transaction(request.user.tenant_id) as tx:
            try:
                letters = await scan(
                    tx, pika.URLParameters(settings.broker_url), settings.broker_queue
                )
            except BrokerUnavailable:
                raise _broker_unavailable() from None
            return await _views(tx, letters)

    async def _replay(
        self, request: Request[Principal, Any, Any], state: State, message_id: str | None
    ) -> list[DeadLetterView]:
        settings: Settings = state.settings
        async with state.database.transaction(request.user.tenant_id) as tx:
            done = await replay(
                tx,
                state.store,
                pika.URLParameters(settings.broker_url),
                settings.broker_queue,
                select=lambda letter: message_id in (None, letter.message_id),
                user_id=request.user.user_id,
                metadata=actor(request),
            )
            views = await _views(tx, done.replayed)
        if done.interrupted:
            raise _broker_unavailable()
        return views

    @post("/replay", status_code=200)
    async def replay_all(
        self, request: Request[Principal, Any, Any], state: State
    ) -> list[DeadLetterView]:
        """Put every failed job of the organisation back on the queue (with fresh retries);
        the jobs replayed. The replay is recorded in the history."""
        return await self._replay(request, state, None)

    @post("/{message_id:str}/replay", status_code=200)
    async def replay_one(
        self, request: Request[Principal, Any, Any], state: State, message_id: FromPath[str]
    ) -> DeadLetterView:
        """Put one failed job back on the queue (with fresh retries). The replay is recorded in
        the history."""
        replayed = await self._replay(request, state, message_id)
        if not replayed:
            raise NotFoundException("no such failed job in this organisation")
        return replayed[0]
