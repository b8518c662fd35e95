"""Compliance on PostgreSQL: handlers, the people/credits/waivers/obligations read models, queries
with read-time status, rebuilds equal to a fresh evaluate(), tenant isolation, reevaluate."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from random import Random
from typing import Any, TypeVar
from uuid import UUID, uuid4, uuid5

import msgspec
import pytest
from asyncpg.connection import LoggedQuery

from domain.compliance.evaluation import Obligation, evaluate
from domain.compliance.packs import ARDMS_PACK, RULE_PACKS
from domain.credits import credit as credit_aggregate
from domain.credits import waiver as waiver_aggregate
from domain.credits.credit import (
    AmendCredit,
    CreditDetails,
    CreditNotRecorded,
    RecordCredit,
    RecordVerification,
    RetractCredit,
)
from domain.credits.waiver import RecordWaiver
from domain.people import person as person_aggregate
from domain.people.person import (
    AddCredential,
    AssignPerson,
    PersonAlreadyRegistered,
    PersonNotRegistered,
    RecordBirthMonth,
    RegisterPerson,
)
from domain.shared.errors import DomainError
from domain.shared.event import fold
from services.core import projections
from services.core.credits import views as credit_views
from services.core.credits.handlers import change_credit, record_credit, record_waiver
from services.core.db import Database, Tx
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import EventStore, read_history
from services.core.people import queries
from services.core.people import views as people_views
from services.core.people.handlers import change_person, register_person
from services.core.projections.credits import CreditsProjection, WaiversProjection
from services.core.projections.obligations import ObligationsProjection, evaluate_people
from services.core.projections.people import PeopleProjection
from services.core.registry import build_event_store
from services.core.settings import Settings
from tests.builders import credit_details, new_credential_waiver
from tests.conftest import run_cli
from tests.support import TenantCommands, register

pytestmark = pytest.mark.integration
T = TypeVar("T")

NOW = datetime(2025, 5, 10, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
# ARDMS RDMS earned 2021-06-10: periods 2021-06-10..2024-12-31, 2025-01-01..2027-12-31 [A5].
# ARRT S with birth month 4: bienniums 2023-04-01..2025-03-31, 2025-04-01..2027-03-31 [R4];
# on probation a shortfall is in grace until 2025-09-30 [R7].
ARDMS_PERIOD_END = date(2027, 12, 31)
ARRT_GRACE_END = date(2025, 9, 30)


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture
def store() -> EventStore:
    return build_event_store(clock=fixed_clock)


async def in_tx(database: Database, tenant: UUID, work: Callable[[Tx], Awaitable[T]]) -> T:
    async with database.transaction(tenant) as tx:
        return await work(tx)


_activities = itertools.count(1)


def details(completed_on: date, credits: str, **changes: Any) -> CreditDetails:
    """A different activity (title) on each call: ARRT counts an activity once [R13]."""
    return credit_details(
        **{
            "title": f"Carotid duplex protocols, part {next(_activities)}",
            "credit_types": ("sdms", "arrt_category_a"),
            "completed_on": completed_on,
            "credits": Decimal(credits),
            **changes,
        }
    )


class Staff(TenantCommands):
    async def dual_credentialed(self, person_id: UUID, name: str = "Maria Okafor") -> UUID:
        """An RDMS and ARRT (S, on probation) holder; returns the ARRT credential id."""
        await self.run(register_person, RegisterPerson(person_id=person_id, full_name=name))
        await self.run(change_person, person_id, RecordBirthMonth(birth_month=4))
        await self.credential(person_id, "ARDMS", "RDMS", date(2021, 6, 10))
        probation = ("probation", date(2025, 4, 1))
        return await self.credential(
            person_id, "ARRT", "S", date(2015, 3, 2), probation, reason="CE shortfall"
        )

    async def credit(
        self, person_id: UUID, completed_on: date, credits: str, **changes: Any
    ) -> UUID:
        credit_id = uuid4()
        await self.run(
            record_credit,
            RecordCredit(
                credit_id=credit_id,
                person_id=person_id,
                details=details(completed_on, credits, **changes),
            ),
        )
        return credit_id

    async def waiver(self, person_id: UUID) -> None:
        """Records ``new_credential_waiver`` for ``person_id``."""
        await self.run(record_waiver, RecordWaiver(waiver=new_credential_waiver(person_id)))


async def fresh_evaluate(
    database: Database,
    store: EventStore,
    tenant: UUID,
    person_id: UUID,
    today: date,
    *,
    stored: bool = False,
) -> list[Obligation]:
    """evaluate() straight over the tenant's decoded events, bypassing every read model: as
    the queries give it (pending credits not counted, the organisation's default), or as the
    projection stores it (``stored``: statuses counting every credit, recomputed on read)."""
    history = await in_tx(database, tenant, lambda tx: read_history(tx, limit=100_000))
    streams: dict[str, list[Any]] = {}
    for recorded in history:
        streams.setdefault(recorded.stream_id, []).append(store.decode(recorded))
    person = fold(person_aggregate.evolve, streams.pop(f"person-{person_id}"))
    assert person is not None
    credits = [
        c
        for sid, events in streams.items()
        if sid.startswith("credit-")
        and (c := fold(credit_aggregate.evolve, events)) is not None
        and c.person_id == person_id
    ]
    waivers = [
        w
        for sid, events in streams.items()
        if sid.startswith("waiver-")
        and (w := fold(waiver_aggregate.evolve, events)) is not None
        and w.person_id == person_id
    ]
    return evaluate(
        person, credits, waivers, today=today, rule_packs=RULE_PACKS, count_pending=stored
    )


async def stored_obligations(
    database: Database, tenant: UUID, person_id: UUID
) -> tuple[date, list[Obligation]]:
    """The raw stored evaluation: (evaluated_on, obligations as evaluate() gave them then)."""

    async def read(tx: Tx) -> tuple[date, list[Obligation]]:
        evaluated_on = await tx.pg.fetchval(
            "SELECT evaluated_on FROM obligation_evaluations WHERE person_id = $1", person_id
        )
        rows = await tx.pg.fetch(
            "SELECT explanation::text AS e FROM obligations WHERE person_id = $1 ORDER BY ordinal",
            person_id,
        )
        return evaluated_on, [msgspec.json.decode(r["e"], type=Obligation) for r in rows]

    return await in_tx(database, tenant, read)


async def populated(database: Database, store: EventStore) -> tuple[UUID, UUID, Staff]:
    """A tenant with one dual-credentialed person and a varied credit history."""
    tenant, person_id = uuid4(), uuid4()
    await register(database, store, tenant)
    staff = Staff(database, store, tenant)
    await staff.dual_credentialed(person_id)
    await staff.credit(person_id, date(2023, 9, 1), "12")
    amended = await staff.credit(person_id, date(2025, 2, 3), "3")
    await staff.run(
        change_credit,
        amended,
        AmendCredit(details=details(date(2025, 2, 3), "3.75"), reason="certificate says 3.75"),
    )
    await staff.run(change_credit, amended, RecordVerification(status="verified"))
    retracted = await staff.credit(person_id, date(2025, 1, 20), "2")
    await staff.run(change_credit, retracted, RetractCredit(reason="duplicate entry"))
    await staff.credit(person_id, date(2025, 4, 15), "1.25", credit_types=("other",))
    await staff.waiver(person_id)
    return tenant, person_id, staff


# --- handlers ----------------------------------------------------------------------------------


async def test_handlers_append_decided_events_with_stable_ids_and_retries_return_them(
    database: Database, store: EventStore
) -> None:
    tenant, person_id, command_id = uuid4(), uuid4(), uuid4()
    await register(database, store, tenant)
    command = AddCredential(body="ARDMS", code="RDMS", earned_on=date(2021, 6, 10))

    async def add(tx: Tx) -> list[Any]:
        return await change_person(CommandContext(tx, store, command_id), person_id, command)

    await in_tx(
        database,
        tenant,
        lambda tx: register_person(
            CommandContext(tx, store, uuid4()), RegisterPerson(person_id=person_id, full_name="Ana")
        ),
    )
    first = await in_tx(database, tenant, add)
    retried = await in_tx(database, tenant, add)
    assert [(e.event_id, e.stream_version) for e in retried] == [
        (e.event_id, e.stream_version) for e in first
    ]
    [added] = first
    assert (added.stream_id, added.stream_version, added.event_type) == (
        f"person-{person_id}",
        2,
        "people.CredentialAdded",
    )
    assert added.event_id == uuid5(command_id, "event/0")
    assert added.data["credential"]["credential_id"] == str(uuid5(command_id, "entity/0"))
    assert added.recorded_at == NOW
    history = await in_tx(database, tenant, lambda tx: read_history(tx))
    assert [e.event_type for e in history] == ["people.PersonRegistered", "people.CredentialAdded"]


@pytest.mark.parametrize(
    ("handler", "args", "refusal"),
    [
        pytest.param(
            register_person,
            lambda p: (RegisterPerson(person_id=p, full_name="Again"),),
            PersonAlreadyRegistered,
            id="register-twice",
        ),
        pytest.param(
            record_credit,
            lambda p: (
                RecordCredit(
                    credit_id=uuid4(), person_id=uuid4(), details=details(date(2024, 1, 2), "1")
                ),
            ),
            PersonNotRegistered,
            id="credit-for-unknown-person",
        ),
        pytest.param(
            record_credit,
            lambda p: (
                RecordCredit(
                    credit_id=uuid4(), person_id=p, details=details(date(2024, 1, 2), "0.3")
                ),
            ),
            DomainError,
            id="not-quarter-credits",
        ),
        pytest.param(
            change_credit,
            lambda p: (uuid4(), RetractCredit(reason="typo")),
            CreditNotRecorded,
            id="retract-unknown-credit",
        ),
        pytest.param(
            change_person,
            lambda p: (p, AddCredential(body="ARDMS", code="RDMS", earned_on=date(2026, 1, 1))),
            DomainError,
            id="credential-earned-after-now",
        ),
    ],
)
async def test_handlers_refuse_bad_commands_and_append_nothing(
    database: Database,
    store: EventStore,
    handler: Callable[..., Awaitable[Any]],
    args: Callable[[UUID], tuple[Any, ...]],
    refusal: type[DomainError],
) -> None:
    tenant, person_id = uuid4(), uuid4()
    await register(database, store, tenant)
    staff = Staff(database, store, tenant)
    await staff.run(register_person, RegisterPerson(person_id=person_id, full_name="Ana"))
    with pytest.raises(refusal):
        await staff.run(handler, *args(person_id))
    assert len(await in_tx(database, tenant, lambda tx: read_history(tx))) == 1


# --- read models and queries -------------------------------------------------------------------


async def test_read_models_show_the_person_credits_and_what_evaluate_says(
    database: Database, store: EventStore
) -> None:
    tenant, person_id, _ = await populated(database, store)

    async def read(tx: Tx) -> tuple[Any, ...]:
        return (
            await queries.get_person(tx, person_id),
            await queries.my_credits(tx, person_id),
            await queries.my_obligations(tx, person_id, today=TODAY),
            await tx.pg.fetch(
                "SELECT body, code, status FROM person_credentials WHERE person_id = $1"
                " ORDER BY body",
                person_id,
            ),
            await tx.pg.fetch(
                "SELECT credits, verification, retracted FROM credits WHERE person_id = $1"
                " ORDER BY completed_on",
                person_id,
            ),
        )

    profile, credits, obligations, credential_rows, credit_rows = await in_tx(
        database, tenant, read
    )
    assert profile is not None
    assert profile.birth_month == 4
    assert [tuple(r) for r in credential_rows] == [
        ("ARDMS", "RDMS", "active"),
        ("ARRT", "S", "probation"),
    ]
    assert [c.details.completed_on for c in credits] == [
        date(2025, 4, 15),
        date(2025, 2, 3),
        date(2025, 1, 20),
        date(2023, 9, 1),
    ]
    assert [tuple(r) for r in credit_rows] == [
        (Decimal("12.00"), "pending", False),
        (Decimal("2.00"), "pending", True),
        (Decimal("3.75"), "verified", False),
        (Decimal("1.25"), "pending", False),
    ]
    expected = await fresh_evaluate(database, store, tenant, person_id, TODAY)
    assert obligations == expected
    assert [(o.body, o.period, o.status) for o in obligations] == [
        ("ARDMS", "previous", "overdue"),
        ("ARDMS", "current", "on_track"),
        ("ARRT", "previous", "in_grace"),
        ("ARRT", "current", "on_track"),  # nothing accepted yet, but due in over 12 months
    ]
    ardms_now = obligations[1]
    assert ardms_now.lines[0].counted == Decimal("3.75")
    assert ardms_now.lines[0].waived == Decimal(15)
    assert {x.reason for x in ardms_now.not_used} >= {"retracted", "type_not_accepted"}


async def test_status_is_computed_for_the_day_asked_without_any_new_event(
    database: Database, store: EventStore
) -> None:
    tenant, person_id, _ = await populated(database, store)
    head = await in_tx(database, tenant, store.head)
    stored_before = await stored_obligations(database, tenant, person_id)

    async def statuses(today: date) -> list[tuple[str, str, date, str]]:
        found = await in_tx(
            database, tenant, lambda tx: queries.my_obligations(tx, person_id, today=today)
        )
        assert found == await fresh_evaluate(database, store, tenant, person_id, today)
        return [(o.body, o.period, o.window.start, o.status) for o in found]

    arrt_biennium, ardms_period = date(2023, 4, 1), date(2025, 1, 1)
    assert ("ARRT", "previous", arrt_biennium, "in_grace") in await statuses(ARRT_GRACE_END)
    assert ("ARRT", "previous", arrt_biennium, "overdue") in await statuses(date(2025, 10, 1))
    # little counted since 2025-01-01: on track while the deadline is over 12 months away,
    # at risk once it is within them and the pace falls short
    assert ("ARDMS", "current", ardms_period, "on_track") in await statuses(date(2026, 12, 30))
    assert ("ARDMS", "current", ardms_period, "at_risk") in await statuses(date(2026, 12, 31))
    # after the ARDMS period ends the stored rows no longer hold: re-evaluated on read
    rolled_over = await statuses(date(2028, 1, 2))
    assert ("ARDMS", "previous", ardms_period, "overdue") in rolled_over
    assert ("ARDMS", "current", date(2028, 1, 1), "on_track") in rolled_over
    assert await in_tx(database, tenant, store.head) == head
    assert await stored_obligations(database, tenant, person_id) == stored_before


async def test_organisation_summary_counts_statuses_for_the_day_asked(
    database: Database, store: EventStore
) -> None:
    tenant, first, staff = await populated(database, store)
    second = uuid4()
    await staff.dual_credentialed(second, "Lee Park")
    # ARRT takes the Category A credit as make-up for the biennium in grace [R7]; with the
    # SDMS-only one, ARDMS's current period is met.
    await staff.credit(second, date(2025, 4, 20), "24", topics=("sonography",))
    await staff.credit(second, date(2025, 5, 1), "6", credit_types=("sdms",))
    await staff.run(change_person, second, AssignPerson(department="Imaging", site="North"))

    async def summary(today: date) -> queries.OrganisationSummary:
        return await in_tx(
            database, tenant, lambda tx: queries.organisation_summary(tx, today=today)
        )

    now = await summary(TODAY)
    assert now.people == 2
    # People by standing: both ended their ARDMS period short (no grace) [A5]; Maria's ARRT
    # biennium is in CE probation [R7]; Lee's is made up only by a credit awaiting its
    # certificate check, which the organisation does not count by default.
    assert now.by_status == {"overdue": 2, "in_grace": 1, "compliant_pending_verification": 1}
    assert now.by_body == {
        "ARDMS": {"overdue": 2},
        "ARRT": {"in_grace": 1, "compliant_pending_verification": 1},
    }
    assert [(g.name, g.people, g.by_status) for g in now.by_department] == [
        ("Imaging", 1, {"overdue": 1, "compliant_pending_verification": 1}),
        (None, 1, {"overdue": 1, "in_grace": 1}),
    ]
    assert [(g.name, g.people) for g in now.by_site] == [("North", 1), (None, 1)]
    assert now.unsupported == {}
    assert [(d.full_name, d.body, d.deadline, d.status) for d in now.next_deadlines] == [
        ("Lee Park", "ARDMS", date(2024, 12, 31), "overdue"),
        ("Maria Okafor", "ARDMS", date(2024, 12, 31), "overdue"),
        ("Lee Park", "ARRT", date(2025, 3, 31), "compliant_pending_verification"),
        ("Maria Okafor", "ARRT", date(2025, 3, 31), "in_grace"),
    ]
    assert now.next_deadlines[-1].shortfall == Decimal("20.25")
    # ARRT's bienniums rolled over on 2027-04-01: re-evaluated on read; the ARDMS period that
    # ended short stays the standing until it is made up or the credential lapses
    later = await summary(date(2027, 11, 1))
    assert later.by_body == {"ARDMS": {"overdue": 2}, "ARRT": {"overdue": 2}}
    soonest = later.next_deadlines[1]
    assert (soonest.person_id, soonest.deadline) == (first, date(2024, 12, 31))


async def test_department_site_and_employee_number_are_stored_and_can_change(
    database: Database, store: EventStore
) -> None:
    tenant, person_id = uuid4(), uuid4()
    await register(database, store, tenant)
    staff = Staff(database, store, tenant)
    await staff.run(
        register_person,
        RegisterPerson(person_id=person_id, full_name="Sam Reyes", department="Imaging"),
    )

    async def row(tx: Tx) -> tuple[Any, ...]:
        found = await tx.pg.fetchrow(
            "SELECT department, site, employee_number FROM people WHERE person_id = $1", person_id
        )
        return tuple(found)

    assert await in_tx(database, tenant, row) == ("Imaging", None, None)
    events = await staff.run(
        change_person,
        person_id,
        AssignPerson(department="Cardiology", site="North", employee_number="E-1"),
    )
    assert [e.event_type for e in events] == ["people.PersonAssigned"]
    assert await in_tx(database, tenant, row) == ("Cardiology", "North", "E-1")
    profile = await in_tx(database, tenant, lambda tx: queries.get_person(tx, person_id))
    assert profile is not None
    assert (profile.department, profile.site, profile.employee_number) == (
        "Cardiology",
        "North",
        "E-1",
    )
    assert (
        await staff.run(
            change_person,
            person_id,
            AssignPerson(department="Cardiology", site="North", employee_number="E-1"),
        )
        == []
    )


async def licensed_everywhere(staff: Staff, person_id: UUID) -> None:
    """ARDMS, ARRT and NMTCB credentials with New Mexico, North Dakota and Oregon licences.
    Birth month 1: ARRT's biennium and ARDMS's period both start on 2025-01-01 [R4], [A5], so
    New Mexico repeats two obligations with the same window start [O6]."""
    await staff.run(
        register_person,
        RegisterPerson(person_id=person_id, full_name="Sam Reyes", department="Imaging"),
    )
    await staff.run(change_person, person_id, RecordBirthMonth(birth_month=1))
    for body, code, earned_on in [
        ("ARDMS", "RDMS", date(2021, 6, 10)),
        ("ARRT", "S", date(2014, 3, 2)),
        ("NMTCB", "CNMT", date(2019, 6, 10)),
        ("NM", "DMS", date(2023, 2, 1)),
        ("ND", "S", date(2024, 1, 2)),
        ("OR", "LICENSE", date(2024, 2, 1)),
    ]:
        command = AddCredential(body=body, code=code, earned_on=earned_on)
        await staff.run(change_person, person_id, command)
    await staff.credit(person_id, date(2024, 3, 1), "5", topics=("sonography",))


async def test_nmtcb_and_state_licence_obligations_are_stored_and_rebuilt_equal_to_evaluate(
    database: Database, store: EventStore, migrated: Settings
) -> None:
    tenant, person_id = uuid4(), uuid4()
    await register(database, store, tenant)
    staff = Staff(database, store, tenant)
    await licensed_everywhere(staff, person_id)
    evaluated_on, stored = await stored_obligations(database, tenant, person_id)
    assert stored == await fresh_evaluate(
        database, store, tenant, person_id, evaluated_on, stored=True
    )
    assert [(o.body, o.period, o.mirrors) for o in stored] == [
        ("ARDMS", "previous", None),
        ("ARDMS", "current", None),
        ("ARRT", "previous", None),
        ("ARRT", "current", None),
        ("NMTCB", "previous", None),
        ("NMTCB", "current", None),
        ("ND", "current", None),
        ("NM", "previous", "ARDMS"),
        ("NM", "current", "ARDMS"),
        ("NM", "previous", "ARRT"),
        ("NM", "current", "ARRT"),
        ("NM", "previous", "NMTCB"),
        ("NM", "current", "NMTCB"),
    ]
    nd = next(o for o in stored if o.body == "ND")
    assert nd.lines[0].counted == Decimal(5)  # [O10] inside 2024-01-01..2025-12-31
    result = run_cli(migrated, "rebuild-projections", "--tenant", str(tenant))
    assert result.returncode == 0, result.stderr
    assert await stored_obligations(database, tenant, person_id) == (evaluated_on, stored)

    summary = await in_tx(
        database, tenant, lambda tx: queries.organisation_summary(tx, today=TODAY)
    )
    assert summary.unsupported == {"OR": 1}  # Oregon CE unconfirmed [O8]
    assert [(g.name, g.people) for g in summary.by_department] == [("Imaging", 1)]
    assert sum(summary.by_body["NM"].values()) == 1  # one standing, whatever it mirrors
    assert {d.body for d in summary.next_deadlines} >= {"NM", "NMTCB"}
    assert all(d.department == "Imaging" for d in summary.next_deadlines)


# --- event order ---------------------------------------------------------------------------------


async def test_evaluation_is_independent_of_event_order_within_a_transaction(
    database: Database, store: EventStore
) -> None:
    """One transaction's credit and waiver events, appended in shuffled orders (one tenant per
    order, same ids), leave the same stored obligations, equal to a fresh evaluate()."""
    person_id = uuid4()
    first_activity = {"title": "Fetal echo update"}
    commands: list[RecordCredit | RecordWaiver] = [
        RecordCredit(credit_id=uuid4(), person_id=person_id, details=d)
        for d in (
            details(date(2023, 9, 1), "12", **first_activity),
            details(date(2023, 9, 1), "10", **first_activity),  # same day, same activity [R13]
            details(date(2024, 5, 1), "6", **first_activity),  # a repeat in the biennium [R13]
            details(
                date(2024, 1, 10), "8", credit_types=("aha_ashi",), activity_kind="life_support"
            ),
            details(date(2025, 2, 3), "3.75"),
            details(date(2025, 4, 20), "4"),  # ARRT probation make-up [R7]
            details(date(2025, 4, 21), "1.25", credit_types=("other",)),
        )
    ]
    commands.append(RecordWaiver(waiver=new_credential_waiver(person_id)))
    orders = [commands, commands[::-1]]
    for seed in range(3):
        shuffled = list(commands)
        Random(seed).shuffle(shuffled)
        orders.append(shuffled)

    results = []
    for order in orders:
        tenant = uuid4()
        await register(database, store, tenant)
        staff = Staff(database, store, tenant)
        await staff.dual_credentialed(person_id)

        async def append_all(tx: Tx, order: list[RecordCredit | RecordWaiver] = order) -> None:
            for command in order:
                if isinstance(command, RecordWaiver):
                    await record_waiver(CommandContext(tx, store, uuid4()), command)
                else:
                    await record_credit(CommandContext(tx, store, uuid4()), command)

        await in_tx(database, tenant, append_all)
        results.append((tenant, await stored_obligations(database, tenant, person_id)))

    (tenant, (evaluated_on, first)), *others = results
    assert all(stored == (evaluated_on, first) for _, stored in others)
    assert first == await fresh_evaluate(
        database, store, tenant, person_id, evaluated_on, stored=True
    )
    arrt = next(o for o in first if o.body == "ARRT" and o.period == "previous")
    assert [x.reason for x in arrt.not_used].count("duplicate_activity") == 2


# --- rebuilds and re-evaluation ----------------------------------------------------------------


async def test_rebuild_gives_the_inline_rows_which_equal_a_fresh_evaluate(
    database: Database, store: EventStore, migrated: Settings
) -> None:
    tenant, person_id, _ = await populated(database, store)
    inline = await stored_obligations(database, tenant, person_id)
    planted = uuid4()
    await in_tx(
        database,
        tenant,
        lambda tx: tx.pg.execute(
            "INSERT INTO obligation_evaluations VALUES ($1, $2, $3, $3)", tenant, planted, TODAY
        ),
    )
    result = run_cli(migrated, "rebuild-projections", "--tenant", str(tenant))
    assert result.returncode == 0, result.stderr
    evaluated_on, rebuilt = await stored_obligations(database, tenant, person_id)
    assert (evaluated_on, rebuilt) == inline
    assert evaluated_on == TODAY
    assert rebuilt == await fresh_evaluate(
        database, store, tenant, person_id, evaluated_on, stored=True
    )
    assert (
        await in_tx(
            database,
            tenant,
            lambda tx: tx.pg.fetchval(
                "SELECT count(*) FROM obligation_evaluations WHERE person_id = $1", planted
            ),
        )
        == 0
    )


FOLDED = ("people", "credits", "obligations")


async def test_a_rebuild_folds_every_page_in_memory_and_writes_each_folded_table_once(
    database: Database, store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant, _, staff = await populated(database, store)
    await staff.dual_credentialed(uuid4(), "Lee Park")
    monkeypatch.setattr(projections, "REBUILD_PAGE", 4)
    written: Counter[str] = Counter()

    def note(query: LoggedQuery) -> None:
        written.update(t for t in FOLDED if f"INTO {t} " in query.query)

    runner = store.projections
    assert isinstance(runner, projections.ProjectionRunner)
    async with database.transaction(tenant) as tx:
        await store.lock_head(tx)
        tx.pg.add_query_logger(note)
        replayed = await runner.rebuild(tx)
        tx.pg.remove_query_logger(note)
    assert replayed > 3 * 4
    assert written == {"people": 1, "credits": 1, "obligations": 1}


async def test_evaluate_people_applies_a_changed_rule_pack_to_the_people_named(
    database: Database, store: EventStore
) -> None:
    tenant, person_id, staff = await populated(database, store)
    other = uuid4()
    await staff.dual_credentialed(other, "Lee Park")
    stricter = msgspec.structs.replace(
        ARDMS_PACK,
        versions=tuple(
            msgspec.structs.replace(
                v,
                requirements=tuple(
                    msgspec.structs.replace(r, total=r.total + 10) for r in v.requirements
                ),
            )
            for v in ARDMS_PACK.versions
        ),
    )
    await in_tx(
        database,
        tenant,
        lambda tx: evaluate_people(tx, {person_id: TODAY}, rule_packs=[stricter]),
    )
    _, changed = await stored_obligations(database, tenant, person_id)
    assert [(o.body, o.lines[0].required) for o in changed] == [
        ("ARDMS", Decimal(40)),
        ("ARDMS", Decimal(40)),
    ]
    _, untouched = await stored_obligations(database, tenant, other)
    assert [o.lines[0].required for o in untouched if o.body == "ARDMS"] == [30, 30]


async def test_reevaluate_command_restores_one_persons_obligations_as_of_today(
    database: Database, store: EventStore, migrated: Settings
) -> None:
    tenant, person_id, staff = await populated(database, store)
    other = uuid4()
    await staff.dual_credentialed(other, "Lee Park")
    for who in (person_id, other):
        await in_tx(
            database,
            tenant,
            lambda tx, who=who: tx.pg.execute("DELETE FROM obligations WHERE person_id = $1", who),
        )
    result = run_cli(migrated, "reevaluate", "--tenant", str(tenant), "--person", str(person_id))
    assert result.returncode == 0, result.stderr
    today = datetime.now(UTC).date()
    assert f"tenant {tenant}: 1 people re-evaluated as of {today}" in result.stdout
    evaluated_on, restored = await stored_obligations(database, tenant, person_id)
    assert evaluated_on == today
    assert restored == await fresh_evaluate(database, store, tenant, person_id, today, stored=True)
    assert restored
    assert (await stored_obligations(database, tenant, other))[1] == []


# --- stored shapes -----------------------------------------------------------------------------

STORED_VIEWS: dict[str, type[msgspec.Struct]] = {
    "SELECT state::text FROM people": people_views.Person,
    "SELECT state::text FROM credits": credit_views.Credit,
    "SELECT explanation::text FROM obligations": people_views.Obligation,
}


def _keys(value: Any, where: str = "") -> set[str]:
    """Every key path in a JSON value (list items share their list's path)."""
    if isinstance(value, dict):
        return {f"{where}.{k}" for k in value} | {
            path for k, v in value.items() for path in _keys(v, f"{where}.{k}")
        }
    if isinstance(value, (list, tuple)):
        return {path for item in value for path in _keys(item, where)}
    return set()


async def test_read_models_store_views_whose_fields_are_exactly_the_rows_keys(
    database: Database, store: EventStore
) -> None:
    tenant, _, _ = await populated(database, store)
    for select, view in STORED_VIEWS.items():
        rows = await in_tx(database, tenant, lambda tx, select=select: tx.pg.fetch(select))
        assert rows, select
        for (text,) in rows:
            decoded = msgspec.json.decode(text, type=view)
            assert _keys(msgspec.json.decode(text)) == _keys(msgspec.to_builtins(decoded)), select
    waivers = await in_tx(
        database,
        tenant,
        lambda tx: tx.pg.fetch("SELECT body, kind, granted_on, reference FROM waivers"),
    )
    assert [tuple(w) for w in waivers] == [
        ("ARDMS", "new_credential_or_specialty", date(2025, 3, 1), "RVT passed")
    ]


# --- tenant isolation --------------------------------------------------------------------------

COMPLIANCE_PROJECTIONS = (
    PeopleProjection,
    CreditsProjection,
    WaiversProjection,
    ObligationsProjection,
)
READ_MODELS = tuple(table for projection in COMPLIANCE_PROJECTIONS for table in projection.tables)


async def test_two_tenants_with_the_same_ids_see_only_their_own_read_models(
    database: Database, store: EventStore
) -> None:
    person_id = uuid4()
    tenants = [uuid4(), uuid4()]
    for number, tenant in enumerate(tenants):
        await register(database, store, tenant)
        staff = Staff(database, store, tenant)
        await staff.dual_credentialed(person_id, f"Person {number}")
        await staff.credit(person_id, date(2025, 1, 5), str(10 * (number + 1)))
        await staff.waiver(person_id)

    for number, tenant in enumerate(tenants):

        async def read(tx: Tx) -> tuple[Any, ...]:
            counts = [
                await tx.pg.fetchval(f"SELECT count(DISTINCT tenant_id) FROM {table}")
                for table in READ_MODELS
            ]
            return (
                counts,
                await queries.get_person(tx, person_id),
                await queries.my_credits(tx, person_id),
                await queries.my_obligations(tx, person_id, today=TODAY),
            )

        counts, profile, credits, obligations = await in_tx(database, tenant, read)
        assert counts == [1] * len(READ_MODELS)
        assert profile is not None
        assert profile.full_name == f"Person {number}"
        assert [c.details.credits for c in credits] == [Decimal(10 * (number + 1))]
        ardms = next(o for o in obligations if o.body == "ARDMS" and o.period == "current")
        assert ardms.lines[0].counted == Decimal(10 * (number + 1))

    nobody = await in_tx(
        database, None, lambda tx: tx.pg.fetchval("SELECT count(*) FROM obligations")
    )
    assert nobody == 0


async def test_read_models_force_row_level_security(owner_connection: Any) -> None:
    rows = await owner_connection.fetch(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class"
        " WHERE relname = ANY($1::text[]) ORDER BY relname",
        list(READ_MODELS),
    )
    assert [(r["relname"], r["relrowsecurity"], r["relforcerowsecurity"]) for r in rows] == [
        (name, True, True) for name in sorted(READ_MODELS)
    ]
    # The writer of a projection row may not place it in another tenant.
    with pytest.raises(Exception, match="row-level security"):
        await owner_connection.execute(
            "INSERT INTO obligation_evaluations VALUES ($1, $2, $3, $3)",
            uuid4(),
            uuid4(),
            TODAY,
        )
