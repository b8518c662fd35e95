"""People, credit and waiver use cases, and recorded facts, run through their handlers on the
in-memory event store: no PostgreSQL, the same store contract
(tests/contracts/test_event_store.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import msgspec
import pytest

from domain.audits.access import AuditorRead
from domain.credits import credit, waiver
from domain.credits.credit import (
    AmendCredit,
    CreditIsRetracted,
    InvalidCreditAmount,
    RecordCredit,
    RetractCredit,
)
from domain.credits.waiver import RecordWaiver
from domain.people import person
from domain.people.person import (
    AddCredential,
    AssignPerson,
    PersonNotRegistered,
    RegisterPerson,
)
from domain.shared.event import EventRegistry, fold
from services.core.credits.handlers import change_credit, record_credit, record_waiver
from services.core.eventsourcing.chain import GENESIS_HASH
from services.core.eventsourcing.chain_check import ChainWalk
from services.core.eventsourcing.commands import CommandContext, record_fact
from services.core.eventsourcing.memory import InMemoryEventStore, InMemoryUnitOfWork
from services.core.eventsourcing.store import Metadata
from services.core.people.handlers import change_person, register_person
from services.core.registry import EVENT_TYPES
from services.core.stream_ids import access_stream, credit_stream, person_stream, waiver_stream
from tests.builders import credit_details, new_credential_waiver

pytestmark = pytest.mark.unit

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
OWNER = Metadata(actor_id="owner-1", actor_role="owner", request_id="req-1")


def new_store() -> InMemoryEventStore:
    return InMemoryEventStore(EventRegistry(EVENT_TYPES), clock=lambda: NOW)


async def new_tenant(store: InMemoryEventStore) -> UUID:
    tenant = uuid4()
    async with store.transaction(tenant) as uow:
        await store.register_tenant(uow)
    return tenant


async def registered_person(store: InMemoryEventStore, tenant: UUID) -> UUID:
    person_id = uuid4()
    async with store.transaction(tenant) as uow:
        await register_person(
            CommandContext(uow, store, uuid4(), OWNER),
            RegisterPerson(person_id=person_id, full_name="Nia Okafor", email="nia@example.org"),
        )
    return person_id


async def record(
    uow: InMemoryUnitOfWork,
    store: InMemoryEventStore,
    credit_id: UUID,
    person_id: UUID,
    metadata: Metadata | None = None,
) -> None:
    """Record a credit of ``credit_details()`` under a fresh command id."""
    command = RecordCredit(credit_id=credit_id, person_id=person_id, details=credit_details())
    await record_credit(CommandContext(uow, store, uuid4(), metadata), command)


async def test_a_credit_is_recorded_amended_and_retracted_with_a_verifiable_chain() -> None:
    store = new_store()
    tenant = await new_tenant(store)
    person_id, credit_id = await registered_person(store, tenant), uuid4()
    async with store.transaction(tenant) as uow:
        await record(uow, store, credit_id, person_id, metadata=OWNER)
        await change_credit(
            CommandContext(uow, store, uuid4()),
            credit_id,
            AmendCredit(details=credit_details(credits=Decimal("2")), reason="certificate says 2"),
        )
    async with store.transaction(tenant) as uow:
        await change_credit(
            CommandContext(uow, store, uuid4()), credit_id, RetractCredit(reason="duplicate entry")
        )
        stream = await store.read_stream(uow, credit_stream(credit_id))
        history = await store.read_history(uow)
    state = fold(credit.evolve, map(store.decode, stream))
    assert state is not None
    assert state.details.credits == Decimal("2")
    assert state.retraction_reason == "duplicate entry"
    assert [e.event_type for e in stream] == [
        "credits.CreditRecorded",
        "credits.CreditAmended",
        "credits.CreditRetracted",
    ]
    assert stream[0].metadata == {
        "actor_id": "owner-1",
        "actor_role": "owner",
        "request_id": "req-1",
    }
    assert {e.recorded_at for e in history} == {NOW}
    walk = ChainWalk()
    assert all(walk.add(event) for event in history), walk.first_break
    assert walk.checked == 4


async def test_a_credit_for_an_unregistered_person_is_refused_and_stores_nothing() -> None:
    store = new_store()
    tenant = await new_tenant(store)
    credit_id = uuid4()
    with pytest.raises(PersonNotRegistered):
        async with store.transaction(tenant) as uow:
            await record(uow, store, credit_id, uuid4())
    async with store.transaction(tenant) as uow:
        assert await store.read_history(uow) == []


async def test_a_retried_command_returns_its_first_events_and_appends_nothing() -> None:
    store = new_store()
    tenant = await new_tenant(store)
    person_id, credit_id, command_id = await registered_person(store, tenant), uuid4(), uuid4()
    command = RecordCredit(credit_id=credit_id, person_id=person_id, details=credit_details())
    outcomes = []
    for _ in range(2):
        async with store.transaction(tenant) as uow:
            outcomes.append(await record_credit(CommandContext(uow, store, command_id), command))
    assert outcomes[0] == outcomes[1]
    async with store.transaction(tenant) as uow:
        assert len(await store.read_stream(uow, credit_stream(credit_id))) == 1


async def register_with_refused_credit(
    store: InMemoryEventStore, tenant: UUID, person_id: UUID
) -> None:
    """Register a person, then record a credit of 0.3 (not a quarter), in one unit of work."""
    async with store.transaction(tenant) as uow:
        await register_person(
            CommandContext(uow, store, uuid4()),
            RegisterPerson(person_id=person_id, full_name="Sam Reyes"),
        )
        refused = RecordCredit(
            credit_id=uuid4(), person_id=person_id, details=credit_details(credits=Decimal("0.3"))
        )
        await record_credit(CommandContext(uow, store, uuid4()), refused)


async def test_a_use_case_refused_after_appending_leaves_nothing() -> None:
    """The person is registered in the same unit of work as a credit the domain refuses: the
    error discards the registration too."""
    store = new_store()
    tenant = await new_tenant(store)
    person_id = uuid4()
    with pytest.raises(InvalidCreditAmount):
        await register_with_refused_credit(store, tenant, person_id)
    async with store.transaction(tenant) as uow:
        assert await store.read_stream(uow, person_stream(person_id)) == []
        assert await store.head(uow) == (0, GENESIS_HASH)


async def test_a_retracted_credit_cannot_be_amended() -> None:
    store = new_store()
    tenant = await new_tenant(store)
    person_id, credit_id = await registered_person(store, tenant), uuid4()
    async with store.transaction(tenant) as uow:
        await record(uow, store, credit_id, person_id)
        await change_credit(
            CommandContext(uow, store, uuid4()), credit_id, RetractCredit(reason="typo")
        )
    with pytest.raises(CreditIsRetracted):
        async with store.transaction(tenant) as uow:
            await change_credit(
                CommandContext(uow, store, uuid4()),
                credit_id,
                AmendCredit(details=credit_details(title="Other"), reason="fix"),
            )
    async with store.transaction(tenant) as uow:
        assert len(await store.read_stream(uow, credit_stream(credit_id))) == 2


async def test_a_person_is_assigned_and_gains_a_credential() -> None:
    store = new_store()
    tenant = await new_tenant(store)
    person_id = await registered_person(store, tenant)
    async with store.transaction(tenant) as uow:
        await change_person(
            CommandContext(uow, store, uuid4()),
            person_id,
            AssignPerson(department="Imaging", site="North", employee_number="E-17"),
        )
        await change_person(
            CommandContext(uow, store, uuid4()),
            person_id,
            AddCredential(
                body="ARDMS", code="RDMS", earned_on=date(2019, 6, 1), specialties=("AB",)
            ),
        )
        stream = await store.read_stream(uow, person_stream(person_id))
    state = fold(person.evolve, map(store.decode, stream))
    assert state is not None
    assert (state.department, state.site, state.employee_number) == ("Imaging", "North", "E-17")
    assert [(c.body, c.code, [s.specialty for s in c.specialties]) for c in state.credentials] == [
        ("ARDMS", "RDMS", ["AB"])
    ]


async def test_a_waiver_is_recorded_for_a_registered_person_only() -> None:
    store = new_store()
    tenant = await new_tenant(store)
    person_id = await registered_person(store, tenant)
    granted = new_credential_waiver(person_id, date(2026, 3, 2), "  RDMS OB/GYN passed ")
    async with store.transaction(tenant) as uow:
        await record_waiver(CommandContext(uow, store, uuid4()), RecordWaiver(waiver=granted))
        stream = await store.read_stream(uow, waiver_stream(granted.waiver_id))
    recorded = fold(waiver.evolve, map(store.decode, stream))
    assert recorded is not None
    assert recorded.reference == "RDMS OB/GYN passed"
    stranger = msgspec.structs.replace(granted, waiver_id=uuid4(), person_id=uuid4())
    with pytest.raises(PersonNotRegistered):
        async with store.transaction(tenant) as uow:
            await record_waiver(CommandContext(uow, store, uuid4()), RecordWaiver(waiver=stranger))


async def test_facts_append_whatever_the_streams_version_and_replay_by_their_event_id() -> None:
    """A fact needs no knowledge of its stream's version; a fact retried with its id is stored
    once and the retry returns it."""
    store = new_store()
    tenant = await new_tenant(store)
    auditor = uuid4()
    stream = access_stream(auditor)
    read_a = AuditorRead(user_id=auditor, path="/audit/people", query_string="")
    read_b = AuditorRead(user_id=auditor, path="/audit/credits", query_string="page=2")
    fact_id = uuid4()
    async with store.transaction(tenant) as uow:
        recorded_a = await record_fact(uow, store, stream, read_a, metadata=OWNER)
    async with store.transaction(tenant) as uow:
        recorded_b = await record_fact(uow, store, stream, read_b, event_id=fact_id)
    async with store.transaction(tenant) as uow:
        retried = await record_fact(uow, store, stream, read_b, event_id=fact_id)
        stored = await store.read_stream(uow, stream)
    assert retried == recorded_b
    assert stored == [recorded_a, recorded_b]
    assert [(e.stream_version, e.event_id) for e in stored][1] == (2, fact_id)
    assert [store.decode(e) for e in stored] == [read_a, read_b]
