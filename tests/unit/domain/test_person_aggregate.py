"""Given/when/then tests for the person aggregate (domain.people.person)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import msgspec
import pytest
from cme_builders import NOW, PERSON_ID, fixed_ids

from domain.people.person import (
    PERSON_EVENTS,
    AddCredential,
    AddSpecialty,
    AssignPerson,
    BirthMonthRecorded,
    ChangeCredentialStatus,
    Credential,
    CredentialAdded,
    CredentialNotFound,
    CredentialStatusChanged,
    CycleStartRecorded,
    InvalidCredential,
    InvalidPersonData,
    InvalidStatusChange,
    Person,
    PersonAlreadyRegistered,
    PersonAssigned,
    PersonNotRegistered,
    PersonRefused,
    PersonRegistered,
    RecordBirthMonth,
    RecordCycleStart,
    RecordRegistryId,
    RegisterPerson,
    RegistryIdRecorded,
    SpecialtyAdded,
    SpecialtyHeld,
    decide_add_credential,
    decide_add_specialty,
    decide_assign_person,
    decide_change_credential_status,
    decide_record_birth_month,
    decide_record_cycle_start,
    decide_record_registry_id,
    decide_register_person,
    evolve,
)
from domain.shared.event import Event, EventRegistry, fold

CREDENTIAL_ID = UUID(int=77)
REGISTERED = PersonRegistered(person_id=PERSON_ID, full_name="Dana Sonographer")
RDMS_ADDED = CredentialAdded(
    person_id=PERSON_ID,
    credential=Credential(
        credential_id=CREDENTIAL_ID, body="ARDMS", code="RDMS", earned_on=date(2021, 6, 10)
    ),
)


def given(*events: Event) -> Person | None:
    return fold(evolve, events)


def when(decide: Callable[..., list[Event]], state: Person | None, command: Any) -> list[Event]:
    return decide(state, command, now=NOW, ids=fixed_ids(CREDENTIAL_ID))


def test_registering_a_person_trims_the_name() -> None:
    events = when(
        decide_register_person,
        None,
        RegisterPerson(person_id=PERSON_ID, full_name=" Dana Sonographer "),
    )
    assert events == [REGISTERED]


def test_a_person_cannot_register_twice() -> None:
    with pytest.raises(PersonAlreadyRegistered, match="already registered"):
        when(
            decide_register_person,
            given(REGISTERED),
            RegisterPerson(person_id=PERSON_ID, full_name="X"),
        )


def test_commands_before_registration_are_refused() -> None:
    with pytest.raises(PersonNotRegistered, match="register the person first"):
        when(decide_record_birth_month, None, RecordBirthMonth(birth_month=4))


@pytest.mark.parametrize(
    ("body", "registry_id", "recorded"),
    [
        ("ARDMS", "123456", "123456"),
        ("ARRT", " 987654 ", "987654"),
        ("CCI", "12345678", "12345678"),  # 8-digit CCI number [C7]
        ("NMTCB", "N-1", "N-1"),
    ],
)
def test_registry_ids_are_recorded_per_body(body: Any, registry_id: str, recorded: str) -> None:
    events = when(
        decide_record_registry_id,
        given(REGISTERED),
        RecordRegistryId(body=body, registry_id=registry_id),
    )
    assert events == [RegistryIdRecorded(person_id=PERSON_ID, body=body, registry_id=recorded)]
    state = given(REGISTERED, *events)
    assert state is not None
    assert state.registry_ids == {body: recorded}


@pytest.mark.parametrize("registry_id", ["1234567", "123456789", "abcdefgh", " "])
def test_a_cci_number_must_have_eight_digits(registry_id: str) -> None:  # [C7]
    with pytest.raises(InvalidPersonData):
        when(
            decide_record_registry_id,
            given(REGISTERED),
            RecordRegistryId(body="CCI", registry_id=registry_id),
        )


def test_recording_the_same_registry_id_again_changes_nothing() -> None:
    state = given(REGISTERED, RegistryIdRecorded(person_id=PERSON_ID, body="ARRT", registry_id="1"))
    assert (
        when(decide_record_registry_id, state, RecordRegistryId(body="ARRT", registry_id="1")) == []
    )


@pytest.mark.parametrize("month", [0, 13, -1])
def test_birth_month_must_be_a_month(month: int) -> None:
    with pytest.raises(InvalidPersonData, match="1-12"):
        when(decide_record_birth_month, given(REGISTERED), RecordBirthMonth(birth_month=month))


def test_adding_a_credential_with_specialties() -> None:  # RDMS (AB, OB/GYN) [A25]
    command = AddCredential(
        body="ARDMS", code="RDMS", earned_on=date(2021, 6, 10), specialties=("AB", "OB/GYN")
    )
    events = when(decide_add_credential, given(REGISTERED), command)
    held = (
        SpecialtyHeld(specialty="AB", earned_on=date(2021, 6, 10)),
        SpecialtyHeld(specialty="OB/GYN", earned_on=date(2021, 6, 10)),
    )
    assert events == [
        CredentialAdded(
            person_id=PERSON_ID,
            credential=msgspec.structs.replace(RDMS_ADDED.credential, specialties=held),
        )
    ]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            AddCredential(body="ARDMS", code="RT", earned_on=date(2020, 1, 1)),
            "issues no credential",
        ),
        (
            AddCredential(body="CCI", code="RDMS", earned_on=date(2020, 1, 1)),
            "issues no credential",
        ),
        # RDCS carries AE/PE/FE only; RVT carries VT only [A26]
        (
            AddCredential(
                body="ARDMS", code="RDCS", earned_on=date(2020, 1, 1), specialties=("AB",)
            ),
            "no specialty AB",
        ),
        (
            AddCredential(
                body="ARDMS", code="RVT", earned_on=date(2020, 1, 1), specialties=("MSKS",)
            ),
            "no specialty MSKS",
        ),
        (
            AddCredential(
                body="ARDMS", code="RDMS", earned_on=date(2020, 1, 1), specialties=("AB", "AB")
            ),
            "twice",
        ),
        (AddCredential(body="ARDMS", code="RDMS", earned_on=date(2027, 1, 1)), "in the future"),
        # ARRT cycles run from the birth month [R4], [R5]
        (AddCredential(body="ARRT", code="S", earned_on=date(2020, 1, 1)), "birth month"),
    ],
)
def test_invalid_credentials_are_refused(command: AddCredential, message: str) -> None:
    with pytest.raises(PersonRefused, match=message):
        when(decide_add_credential, given(REGISTERED), command)


def test_a_credential_cannot_be_added_twice() -> None:
    with pytest.raises(InvalidCredential, match="already held"):
        when(
            decide_add_credential,
            given(REGISTERED, RDMS_ADDED),
            AddCredential(body="ARDMS", code="RDMS", earned_on=date(2022, 1, 1)),
        )


def test_an_arrt_credential_is_added_once_the_birth_month_is_known() -> None:
    state = given(REGISTERED, BirthMonthRecorded(person_id=PERSON_ID, birth_month=4))
    events = when(
        decide_add_credential,
        state,
        AddCredential(body="ARRT", code="S", earned_on=date(2015, 3, 2)),
    )
    assert [type(e) for e in events] == [CredentialAdded]


def test_a_new_specialty_joins_a_held_credential() -> None:  # e.g. RDMS-AB holder passes OB [A1]
    events = when(
        decide_add_specialty,
        given(REGISTERED, RDMS_ADDED),
        AddSpecialty(credential_id=CREDENTIAL_ID, specialty="OB/GYN", earned_on=date(2023, 2, 1)),
    )
    specialty = SpecialtyHeld(specialty="OB/GYN", earned_on=date(2023, 2, 1))
    assert events == [
        SpecialtyAdded(person_id=PERSON_ID, credential_id=CREDENTIAL_ID, specialty=specialty)
    ]
    state = given(REGISTERED, RDMS_ADDED, *events)
    assert state is not None
    assert state.credential(CREDENTIAL_ID).specialties == (specialty,)


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (
            AddSpecialty(credential_id=UUID(int=5), specialty="AB", earned_on=date(2023, 1, 1)),
            CredentialNotFound,
        ),
        (
            AddSpecialty(credential_id=CREDENTIAL_ID, specialty="AE", earned_on=date(2023, 1, 1)),
            InvalidCredential,
        ),
        (
            AddSpecialty(credential_id=CREDENTIAL_ID, specialty="AB", earned_on=date(2020, 1, 1)),
            InvalidCredential,
        ),
    ],
)
def test_invalid_specialties_are_refused(command: AddSpecialty, error: type[Exception]) -> None:
    with pytest.raises(error):
        when(decide_add_specialty, given(REGISTERED, RDMS_ADDED), command)


def test_a_status_change_is_recorded_and_applied() -> None:
    command = ChangeCredentialStatus(
        credential_id=CREDENTIAL_ID,
        status="lapsed",
        effective_on=date(2025, 1, 1),
        reason=" fee unpaid ",
    )
    events = when(decide_change_credential_status, given(REGISTERED, RDMS_ADDED), command)
    assert events == [
        CredentialStatusChanged(
            person_id=PERSON_ID,
            credential_id=CREDENTIAL_ID,
            status="lapsed",
            effective_on=date(2025, 1, 1),
            reason="fee unpaid",
        )
    ]
    state = given(REGISTERED, RDMS_ADDED, *events)
    assert state is not None
    assert state.credential(CREDENTIAL_ID).status == "lapsed"


def _changed(status: Any, effective_on: date) -> CredentialStatusChanged:
    return CredentialStatusChanged(
        person_id=PERSON_ID,
        credential_id=CREDENTIAL_ID,
        status=status,
        effective_on=effective_on,
        reason="",
    )


def test_status_changes_are_kept_with_their_dates() -> None:  # probation is retroactive [R7]
    state = given(
        REGISTERED,
        RDMS_ADDED,
        _changed("probation", date(2025, 1, 1)),
        _changed("active", date(2025, 7, 1)),
        _changed("lapsed", date(2026, 1, 1)),
        _changed("active", date(2025, 3, 1)),  # recorded late, back-dated
    )
    assert state is not None
    held = state.credential(CREDENTIAL_ID)
    assert held.status == "active"  # the status most recently recorded
    assert [(c.effective_on, c.status) for c in held.status_history] == [
        (date(2021, 6, 10), "active"),  # as added, from the date earned
        (date(2025, 1, 1), "probation"),
        (date(2025, 7, 1), "active"),
        (date(2026, 1, 1), "lapsed"),
        (date(2025, 3, 1), "active"),
    ]
    assert [
        held.status_on(day)
        for day in (date(2024, 12, 31), date(2025, 2, 1), date(2025, 3, 1), date(2026, 5, 1))
    ] == ["active", "probation", "active", "lapsed"]
    assert held.statuses_between(date(2024, 12, 1), date(2025, 8, 1)) == {"active", "probation"}
    assert held.statuses_between(date(2025, 3, 1), date(2025, 12, 31)) == {"active"}


def test_a_credential_without_status_changes_has_its_status_on_every_day() -> None:
    held = Credential(
        credential_id=CREDENTIAL_ID,
        body="ARDMS",
        code="RDMS",
        earned_on=date(2021, 6, 10),
        status="retired",
    )
    assert held.status_history == ()
    assert held.status_on(date(2022, 1, 1)) == "retired"


def _status(status: Any) -> CredentialStatusChanged:
    return CredentialStatusChanged(
        person_id=PERSON_ID,
        credential_id=CREDENTIAL_ID,
        status=status,
        effective_on=date(2024, 1, 1),
        reason="",
    )


@pytest.mark.parametrize(
    ("history", "new_status", "message"),
    [
        ((), "active", "already active"),
        ((_status("retired"),), "active", r"permanent \[A16\]"),
        ((_status("lapsed"),), "retired", r"only an active ARDMS credential can retire \[A16\]"),
    ],
)
def test_refused_status_changes(history: tuple[Event, ...], new_status: Any, message: str) -> None:
    command = ChangeCredentialStatus(
        credential_id=CREDENTIAL_ID, status=new_status, effective_on=date(2025, 1, 1)
    )
    with pytest.raises(InvalidStatusChange, match=message):
        when(decide_change_credential_status, given(REGISTERED, RDMS_ADDED, *history), command)


def test_arrt_assigned_biennium_start_is_recorded() -> None:  # [R1], [R4]
    state = given(REGISTERED, BirthMonthRecorded(person_id=PERSON_ID, birth_month=4))
    events = when(
        decide_record_cycle_start, state, RecordCycleStart(body="ARRT", starts_on=date(2024, 4, 1))
    )
    assert events == [
        CycleStartRecorded(person_id=PERSON_ID, body="ARRT", starts_on=date(2024, 4, 1))
    ]
    after = given(REGISTERED, BirthMonthRecorded(person_id=PERSON_ID, birth_month=4), *events)
    assert after is not None
    assert after.cycle_starts == {"ARRT": date(2024, 4, 1)}


@pytest.mark.parametrize(
    ("body", "starts_on", "message"),
    [
        ("ARRT", date(2024, 4, 2), "1st day of the birth month"),
        ("ARRT", date(2024, 5, 1), "1st day of the birth month"),
        ("ARDMS", date(2024, 1, 1), "computed, not assigned"),
    ],
)
def test_refused_cycle_starts(body: Any, starts_on: date, message: str) -> None:
    state = given(REGISTERED, BirthMonthRecorded(person_id=PERSON_ID, birth_month=4))
    with pytest.raises(InvalidPersonData, match=message):
        when(decide_record_cycle_start, state, RecordCycleStart(body=body, starts_on=starts_on))


def test_registering_with_a_department_site_and_employee_number() -> None:
    events = when(
        decide_register_person,
        None,
        RegisterPerson(
            person_id=PERSON_ID,
            full_name="Dana",
            department=" Imaging ",
            site="North Campus",
            employee_number=" ",
        ),
    )
    assert events == [
        PersonRegistered(
            person_id=PERSON_ID, full_name="Dana", department="Imaging", site="North Campus"
        )
    ]
    state = given(*events)
    assert state is not None
    assert (state.department, state.site, state.employee_number) == (
        "Imaging",
        "North Campus",
        None,
    )


def test_a_person_registered_before_departments_existed_has_none() -> None:
    registry = EventRegistry(PERSON_EVENTS)
    old = registry.decode(
        "people.PersonRegistered", 1, {"person_id": str(PERSON_ID), "full_name": "Dana"}
    )
    state = given(old)
    assert state is not None
    assert (state.department, state.site, state.employee_number) == (None, None, None)


def test_assigning_moves_the_person_and_blank_clears() -> None:
    state = given(REGISTERED)
    events = when(
        decide_assign_person,
        state,
        AssignPerson(department="Cardiology", site=" East ", employee_number="E-17"),
    )
    assert events == [
        PersonAssigned(
            person_id=PERSON_ID, department="Cardiology", site="East", employee_number="E-17"
        )
    ]
    moved = given(REGISTERED, *events)
    assert moved is not None
    assert (moved.department, moved.site, moved.employee_number) == ("Cardiology", "East", "E-17")
    cleared = when(decide_assign_person, moved, AssignPerson(department="Cardiology", site=""))
    assert cleared == [
        PersonAssigned(
            person_id=PERSON_ID, department="Cardiology", site=None, employee_number=None
        )
    ]


def test_assigning_the_same_values_again_changes_nothing() -> None:
    state = given(
        REGISTERED,
        PersonAssigned(person_id=PERSON_ID, department="Imaging", site=None, employee_number="7"),
    )
    command = AssignPerson(department="Imaging ", employee_number="7")
    assert when(decide_assign_person, state, command) == []


def test_assigning_needs_a_registered_person() -> None:
    with pytest.raises(PersonNotRegistered):
        when(decide_assign_person, None, AssignPerson(department="Imaging"))


def test_person_events_round_trip_through_the_event_registry() -> None:
    registry = EventRegistry(PERSON_EVENTS)
    assigned = PersonAssigned(person_id=PERSON_ID, department="A", site="B", employee_number=None)
    for event in (REGISTERED, RDMS_ADDED, _status("probation"), assigned):
        tag, version, data = registry.encode(event)
        assert registry.decode(tag, version, data) == event
