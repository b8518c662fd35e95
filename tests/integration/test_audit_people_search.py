"""The audit page's person search (``audit.find_people``) on PostgreSQL: names only, so it
reads no standing however many people match."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest
from asyncpg.connection import LoggedQuery

from domain.people.person import RegisterPerson
from services.core.application import Actor, Application
from services.core.audit.use_cases import PeopleSearch, find_people
from services.core.db import Database
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import EventStore
from services.core.idempotency import command_sequence
from services.core.people.handlers import register_person
from services.core.settings import Settings
from tests.conftest import new_tenant
from tests.support import register

pytestmark = pytest.mark.integration


async def test_find_people_lists_names_by_name_and_reads_no_standing(
    database: Database, store: EventStore, migrated: Settings
) -> None:
    tenant = new_tenant()
    await register(database, store, tenant)
    async with database.transaction(tenant) as tx:
        for name in ("Ada Vance", "Bo Diddley", "ada lovelace", "Cy Adams"):
            await register_person(
                CommandContext(tx, store, uuid4()),
                RegisterPerson(person_id=uuid4(), full_name=name),
            )
    application = Application(database=database, store=store, settings=migrated)
    auditor = application.use_cases(
        Actor(tenant_id=tenant, role="auditor", user_id=uuid4()), command_sequence(uuid4())
    )
    sent: list[str] = []

    def note(record: LoggedQuery) -> None:
        sent.append(" ".join(record.query.split()))

    with database.observing_statements(note):
        found = await auditor.run(find_people, PeopleSearch(text="ADA"))
        await asyncio.sleep(0.05)  # query loggers are called soon after, from the loop
    first = await auditor.run(find_people, PeopleSearch(text="ada", limit=2))

    assert [p.full_name for p in found.people] == ["Ada Vance", "Cy Adams", "ada lovelace"]
    assert not found.more
    assert ([p.full_name for p in first.people], first.more) == (["Ada Vance", "Cy Adams"], True)
    assert not [q for q in sent if "obligation" in q], "\n".join(sent)
