"""The per-process cache of a tenant's standings (``queries.every_standing``) on PostgreSQL: it
answers what ``standings_on`` answers, never one tenant's people to another, and a write in the
tenant, a new day or a changed pending-credit choice is seen on the next read."""

from __future__ import annotations

import contextlib
import json
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from domain.credits.credit import AmendCredit, RecordCredit, RecordVerification, RetractCredit
from domain.credits.waiver import RecordWaiver
from domain.people.person import AddCredential, AssignPerson, DeactivatePerson, RegisterPerson
from domain.shared.errors import DomainError
from domain.shared.event import Event, EventRegistry
from services.core.credits.handlers import change_credit, record_credit, record_waiver
from services.core.db import Database
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import EventStore, PostgresEventStore
from services.core.people import queries
from services.core.people.handlers import change_person, deactivate_person, register_person
from services.core.projections import ProjectionRunner
from services.core.projections.standings import StandingHeads
from services.core.registry import EVENT_TYPES, STANDING_EVENT_TYPES, build_projections
from services.core.settings import Settings
from services.core.staff import listing
from services.core.staff.listing import StaffFilter
from services.core.stream_ids import certificate_stream, credit_stream, person_stream
from tests.builders import credit_details, new_credential_waiver
from tests.conftest import new_tenant, run_cli
from tests.metrics_support import scrape
from tests.support import register

pytestmark = pytest.mark.integration

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)
SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "events"
KEYED_APART = {"organisations.PendingCreditsCountingChosen"}
"""Event kinds that change standings but are part of the cache key by themselves."""
SAMPLE_PERSON = UUID("6f1c2a9e-3b4d-4e8f-9a1b-2c3d4e5f6a7b")
SAMPLE_CREDIT = UUID("0b7e3f2a-8c1d-4f5e-a6b7-c8d9e0f1a2b3")
"""The person and the credit the stored event samples name."""


STREAMS = {
    "person_id": person_stream,
    "credit_id": credit_stream,
    "certificate_id": certificate_stream,
}
"""The stream of an event whose data leads with one of these ids (a sample of another event
goes to a stream of its own)."""


def _sample(tag: str) -> tuple[str, Event]:
    """The stored sample of event kind ``tag`` at its current version, and its stream."""
    registry = EventRegistry(EVENT_TYPES)
    version = registry.classes[tag].schema_version
    data = json.loads((SAMPLES / tag / f"v{version}.json").read_text())
    streams = [STREAMS[field](UUID(data[field])) for field in data if field in STREAMS]
    return (streams or [f"probe-{uuid4()}"])[0], registry.decode(tag, version, data)


async def _append_sample(database: Database, store: EventStore, tenant: UUID, tag: str) -> None:
    stream, event = _sample(tag)
    async with database.transaction(tenant) as tx:
        version = len(await store.read_stream(tx, stream))
        await store.append(tx, stream, [event], expected_version=version, event_ids=[uuid4()])


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


async def _record_credit(database: Database, store: EventStore, tenant: UUID, person: UUID) -> UUID:
    credit = uuid4()
    async with database.transaction(tenant) as tx:
        await record_credit(
            CommandContext(tx, store, uuid4()),
            RecordCredit(credit_id=credit, person_id=person, details=credit_details()),
        )
    return credit


async def test_an_event_that_changes_no_standing_keeps_the_cached_standings(
    database: Database, store: EventStore
) -> None:
    people = await _tenant_with(database, store, "Ada Lovelace")
    tenant = people["tenant"]
    async with database.transaction(tenant) as tx:
        before = await queries.every_standing(tx, today=TODAY)

    await _append_sample(database, store, tenant, "audits.UserSignedIn")
    await _append_sample(database, store, tenant, "audits.AuditorRead")
    async with database.transaction(tenant) as tx:
        after = await queries.every_standing(tx, today=TODAY)

    assert after is before


async def test_every_event_kind_outside_the_standing_kinds_changes_no_standing(
    database: Database, store: EventStore
) -> None:
    tenant = new_tenant()
    await register(database, store, tenant)
    async with database.transaction(tenant) as tx:  # the person and credit the samples name
        await register_person(
            CommandContext(tx, store, uuid4()),
            RegisterPerson(person_id=SAMPLE_PERSON, full_name="Dana"),
        )
        await change_person(
            CommandContext(tx, store, uuid4()),
            SAMPLE_PERSON,
            AddCredential(body="ARDMS", code="RDMS", earned_on=date(2024, 3, 15)),
        )
        await record_credit(
            CommandContext(tx, store, uuid4()),
            RecordCredit(
                credit_id=SAMPLE_CREDIT, person_id=SAMPLE_PERSON, details=credit_details()
            ),
        )
    async with database.transaction(tenant) as tx:
        before = await queries.standings_on(tx, today=TODAY)
    declared = EventRegistry(EVENT_TYPES).classes  # as declared: a stream's first event first
    outside = [tag for tag in declared if tag not in STANDING_EVENT_TYPES | KEYED_APART]

    changing = []
    for tag in outside:
        await _append_sample(database, store, tenant, tag)
        async with database.transaction(tenant) as tx:
            after = await queries.standings_on(tx, today=TODAY)
        if after != before:
            changing.append(tag)
        before = after

    assert outside
    assert changing == [], f"these event kinds change a standing: {changing}"


