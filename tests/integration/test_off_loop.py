"""A tenant's standings are decided off the event loop: while one request of the process works
them out, the loop answers the others (``services.core.offloop``)."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator, Sequence
from datetime import date
from typing import overload
from uuid import UUID, uuid4

import pytest

from domain.compliance.packs import RULE_PACKS
from domain.compliance.rules import Pack
from domain.people.person import RegisterPerson
from services.core.db import Database
from services.core.eventsourcing.store import EventStore
from services.core.people import queries
from services.core.people.handlers import register_person
from tests.conftest import new_tenant
from tests.support import TenantCommands, register

pytestmark = pytest.mark.integration

TODAY = date(2026, 11, 26)


class HeldPacks(Sequence[Pack]):
    """The rule packs in force, whose first reading waits, in whatever thread reads them,
    until ``answered`` is set (at most ``patience`` seconds: run on the event loop, the wait
    holds the very loop that would set it); notes whether the cyclic garbage collector could
    run meanwhile."""

    def __init__(self, patience: float = 10) -> None:
        self.reading = threading.Event()
        self.answered = threading.Event()
        self.patience = patience
        self.waited_for_the_answer: bool | None = None
        self.collected_meanwhile: bool | None = None

    def __iter__(self) -> Iterator[Pack]:
        if self.waited_for_the_answer is None:
            self.collected_meanwhile = gc.isenabled()
            self.reading.set()
            self.waited_for_the_answer = self.answered.wait(self.patience)
        return iter(RULE_PACKS)

    @overload
    def __getitem__(self, index: int) -> Pack: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Pack]: ...
    def __getitem__(self, index: int | slice) -> Pack | Sequence[Pack]:
        return RULE_PACKS[index]

    def __len__(self) -> int:
        return len(RULE_PACKS)


async def test_other_requests_are_answered_while_standings_are_decided(
    database: Database, store: EventStore
) -> None:
    tenant = new_tenant()
    await register(database, store, tenant)
    person_id = uuid4()
    commands = TenantCommands(database, store, tenant)
    await commands.run(
        register_person, RegisterPerson(person_id=person_id, full_name="Ada Lovelace")
    )
    await commands.credential(person_id, "ARDMS", "RDMS", date(2024, 3, 15))
    packs = HeldPacks()

    async def decided() -> dict[UUID, queries.PersonStanding]:
        async with database.transaction(tenant) as tx:
            return dict(await queries.standings_on(tx, today=TODAY, rule_packs=packs))

    deciding = asyncio.create_task(decided())
    await asyncio.to_thread(packs.reading.wait, packs.patience)
    async with database.transaction(tenant) as tx:  # another request of the same process
        assert await tx.pg.fetchval("SELECT 1") == 1
    packs.answered.set()
    found = await deciding

    assert packs.waited_for_the_answer is True
    assert packs.collected_meanwhile is False, "the collector's full passes would hold the loop"
    assert [s.body for s in found[person_id].standings] == ["ARDMS"]
