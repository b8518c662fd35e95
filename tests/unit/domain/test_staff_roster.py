"""Staff roster import (domain.people.roster_import) and deactivation of a person."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from cme_builders import NOW, PERSON_ID

from domain.people.person import (
    AddCredential,
    CredentialAdded,
    DeactivatePerson,
    InvalidCredential,
    InvalidPersonData,
    Person,
    PersonAssigned,
    PersonDeactivated,
    PersonReactivated,
    PersonRegistered,
    ReactivatePerson,
    SpecialtyAdded,
    decide_deactivate_person,
    decide_reactivate_person,
    evolve,
)
from domain.people.roster_import import (
    COLUMNS,
    RosterRejected,
    RosterRow,
    parse_roster,
    plan_row,
)
from domain.shared.event import Event, fold

pytestmark = pytest.mark.unit
HEADER = ",".join(COLUMNS) + "\n"
REGISTERED = PersonRegistered(person_id=PERSON_ID, full_name="Dana Sonographer")


def ids() -> UUID:
    return UUID(int=99)


def person(*events: Event) -> Person:
    state = fold(evolve, [REGISTERED, *events])
    assert state is not None
    return state


def test_a_well_formed_row_is_typed() -> None:
    roster = parse_roster(
        (
            "\ufeff" + HEADER + "E-1, Dana@Example.org ,Dana Sonographer,Echo,,4,"
            "ARDMS:123; CCI:12345678,ARDMS:RDMS:2020-02-10:AB+OB/GYN; ARRT:S:2019-01-01\n\n"
        ).encode()
    )
    assert roster.invalid == []
    assert roster.rows == [
        RosterRow(
            line=2,
            full_name="Dana Sonographer",
            employee_number="E-1",
            email="dana@example.org",
            department="Echo",
            birth_month=4,
            registry_ids={"ARDMS": "123", "CCI": "12345678"},
            credentials=(
                AddCredential(
                    body="ARDMS",
                    code="RDMS",
                    earned_on=date(2020, 2, 10),
                    specialties=("AB", "OB/GYN"),
                ),
                AddCredential(body="ARRT", code="S", earned_on=date(2019, 1, 1)),
            ),
        )
    ]


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out() -> None:
    roster = parse_roster(b"full_name,email,employee_number\nAnn,,E-9\n")
    assert [(r.full_name, r.employee_number, r.email) for r in roster.rows] == [
        ("Ann", "E-9", None)
    ]


@pytest.mark.parametrize(
    ("cells", "error"),
    [
        ("E-1,,,,,,,", "full_name is required"),
        (",,Ann,,,,,", "an employee_number or an email is required"),
        ("E-1,ann@,Ann,,,,,", "not an email address"),
        ("E-1,,Ann,,,0,,", "birth_month must be 1-12"),
        ("E-1,,Ann,,,,XYZ:1,", "unknown body 'XYZ'"),
        ("E-1,,Ann,,,,ARDMS,", "is not BODY:ID"),
        ("E-1,,Ann,,,,,ARDMS:RDMS", "is not BODY:CODE:YYYY-MM-DD"),
        ("E-1,,Ann,,,,,ARDMS:RDMS:10/02/2020", "is not YYYY-MM-DD"),
        ("E-1,,Ann,,,,,ARDMS:RDMS:2020-02-10:XX", "unknown specialty XX"),
        ("E-1,,Ann", "3 cells, expected 8"),
    ],
)
def test_a_malformed_line_is_reported_with_its_line_number(cells: str, error: str) -> None:
    roster = parse_roster((HEADER + "E-0,,Ok,,,,,\n" + cells + "\n").encode())
    assert [r.line for r in roster.rows] == [2]
    [invalid] = roster.invalid
    assert invalid.line == 3
    assert error in invalid.errors[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (HEADER.encode(), "no rows"),
        (b"\x00\x01binary", "binary"),
        ("full_name,email\nZoë,\n".encode("latin-1"), "UTF-8"),
        (b"full_name,email,employee_number,nickname\nA,,1,\n", "unknown columns: nickname"),
        (b"full_name,email\nA,\n", "missing columns: employee_number"),
        (b"full_name,email,employee_number,email\nA,,1,\n", "repeated columns: email"),
        (b'full_name,email,employee_number\n"A,,1\n', "not a readable CSV"),
        ((HEADER + "E-1,,A,,,,,\nE-1,,B,,,,,\n").encode(), "employee number E-1 on lines 2 and 3"),
        ((HEADER + ",a@x.org,A,,,,,\n,A@X.ORG,B,,,,,\n").encode(), "email a@x.org on lines 2"),
    ],
)
def test_a_file_that_is_no_roster_is_rejected_as_a_whole(data: bytes, message: str) -> None:
    with pytest.raises(RosterRejected, match=message):
        parse_roster(data)


def test_a_header_of_thousands_of_cells_is_rejected_naming_a_few_of_them() -> None:
    header = ",".join(f"c{n}" for n in range(20_000)) + ",c0"
    with pytest.raises(RosterRejected) as refused:
        parse_roster(f"{header}\n".encode())
    message = str(refused.value)
    assert message.startswith("unknown columns: c0, c1, "), message
    assert "c19 (and 19980 more); missing columns: employee_number" in message
    assert "repeated columns: c0 (expected: " in message
    assert len(message) < 500


def test_a_file_longer_than_the_limit_is_rejected() -> None:
    with pytest.raises(RosterRejected, match="at most 2 rows"):
        parse_roster((HEADER + "E-1,,A,,,,,\nE-2,,B,,,,,\nE-3,,C,,,,,\n").encode(), max_rows=2)


def row(**fields: object) -> RosterRow:
    return RosterRow(**{"line": 2, "full_name": "Dana Sonographer", **fields})  # type: ignore[arg-type]


RDMS = AddCredential(body="ARDMS", code="RDMS", earned_on=date(2020, 2, 10), specialties=("AB",))


def test_a_new_person_is_registered_with_national_credentials_before_state_licences() -> None:
    licence = AddCredential(body="NM", code="DMS", earned_on=date(2021, 1, 1))
    events = plan_row(
        None,
        row(email="d@x.org", credentials=(licence, RDMS)),
        person_id=PERSON_ID,
        now=NOW,
        ids=ids,
    )
    assert events[0] == PersonRegistered(
        person_id=PERSON_ID, full_name="Dana Sonographer", email="d@x.org"
    )
    assert [e.credential.body for e in events[1:] if isinstance(e, CredentialAdded)] == [
        "ARDMS",
        "NM",
    ]


def test_a_row_stating_what_is_held_plans_nothing_and_new_facts_plan_only_the_difference() -> None:
    held = person(
        *plan_row(None, row(credentials=(RDMS,)), person_id=PERSON_ID, now=NOW, ids=ids)[1:]
    )
    assert plan_row(held, row(credentials=(RDMS,)), person_id=PERSON_ID, now=NOW, ids=ids) == []
    more = AddCredential(
        body="ARDMS", code="RDMS", earned_on=date(2020, 2, 10), specialties=("AB", "OB/GYN")
    )
    events = plan_row(
        held,
        row(department="Echo", credentials=(more,)),
        person_id=PERSON_ID,
        now=NOW,
        ids=ids,
    )
    assert [type(e) for e in events] == [PersonAssigned, SpecialtyAdded]


def test_a_row_keeps_the_employee_number_it_does_not_state() -> None:
    numbered = person(
        PersonAssigned(person_id=PERSON_ID, department=None, site=None, employee_number="E-5")
    )
    assert plan_row(numbered, row(email="d@x.org"), person_id=PERSON_ID, now=NOW, ids=ids) == []


def test_a_row_the_person_rules_refuse_is_refused() -> None:
    arrt = AddCredential(body="ARRT", code="R", earned_on=date(2020, 1, 1))
    with pytest.raises(InvalidCredential, match="birth month"):
        plan_row(None, row(credentials=(arrt,)), person_id=PERSON_ID, now=NOW, ids=ids)
    assert plan_row(
        None, row(birth_month=3, credentials=(arrt,)), person_id=PERSON_ID, now=NOW, ids=ids
    )


def test_deactivation_and_reactivation_need_a_reason_and_change_only_the_other_state() -> None:
    with pytest.raises(InvalidPersonData, match="reason"):
        decide_deactivate_person(person(), DeactivatePerson(reason=" "), now=NOW, ids=ids)
    gone = decide_deactivate_person(person(), DeactivatePerson(reason=" left "), now=NOW, ids=ids)
    assert gone == [PersonDeactivated(person_id=PERSON_ID, reason="left")]
    inactive = person(*gone)
    assert inactive.active is False
    assert decide_deactivate_person(inactive, DeactivatePerson(reason="x"), now=NOW, ids=ids) == []
    assert decide_reactivate_person(person(), ReactivatePerson(reason="x"), now=NOW, ids=ids) == []
    back = decide_reactivate_person(inactive, ReactivatePerson(reason="rehired"), now=NOW, ids=ids)
    assert back == [PersonReactivated(person_id=PERSON_ID, reason="rehired")]
    assert person(*gone, *back).active is True