@pytest.mark.parametrize("seed", range(4))
async def test_a_stale_entry_refreshed_by_the_people_named_equals_a_full_computation(
    database: Database, store: EventStore, seed: int
) -> None:
    chance = random.Random(seed)
    people = await _tenant_with(database, store, "Ada Lovelace", "Bo Diddley", "Cy Young")
    tenant = people.pop("tenant")
    everyone, credits = list(people.values()), []
    refreshed = queries.STANDINGS.refreshes

    async def act() -> None:
        async with database.transaction(tenant) as tx:
            context = CommandContext(tx, store, uuid4())
            person = chance.choice(everyone)
            match chance.randrange(8):
                case 0:
                    everyone.append(uuid4())
                    await register_person(
                        context, RegisterPerson(person_id=everyone[-1], full_name="New Person")
                    )
                case 1:
                    await change_person(
                        context,
                        person,
                        AddCredential(body="ARRT", code="R", earned_on=date(2023, 6, 1)),
                    )
                case 2 | 3 if credits:
                    credit = chance.choice(credits)
                    await change_credit(
                        context,
                        credit,
                        chance.choice(
                            [
                                RetractCredit(reason="duplicate"),
                                RecordVerification(status="verified"),
                                AmendCredit(
                                    details=credit_details(credits=Decimal("12")), reason="typo"
                                ),
                            ]
                        ),
                    )
                case 4:
                    await record_waiver(context, RecordWaiver(waiver=new_credential_waiver(person)))
                case 5:
                    await deactivate_person(
                        context, person, DeactivatePerson(reason="left"), by_role="owner", now=NOW
                    )
                case 6:
                    await change_person(context, person, AssignPerson(department="Echo"))
                case _:
                    credits.append(uuid4())
                    await record_credit(
                        context,
                        RecordCredit(
                            credit_id=credits[-1],
                            person_id=person,
                            details=credit_details(credits=Decimal(chance.randrange(1, 30))),
                        ),
                    )

    for _ in range(12):
        for _ in range(chance.randrange(1, 4)):
            with contextlib.suppress(DomainError):  # refused (e.g. retracted twice): no event
                await act()
        cached, computed = await _cached_and_computed(database, tenant, TODAY)
        assert cached == computed

    assert queries.STANDINGS.refreshes > refreshed


class _RolledBack(Exception):
    pass


async def test_standings_cached_by_an_append_rolled_back_are_not_refreshed(
    database: Database, store: EventStore
) -> None:
    people = await _tenant_with(database, store, "Ada Lovelace")
    tenant = people["tenant"]
    with contextlib.suppress(_RolledBack):
        async with database.transaction(tenant) as tx:
            await register_person(
                CommandContext(tx, store, uuid4()),
                RegisterPerson(person_id=uuid4(), full_name="Never Was"),
            )
            await queries.every_standing(tx, today=TODAY)  # cached with the unsaved person
            raise _RolledBack
    async with database.transaction(tenant) as tx:  # the same sequence number, another event
        await register_person(
            CommandContext(tx, store, uuid4()), RegisterPerson(person_id=uuid4(), full_name="Bo")
        )
    await _record_credit(database, store, tenant, people["Ada Lovelace"])

    cached, computed = await _cached_and_computed(database, tenant, TODAY)

    assert cached == computed


async def test_events_appended_by_the_release_before_are_seen_by_this_one(
    database: Database, store: EventStore
) -> None:
    """For a few minutes of a release both run on the new schema (docs/operations.md): the
    release before appends without the standing head's projection."""
    registry = EventRegistry(EVENT_TYPES)
    before = [p for p in build_projections(registry) if p.name != StandingHeads.name]
    release_before = PostgresEventStore(registry, ProjectionRunner(before))
    people = await _tenant_with(database, store, "Ada Lovelace")
    tenant, bo = people["tenant"], uuid4()
    await _cached_and_computed(database, tenant, TODAY)

    async with database.transaction(tenant) as tx:
        await register_person(
            CommandContext(tx, release_before, uuid4()),
            RegisterPerson(person_id=bo, full_name="Bo"),
        )
    cached, computed = await _cached_and_computed(database, tenant, TODAY)

    assert bo in computed
    assert cached == computed


async def test_standings_refreshed_inside_a_derived_value_are_kept_for_the_next_refresh(
    database: Database, store: EventStore
) -> None:
    people = await _tenant_with(database, store, "Ada Lovelace", "Bo Diddley")
    tenant, ada = people["tenant"], people["Ada Lovelace"]
    await _cached_and_computed(database, tenant, TODAY)

    async with database.transaction(tenant) as tx:

        async def derived() -> int:  # a credit commits between the two keys read
            await _record_credit(database, store, tenant, ada)
            return len(await queries.every_standing(tx, today=TODAY))

        await queries.for_every_standing(tx, today=TODAY, label="derived", compute=derived)
    await _record_credit(database, store, tenant, ada)
    refreshed = queries.STANDINGS.refreshes
    cached, computed = await _cached_and_computed(database, tenant, TODAY)

    assert cached == computed
    assert queries.STANDINGS.refreshes == refreshed + 1
