"""The organisation's dead letters: background jobs that failed for good (a message no retry can
fix, or retries exhausted), and putting them back on the queue once the cause is fixed.

Owners and admins only; each sees only their organisation's. A replayed job keeps its message
id, so a job that had in fact done its work does nothing the second time. Every replay is
recorded in the organisation's history (``audits.DeadLettersReplayed``), also one that RabbitMQ
interrupts half-way, for the jobs already put back (the answer is then 503).
"""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.problem_details import ProblemDetailsException

from services.api.auth import requires_role
from services.api.errors import PROBLEM_TYPE
from services.core.application import UseCases
from services.core.operations import use_cases as operations
from services.core.operations.dead_letters import BrokerUnavailable
from services.core.operations.use_cases import DeadLetterView, ReplayDeadLetters

RETRY_AFTER_S = 30


def _broker_unavailable() -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=503,
        title="broker unavailable",
        detail="the message broker cannot be reached; nothing more was changed, retry later",
        type_=PROBLEM_TYPE + "broker_unavailable",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


class DeadLetterController(Controller):
    path = "/api/v1/admin/dead-letters"
    tags = ("operations",)
    guards = [requires_role("owner", "admin")]  # noqa: RUF012 (Litestar layer)

    @get("")
    async def list_dead_letters(self, use_cases: NamedDependency[UseCases]) -> list[DeadLetterView]:
        """The organisation's failed background jobs, oldest failure first (kept 7 days)."""
        try:
            return await use_cases.run(operations.list_dead_letters, None)
        except BrokerUnavailable:
            raise _broker_unavailable() from None

    @staticmethod
    async def _replay(use_cases: UseCases, message_id: str | None) -> list[DeadLetterView]:
        command = ReplayDeadLetters(message_id=message_id)
        done = await use_cases.run(operations.replay_dead_letters, command)
        if done.interrupted:
            raise _broker_unavailable()
        return done.jobs

    @post("/replay", status_code=200)
    async def replay_all(self, use_cases: NamedDependency[UseCases]) -> list[DeadLetterView]:
        """Put every failed job of the organisation back on the queue (with fresh retries);
        the jobs replayed. The replay is recorded in the history."""
        return await self._replay(use_cases, None)

    @post("/{message_id:str}/replay", status_code=200)
    async def replay_one(
        self, use_cases: NamedDependency[UseCases], message_id: FromPath[str]
    ) -> DeadLetterView:
        """Put one failed job back on the queue (with fresh retries). The replay is recorded in
        the history."""
        return (await self._replay(use_cases, message_id))[0]
