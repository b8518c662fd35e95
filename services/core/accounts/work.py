"""How account use cases run: for a visitor, who acts on an account rather than as a member of
one organisation.

Signing up, signing in, the pages behind mailed links (password reset, email verification,
unsubscribe) run before anybody is a signed-in member, and accounts are global: one user belongs
to several organisations, and what they do is recorded in each of them. So an account use case
is ``use_case(work, command) -> result`` on an ``AccountWork`` that opens the transactions it
needs itself (tenant-less for the account, one per organisation for what it records there),
instead of the single tenant transaction of a member's ``UnitOfWork``. What a visitor may do
rests on what they prove in the command (a password, a link's secret), never on who they say
they are. Use cases of a signed-in member about their own account in the current organisation
(API tokens, mail preferences, signing out) are ordinary ``UnitOfWork`` use cases.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from uuid import UUID

import msgspec

from services.core.application import Application
from services.core.db import Database, Tx
from services.core.eventsourcing.store import EventStore
from services.core.settings import Settings

C = TypeVar("C")
R = TypeVar("R")


class Visitor(msgspec.Struct, frozen=True, kw_only=True):
    """Whoever sends the request, signed in or not; recorded with what they cause."""

    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class AccountWork:
    """What an account use case runs with: the process's parts, the visitor and the ids of the
    commands it issues."""

    application: Application
    visitor: Visitor
    command_ids: Callable[[], UUID]

    @property
    def database(self) -> Database:
        return self.application.database

    @property
    def store(self) -> EventStore:
        return self.application.store

    @property
    def settings(self) -> Settings:
        return self.application.settings

    def transaction(self, tenant_id: UUID | None) -> AbstractAsyncContextManager[Tx]:
        """One transaction scoped to ``tenant_id`` (None: the global account tables)."""
        return self.application.database.transaction(tenant_id)

    def now(self) -> datetime:
        """The store's clock."""
        return self.application.store.clock()

    def next_command_id(self) -> UUID:
        return self.command_ids()


AccountUseCase = Callable[[AccountWork, C], Awaitable[R]]


@dataclass(frozen=True, slots=True)
class AccountUseCases:
    """Runs account use cases for one visitor."""

    application: Application
    visitor: Visitor
    command_ids: Callable[[], UUID]

    async def run(self, use_case: AccountUseCase[C, R], command: C) -> R:
        work = AccountWork(
            application=self.application, visitor=self.visitor, command_ids=self.command_ids
        )
        return await use_case(work, command)
