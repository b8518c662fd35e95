"""The consumer feed: durable, forward-only, skip-free, and per tenant."""

from __future__ import annotations

from uuid import uuid4

import asyncpg
import pytest

from services.core.db import Database
from services.core.eventsourcing.feed import acknowledge, read_feed
from tests.support import add_notes, make_store, register, registered_tenant

pytestmark = pytest.mark.integration


async def test_consumer_resumes_after_its_acknowledged_position(database: Database) -> None:
    store, tenant, other = make_store(), uuid4(), uuid4()
    for t in (tenant, other):
        await register(database, store, t)
        await add_notes(database, store, t, "s", 5)

    async with database.transaction(tenant) as tx:
        first = await read_feed(tx, "mailer", limit=3)
        await acknowledge(tx, "mailer", first[-1].seq)
    async with database.transaction(tenant) as tx:
        rest = await read_feed(tx, "mailer")
        untouched = await read_feed(tx, "auditor-digest")
    assert [e.seq for e in first] == [1, 2, 3]
    assert [e.seq for e in rest] == [4, 5]
    assert [e.seq for e in untouched] == [1, 2, 3, 4, 5]
    assert {e.tenant_id for e in first + rest} == {tenant}

    async with database.transaction(other) as tx:
        assert [e.seq for e in await read_feed(tx, "mailer")] == [1, 2, 3, 4, 5]


async def test_acknowledging_again_or_backwards_is_refused(database: Database) -> None:
    store, tenant = await registered_tenant(database)
    await add_notes(database, store, tenant, "s", 3)
    async with database.transaction(tenant) as tx:
        await acknowledge(tx, "relay", 2)
    for seq in (2, 1):
        with pytest.raises(asyncpg.exceptions.UniqueViolationError):
            async with database.transaction(tenant) as tx:
                await acknowledge(tx, "relay", seq)
    async with database.transaction(tenant) as tx:
        assert [e.seq for e in await read_feed(tx, "relay")] == [3]
