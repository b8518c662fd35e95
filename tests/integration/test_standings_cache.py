"""The per-process cache of a tenant's standings (``queries.every_standing``) on PostgreSQL: it
answers what ``standings_on`` answers, never one tenant's people to another, and a write in the
tenant, a new day or a changed pending-credit choice is seen on the next read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.people.person import AddCredential, RegisterPerson
from services.core.db import Database
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import EventStore
from services.core.people import queries
from services.core.people.handlers import change_person, register_person
from services.core.settings import Settings
from services.core.staff import listing
from services.core.staff.listing import StaffFilter
from tests.conftest import new_tenant, run_cli
from tests.metrics_support import scrape
from tests.support import register

pytestmark = pytest.mark.integration

TODAY = date(2026, 11, 26)


async def _tenant_with(database: Database, store: EventStore, *names: str) -> dict[str, UUID]:
    tenant = new_tenant()
    await register(database, store, tenant)
    people = {"tenant": tenant}
    async with database.transaction(tenant) as tx:
        for name in names:
            people[name] = uuid4()
            await register_person(
                CommandContext(tx, store, uuid4()),
                RegisterPerson(person_id=people[name], full_name=name),
            )
            await change_person(
                CommandContext(tx, store, uuid4()),
                people[name],
                AddCredential(body="ARDMS", code="RDMS", earned_on=date(2024, 3, 15)),
            )
    return people


async def _cached_and_computed(
    database: Database, tenant: UUID, today: date
) -> tuple[dict[UUID, queries.PersonStanding], dict[UUID, queries.PersonStanding]]:
    async with database.transaction(tenant) as tx:
        cached = dict(await queries.every_standing(tx, today=today))
        computed = await queries.standings_on(tx, today=today, explained=False)
    return cached, computed


async def test_the_cache_answers_each_tenant_its_own_standings(
    database: Database, store: EventStore
) -> None:
    ours = await _tenant_with(database, store, "Ada Lovelace", "Bo Diddley")
    theirs = await _tenant_with(database, store, "Cy Young")

    for _ in range(2):  # the second round is answered from the cache
        for people in (ours, theirs):
            cached, computed = await _cached_and_computed(database, people["tenant"], TODAY)
            assert cached == computed
            assert set(cached) == {v for k, v in people.items() if k != "tenant"}
            async with database.transaction(people["tenant"]) as tx:
                summary = await queries.organisation_summary(tx, today=TODAY)
                listed = await listing.staff_page(tx, StaffFilter(), today=TODAY, limit=50)
            assert summary.people == len(people) - 1
            assert {m.person_id for m in listed.items} == set(cached)
    assert queries.STANDINGS.hits > 0


async def test_a_write_in_the_tenant_is_seen_on_the_next_read(
    database: Database, store: EventStore
) -> None:
    people = await _tenant_with(database, store, "Ada Lovelace")
    tenant, bo = people["tenant"], uuid4()
    async with database.transaction(tenant) as tx:
        before = await listing.staff_page(tx, StaffFilter(), today=TODAY, limit=50)
        summary_before = await queries.organisation_summary(tx, today=TODAY)
    async with database.transaction(tenant) as tx:
        await register_person(
            CommandContext(tx, store, uuid4()), RegisterPerson(person_id=bo, full_name="Bo")
        )
    async with database.transaction(tenant) as tx:
        after = await listing.staff_page(tx, StaffFilter(), today=TODAY, limit=50)
        summary_after = await queries.organisation_summary(tx, today=TODAY)
    cached, computed = await _cached_and_computed(database, tenant, TODAY)

    assert cached == computed
    assert [m.person_id for m in before.items] == [people["Ada Lovelace"]]
    assert {m.person_id for m in after.items} == {people["Ada Lovelace"], bo}
    assert (summary_before.people, summary_after.people) == (1, 2)


async def test_a_new_day_is_computed_for_that_day(database: Database, store: EventStore) -> None:
    people = await _tenant_with(database, store, "Ada Lovelace")
    tenant = people["tenant"]
    later = TODAY + timedelta(days=3 * 365)

    async with database.transaction(tenant) as tx:
        now = await queries.organisation_summary(tx, today=TODAY)
        then = await queries.organisation_summary(tx, today=later)
    cached, computed = await _cached_and_computed(database, tenant, later)

    assert cached == computed
    assert then.by_status != now.by_status
    assert then.today == later


@pytest.mark.parametrize("command", ["rebuild-projections", "reevaluate"])
async def test_read_models_rewritten_by_another_process_are_seen_without_a_new_event(
    database: Database, store: EventStore, migrated: Settings, command: str
) -> None:
    people = await _tenant_with(database, store, "Ada Lovelace")
    tenant, ada = people["tenant"], people["Ada Lovelace"]
    today = datetime.now(UTC).date()  # the day `reevaluate` evaluates for
    async with database.transaction(tenant) as tx:  # a read model gone wrong, no event
        await tx.pg.execute("DELETE FROM obligations WHERE person_id = $1", ada)
    before, _ = await _cached_and_computed(database, tenant, today)

    result = run_cli(migrated, command, "--tenant", str(tenant))
    assert result.returncode == 0, result.stderr
    after, computed = await _cached_and_computed(database, tenant, today)

    assert before[ada].obligations == []
    assert after == computed
    assert after[ada].obligations


async def test_hits_misses_and_evictions_are_counted_on_the_metrics_port(
    database: Database, store: EventStore, metrics_url: str
) -> None:
    names = ("hits", "misses", "evictions")
    before = {n: scrape(metrics_url, f"cmeledger_standings_cache_{n}_total") for n in names}
    people = await _tenant_with(database, store, "Ada Lovelace")
    await _cached_and_computed(database, people["tenant"], TODAY)  # a miss
    await _cached_and_computed(database, people["tenant"], TODAY)  # a hit
    for _ in range(queries.STANDINGS.capacity):  # as many other tenants: the first is dropped
        await _cached_and_computed(database, (await _tenant_with(database, store))["tenant"], TODAY)

    after = {n: scrape(metrics_url, f"cmeledger_standings_cache_{n}_total") for n in names}
    assert after["hits"] - before["hits"] == 1
    assert after["misses"] - before["misses"] == 1 + queries.STANDINGS.capacity
    assert after["evictions"] - before["evictions"] >= 1
