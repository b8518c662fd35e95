"""The queries behind the employer and auditor pages, on PostgreSQL: searching the staff list and
filtering it by site, the departments and sites offered as filters, a person's history on the
timeline, and inviting with a new staff record in one transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import msgspec
import pytest

from domain.compliance.evaluation import Obligation
from domain.credits.credit import RecordCredit, RetractCredit
from domain.organisations.organisation import AlreadyInvited
from domain.people.person import AddCredential, RegisterPerson
from services.core.audit.history import timeline
from services.core.credits.handlers import change_credit, record_credit
from services.core.db import Database
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import EventStore
from services.core.organisation.handlers import open_organisation
from services.core.organisation.invitations import NewStaff, SentInvitation, invite
from services.core.people import queries
from services.core.people.handlers import change_person, register_person
from services.core.settings import Settings
from services.core.staff import listing as staff_queries
from services.core.staff.listing import StaffFilter
from tests.builders import credit_details
from tests.conftest import new_tenant
from tests.support import register

pytestmark = pytest.mark.integration

TODAY = date(2026, 11, 26)


async def _staff(database: Database, store: EventStore, tenant: UUID, **fields: str | None) -> UUID:
    person_id = uuid4()
    async with database.transaction(tenant) as tx:
        await register_person(
            CommandContext(tx, store, uuid4()), RegisterPerson(person_id=person_id, **fields)
        )
        await change_person(
            CommandContext(tx, store, uuid4()),
            person_id,
            AddCredential(body="ARDMS", code="RVT", earned_on=date(2024, 3, 15)),
        )
    return person_id


async def _names(database: Database, tenant: UUID, selected: StaffFilter) -> list[str]:
    async with database.transaction(tenant) as tx:
        found = await staff_queries.staff_page(tx, selected, today=TODAY, limit=50)
    return [m.full_name for m in found.items]


async def test_the_staff_list_is_searched_by_name_email_or_number_and_filtered_by_site(
    database: Database, store: EventStore
) -> None:
    tenant = new_tenant()
    await register(database, store, tenant)
    await _staff(database, store, tenant, full_name="Ada Vance", site="North", email="ada@x.org")
    await _staff(
        database, store, tenant, full_name="Bo Lindqvist", site="South", employee_number="E-42"
    )
    await _staff(database, store, tenant, full_name="Cy Moreau", department="Echo", site="North")

    assert await _names(database, tenant, StaffFilter(search="VANCE")) == ["Ada Vance"]
    assert await _names(database, tenant, StaffFilter(search="e-4")) == ["Bo Lindqvist"]
    assert await _names(database, tenant, StaffFilter(search="ada@")) == ["Ada Vance"]
    assert await _names(database, tenant, StaffFilter(search="  ")) == [
        "Ada Vance",
        "Bo Lindqvist",
        "Cy Moreau",
    ]
    assert await _names(database, tenant, StaffFilter(search="%")) == []
    assert await _names(database, tenant, StaffFilter(site="North")) == ["Ada Vance", "Cy Moreau"]
    assert await _names(database, tenant, StaffFilter(site="North", search="moreau")) == [
        "Cy Moreau"
    ]
    async with database.transaction(tenant) as tx:
        offered = await staff_queries.placements(tx)
    assert (offered.departments, offered.sites) == (["Echo"], ["North", "South"])


async def test_a_persons_timeline_holds_their_record_credits_and_nobody_elses(
    database: Database, store: EventStore
) -> None:
    tenant = new_tenant()
    await register(database, store, tenant)
    ada = await _staff(database, store, tenant, full_name="Ada Vance")
    bo = await _staff(database, store, tenant, full_name="Bo Lindqvist")
    credit_id = uuid4()
    details = credit_details()
    async with database.transaction(tenant) as tx:
        await record_credit(
            CommandContext(tx, store, uuid4()),
            RecordCredit(credit_id=credit_id, person_id=ada, details=details),
        )
        await change_credit(
            CommandContext(tx, store, uuid4()), credit_id, RetractCredit(reason="entered twice")
        )
        ada_events = await timeline(tx, person_id=ada)
        bo_events = await timeline(tx, person_id=bo)
        retracted = await timeline(tx, person_id=ada, event_type="credits.CreditRetracted")
        later = await timeline(tx, person_id=ada, since=datetime(2100, 1, 1, tzinfo=UTC))

    assert [e.event_type for e in ada_events] == [
        "people.PersonRegistered",
        "people.CredentialAdded",
        "credits.CreditRecorded",
        "credits.CreditRetracted",
    ]
    assert [e.event_type for e in bo_events] == [
        "people.PersonRegistered",
        "people.CredentialAdded",
    ]
    assert [e.stream_id for e in retracted] == [f"credit-{credit_id}"]
    assert later == []


async def test_an_invitation_with_a_new_staff_record_is_stored_whole_or_not_at_all(
    database: Database, store: EventStore, migrated: Settings
) -> None:
    opened = await open_organisation(
        database,
        store,
        name="Lakeside Imaging",
        slug=f"lakeside-{uuid4().hex[:8]}",
        email=f"owner-{uuid4().hex[:8]}@example.org",
        password="correct horse battery",
    )

    async def invite_dee(staff: NewStaff) -> SentInvitation:
        async with database.transaction(opened.tenant_id) as tx:
            return await invite(
                CommandContext(tx, store, uuid4()),
                migrated,
                email="dee@example.org",
                role="employee",
                by_role="owner",
                staff=staff,
            )

    sent = await invite_dee(
        NewStaff(full_name="Dee Okoro", department="Echo", employee_number="E-9")
    )
    assert sent.person_id is not None
    assert sent.message.to == "dee@example.org"
    assert f"/accept-invitation?token={sent.invited.token}" in sent.message.text
    async with database.transaction(opened.tenant_id) as tx:
        person = await queries.get_person(tx, sent.person_id)
    assert person is not None
    assert (person.full_name, person.email, person.department) == (
        "Dee Okoro",
        "dee@example.org",
        "Echo",
    )

    with pytest.raises(AlreadyInvited):
        await invite_dee(NewStaff(full_name="Dee Okoro (again)"))
    async with database.transaction(opened.tenant_id) as tx:
        assert await staff_queries.seats(tx) == staff_queries.Seats(active=1, deactivated=0)


@pytest.mark.parametrize("stored", [True, False], ids=["stored", "re-evaluated on read"])
async def test_lists_read_obligations_unexplained_with_the_same_numbers_and_standings(
    database: Database, store: EventStore, stored: bool
) -> None:
    tenant = new_tenant()
    await register(database, store, tenant)
    ada = await _staff(database, store, tenant, full_name="Ada Vance")
    details = credit_details()
    today = datetime.now(UTC).date() if stored else TODAY  # the rows were evaluated today
    async with database.transaction(tenant) as tx:
        await record_credit(
            CommandContext(tx, store, uuid4()),
            RecordCredit(credit_id=uuid4(), person_id=ada, details=details),
        )
        explained = await queries.standings_on(tx, today=today, person_ids=[ada])
        listed = await queries.standings_on(tx, today=today, person_ids=[ada], explained=False)

    full, bare = explained[ada], listed[ada]
    assert any(o.used or o.not_used for o in full.obligations)
    assert bare.obligations == [_unexplained(o) for o in full.obligations]
    assert bare.standings == [
        msgspec.structs.replace(s, obligation=s.obligation and _unexplained(s.obligation))
        for s in full.standings
    ]


def _unexplained(obligation: Obligation) -> Obligation:
    return msgspec.structs.replace(obligation, used=(), not_used=())
