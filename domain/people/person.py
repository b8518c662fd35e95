"""The person aggregate: a staff member's registry ids, birth month and credentials held.

Deciders are pure: ``decide_<verb>(state, command, *, now, ids) -> list[Event]`` refuses with a
``PersonRefused`` subclass; ``evolve(state, event) -> state`` folds one event.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.people.credentials import (
    BODY_STATUSES,
    CQR_EARNED_FROM,
    CREDENTIAL_SPECIALTIES,
    LICENCES_WITHOUT_CREDENTIAL,
    STATE_BOARDS,
    STATUSES_WITH_CE_OBLIGATION,
    Body,
    CredentialStatus,
    Specialty,
)
from domain.shared.errors import DomainError
from domain.shared.event import Event
from domain.shared.limits import (
    CODE_LENGTH,
    EARLIEST_ACTIVITY_DAY,
    NAME_LENGTH,
    REASON_LENGTH,
    Code,
    Name,
    check_day,
    check_length,
)

# --- state -------------------------------------------------------------------------------------


class SpecialtyHeld(msgspec.Struct, frozen=True, kw_only=True):
    specialty: Specialty
    earned_on: date


class StatusChange(msgspec.Struct, frozen=True, kw_only=True):
    """A credential status in force from ``effective_on``."""

    effective_on: date
    status: CredentialStatus


class Credential(msgspec.Struct, frozen=True, kw_only=True):
    """A credential held, e.g. ARDMS RDMS (AB, OB/GYN) earned on a date.

    ``status`` is the status most recently recorded. ``status_history`` is empty until the
    first change; then its first entry is the status the credential was added with (from
    ``earned_on``) and the others are the changes in the order recorded, each from its
    ``effective_on`` (changes may be back-dated, e.g. ARRT probation is retroactive [R7]).
    ``status_on(day)`` is the status in force on a day."""

    credential_id: UUID
    body: Body
    code: str
    earned_on: date
    specialties: tuple[SpecialtyHeld, ...] = ()
    status: CredentialStatus = "active"
    status_history: tuple[StatusChange, ...] = ()
    qualifications_completed: tuple[date, ...] = ()
    """Days on which the body's continuing qualifications for this credential were completed
    (ARRT CQR [R10], [R11]), in the order recorded."""

    def status_on(self, day: date) -> CredentialStatus:
        """The status in force on ``day``: the latest-dated change effective by then (of two on
        the same day, the one recorded last), else the status the credential was added with."""
        if not self.status_history:
            return self.status
        initial, *changes = self.status_history
        in_force = sorted((c for c in changes if c.effective_on <= day), key=_effective)
        return in_force[-1].status if in_force else initial.status

    def statuses_between(self, first: date, last: date) -> frozenset[CredentialStatus]:
        """Every status in force on some day from ``first`` to ``last`` (both inclusive)."""
        if first > last:
            return frozenset()
        days = {first, *(c.effective_on for c in self.status_history[1:])}
        return frozenset(self.status_on(day) for day in days if first <= day <= last)


class PersonDetails(msgspec.Struct, frozen=True, kw_only=True):
    """Who a staff member is, as registered: ``department``, ``site`` and ``employee_number``
    place them in the employer's organisation; ``email`` (lower case) is their work address."""

    person_id: UUID
    full_name: str
    department: str | None = None
    site: str | None = None
    employee_number: str | None = None
    email: str | None = None


class Person(PersonDetails, frozen=True, kw_only=True):
    """A staff member. ``cycle_starts`` holds cycle start dates a body assigned (ARRT [R1]);
    a deactivated person (``active`` false) has left the organisation's staff but keeps their
    history."""

    active: bool = True
    registry_ids: dict[Body, str] = msgspec.field(default_factory=dict)
    birth_month: int | None = None
    credentials: tuple[Credential, ...] = ()
    cycle_starts: dict[Body, date] = msgspec.field(default_factory=dict)

    def credential(self, credential_id: UUID) -> Credential:
        for held in self.credentials:
            if held.credential_id == credential_id:
                return held
        raise CredentialNotFound(f"no credential {credential_id} on this person")


# --- events ------------------------------------------------------------------------------------


class PersonRegistered(
    Event, PersonDetails, frozen=True, kw_only=True, tag="people.PersonRegistered"
):
    """``email`` was added later as an optional field: events stored without it have none."""


class PersonAssigned(Event, frozen=True, kw_only=True, tag="people.PersonAssigned"):
    """The person's department, site and employee number as they now are (``None``: none)."""

    person_id: UUID
    department: str | None
    site: str | None
    employee_number: str | None


class RegistryIdRecorded(Event, frozen=True, kw_only=True, tag="people.RegistryIdRecorded"):
    person_id: UUID
    body: Body
    registry_id: str


class BirthMonthRecorded(Event, frozen=True, kw_only=True, tag="people.BirthMonthRecorded"):
    person_id: UUID
    birth_month: int


class CredentialAdded(Event, frozen=True, kw_only=True, tag="people.CredentialAdded"):
    person_id: UUID
    credential: Credential


class SpecialtyAdded(Event, frozen=True, kw_only=True, tag="people.SpecialtyAdded"):
    person_id: UUID
    credential_id: UUID
    specialty: SpecialtyHeld


class CredentialStatusChanged(
    Event, frozen=True, kw_only=True, tag="people.CredentialStatusChanged"
):
    person_id: UUID
    credential_id: UUID
    status: CredentialStatus
    effective_on: date
    reason: str


class CycleStartRecorded(Event, frozen=True, kw_only=True, tag="people.CycleStartRecorded"):
    """The start of a CE cycle as the body assigned it (shown on the registrant's dashboard)."""

    person_id: UUID
    body: Body
    starts_on: date


class CqrCompleted(Event, frozen=True, kw_only=True, tag="people.CqrCompleted"):
    """The continuing qualifications (ARRT CQR [R10], [R11]) of a time-limited credential were
    completed on ``completed_on``."""

    person_id: UUID
    credential_id: UUID
    completed_on: date


class PersonDeactivated(Event, frozen=True, kw_only=True, tag="people.PersonDeactivated"):
    """The person left the organisation's active staff (seats, lists and counts)."""

    person_id: UUID
    reason: str


class PersonReactivated(Event, frozen=True, kw_only=True, tag="people.PersonReactivated"):
    person_id: UUID
    reason: str


PERSON_EVENTS: tuple[type[Event], ...] = (
    PersonRegistered,
    PersonAssigned,
    RegistryIdRecorded,
    BirthMonthRecorded,
    CredentialAdded,
    SpecialtyAdded,
    CredentialStatusChanged,
    CycleStartRecorded,
    PersonDeactivated,
    PersonReactivated,
    CqrCompleted,
)

# --- commands ----------------------------------------------------------------------------------


class RegisterPerson(PersonDetails, frozen=True, kw_only=True):
    """Register a staff member; the decider trims the values and refuses what does not fit."""


class AssignPerson(msgspec.Struct, frozen=True, kw_only=True):
    """Set the department, site and employee number; ``None`` or blank clears one."""

    department: Name | None = None
    site: Name | None = None
    employee_number: Code | None = None


class RecordRegistryId(msgspec.Struct, frozen=True, kw_only=True):
    body: Body
    registry_id: str


class RecordBirthMonth(msgspec.Struct, frozen=True, kw_only=True):
    birth_month: int


class AddCredential(msgspec.Struct, frozen=True, kw_only=True):
    body: Body
    code: str
    earned_on: date
    specialties: tuple[Specialty, ...] = ()


class AddSpecialty(msgspec.Struct, frozen=True, kw_only=True):
    credential_id: UUID
    specialty: Specialty
    earned_on: date


class ChangeCredentialStatus(msgspec.Struct, frozen=True, kw_only=True):
    credential_id: UUID
    status: CredentialStatus
    effective_on: date
    reason: str = ""


class RecordCycleStart(msgspec.Struct, frozen=True, kw_only=True):
    body: Body
    starts_on: date


class RecordCqrCompletion(msgspec.Struct, frozen=True, kw_only=True):
    credential_id: UUID
    completed_on: date


class DeactivatePerson(msgspec.Struct, frozen=True, kw_only=True):
    reason: str


class ReactivatePerson(msgspec.Struct, frozen=True, kw_only=True):
    reason: str


# --- refusals ----------------------------------------------------------------------------------


class PersonRefused(DomainError): ...


class PersonAlreadyRegistered(PersonRefused): ...


class PersonNotRegistered(PersonRefused): ...


class InvalidPersonData(PersonRefused): ...


class InvalidCredential(PersonRefused): ...


class CredentialNotFound(PersonRefused): ...


class InvalidStatusChange(PersonRefused): ...


# --- deciders ----------------------------------------------------------------------------------

_CCI_NUMBER = re.compile(r"\d{8}")  # CCI transfers need the 8-digit CCI number [C7]


def decide_register_person(
    state: Person | None, command: RegisterPerson, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Register a new person; refuses a second registration or a blank name."""
    if state is not None:
        raise PersonAlreadyRegistered(f"person {state.person_id} is already registered")
    name = command.full_name.strip()
    if not name:
        raise InvalidPersonData("a person needs a full name")
    check_length("the full name", name, NAME_LENGTH)
    return [
        PersonRegistered(
            person_id=command.person_id,
            full_name=name,
            department=_optional(command.department, "the department", NAME_LENGTH),
            site=_optional(command.site, "the site", NAME_LENGTH),
            employee_number=_optional(command.employee_number, "the employee number", CODE_LENGTH),
            email=normal_email(command.email),
        )
    ]


def decide_deactivate_person(
    state: Person | None, command: DeactivatePerson, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Take the person off the active staff, with a reason; already inactive: no change."""
    person = _registered(state)
    reason = _reason(command.reason)
    return [PersonDeactivated(person_id=person.person_id, reason=reason)] if person.active else []


def decide_reactivate_person(
    state: Person | None, command: ReactivatePerson, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Put a deactivated person back on the active staff, with a reason; active: no change."""
    person = _registered(state)
    reason = _reason(command.reason)
    return [] if person.active else [PersonReactivated(person_id=person.person_id, reason=reason)]


def decide_assign_person(
    state: Person | None, command: AssignPerson, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Place the person in a department and site, with their employee number. Values are
    trimmed; blank means none; an assignment equal to the current one changes nothing."""
    person = _registered(state)
    assigned = (
        _optional(command.department, "the department", NAME_LENGTH),
        _optional(command.site, "the site", NAME_LENGTH),
        _optional(command.employee_number, "the employee number", CODE_LENGTH),
    )
    if assigned == (person.department, person.site, person.employee_number):
        return []
    department, site, employee_number = assigned
    return [
        PersonAssigned(
            person_id=person.person_id,
            department=department,
            site=site,
            employee_number=employee_number,
        )
    ]


def decide_record_registry_id(
    state: Person | None, command: RecordRegistryId, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Record the person's number at a registry (ARDMS number, ARRT id, CCI id, NMTCB id)."""
    person = _registered(state)
    registry_id = command.registry_id.strip()
    if not registry_id:
        raise InvalidPersonData(f"the {command.body} registry id must not be blank")
    check_length("the registry id", registry_id, CODE_LENGTH)
    if command.body == "CCI" and not _CCI_NUMBER.fullmatch(registry_id):
        raise InvalidPersonData("a CCI number has exactly 8 digits [C7]")
    if person.registry_ids.get(command.body) == registry_id:
        return []
    return [
        RegistryIdRecorded(person_id=person.person_id, body=command.body, registry_id=registry_id)
    ]


def decide_record_birth_month(
    state: Person | None, command: RecordBirthMonth, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Record the birth month (1-12) that anchors ARRT bienniums [R4], [R5]."""
    person = _registered(state)
    if not 1 <= command.birth_month <= 12:
        raise InvalidPersonData(f"birth month must be 1-12, not {command.birth_month}")
    if person.birth_month == command.birth_month:
        return []
    return [BirthMonthRecorded(person_id=person.person_id, birth_month=command.birth_month)]


def decide_add_credential(
    state: Person | None, command: AddCredential, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Add a credential the person earned. Refuses codes the body does not issue, specialties the
    code cannot carry, future dates, a code already held, and ARRT credentials before the birth
    month is known (ARRT cycles run from it [R4], [R5]), and state licences before a current
    national credential (a licence needs one [O7], [O10], [O8]; New Mexico's limited-radiography
    licence does not [O6])."""
    person = _registered(state)
    allowed = CREDENTIAL_SPECIALTIES[command.body].get(command.code)
    if allowed is None:
        raise InvalidCredential(f"{command.body} issues no credential {command.code!r}")
    _check_specialties(command.body, command.code, command.specialties, allowed)
    _check_not_future(command.earned_on, now)
    if any(c.body == command.body and c.code == command.code for c in person.credentials):
        raise InvalidCredential(f"{command.body} {command.code} is already held")
    if command.body == "ARRT" and person.birth_month is None:
        raise InvalidCredential("record the birth month before adding an ARRT credential")
    rests_on_credential = (
        command.body in STATE_BOARDS
        and (command.body, command.code) not in LICENCES_WITHOUT_CREDENTIAL
    )
    if rests_on_credential and not any(
        c.body not in STATE_BOARDS and c.status in STATUSES_WITH_CE_OBLIGATION
        for c in person.credentials
    ):
        raise InvalidCredential(
            "a state licence rests on a current national credential: add that first [O7], [O10]"
        )
    credential = Credential(
        credential_id=ids(),
        body=command.body,
        code=command.code,
        earned_on=command.earned_on,
        specialties=tuple(
            SpecialtyHeld(specialty=s, earned_on=command.earned_on) for s in command.specialties
        ),
    )
    return [CredentialAdded(person_id=person.person_id, credential=credential)]


def decide_add_specialty(
    state: Person | None, command: AddSpecialty, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Add a specialty passed under an already-held credential (e.g. OB/GYN on RDMS [A1])."""
    person = _registered(state)
    held = person.credential(command.credential_id)
    _check_specialties(
        held.body, held.code, (command.specialty,), CREDENTIAL_SPECIALTIES[held.body][held.code]
    )
    _check_not_future(command.earned_on, now)
    if command.earned_on < held.earned_on:
        raise InvalidCredential("a specialty cannot be earned before its credential")
    if any(s.specialty == command.specialty for s in held.specialties):
        raise InvalidCredential(f"{held.code} already carries {command.specialty}")
    specialty = SpecialtyHeld(specialty=command.specialty, earned_on=command.earned_on)
    return [
        SpecialtyAdded(
            person_id=person.person_id, credential_id=held.credential_id, specialty=specialty
        )
    ]


def decide_change_credential_status(
    state: Person | None,
    command: ChangeCredentialStatus,
    *,
    now: datetime,
    ids: Callable[[], UUID],
) -> list[Event]:
    """Change a credential's status. ARDMS retirement is permanent and needs an active credential
    [A16]; a change to the current status is refused."""
    person = _registered(state)
    held = person.credential(command.credential_id)
    if held.status == command.status:
        raise InvalidStatusChange(f"{held.code} is already {held.status}")
    if command.status not in BODY_STATUSES[held.body]:
        raise InvalidStatusChange(f"{held.body} credentials are never {command.status}")
    if held.body == "ARDMS" and held.status == "retired":
        raise InvalidStatusChange("ARDMS retired status is permanent [A16]")
    if held.body == "ARDMS" and command.status == "retired" and held.status != "active":
        raise InvalidStatusChange("only an active ARDMS credential can retire [A16]")
    _check_not_future(command.effective_on, now)
    return [
        CredentialStatusChanged(
            person_id=person.person_id,
            credential_id=held.credential_id,
            status=command.status,
            effective_on=command.effective_on,
            reason=command.reason.strip(),
        )
    ]


def decide_record_cycle_start(
    state: Person | None, command: RecordCycleStart, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Record a cycle start the body assigned. Only ARRT assigns (and lets R.T.s move) biennium
    years [R1]; its bienniums start on the 1st of the birth month [R4], [R5]."""
    person = _registered(state)
    if command.body != "ARRT":
        raise InvalidPersonData(f"{command.body} cycle dates are computed, not assigned")
    if person.birth_month is None:
        raise InvalidPersonData("record the birth month before an ARRT biennium start")
    if command.starts_on.day != 1 or command.starts_on.month != person.birth_month:
        raise InvalidPersonData("an ARRT biennium starts on the 1st day of the birth month [R4]")
    return [
        CycleStartRecorded(
            person_id=person.person_id, body=command.body, starts_on=command.starts_on
        )
    ]


def decide_record_cqr_completion(
    state: Person | None, command: RecordCqrCompletion, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Record that the CQR of a time-limited ARRT credential (earned on or after 2011-01-01, or
    an R.R.A. [R10], [R11]) was completed; a day already recorded changes nothing. Refuses other
    credentials, future days and days before the credential was earned."""
    person = _registered(state)
    held = person.credential(command.credential_id)
    if held.body != "ARRT" or not (held.code == "RRA" or held.earned_on >= CQR_EARNED_FROM):
        raise InvalidCredential(
            f"{held.body} {held.code} earned {held.earned_on} has no CQR: only ARRT credentials "
            "earned on or after 2011-01-01 and R.R.A.s do [R10]"
        )
    _check_not_future(command.completed_on, now)
    if command.completed_on < held.earned_on:
        raise InvalidPersonData("CQR cannot be completed before the credential was earned")
    if command.completed_on in held.qualifications_completed:
        return []
    return [
        CqrCompleted(
            person_id=person.person_id,
            credential_id=held.credential_id,
            completed_on=command.completed_on,
        )
    ]


def _optional(value: str | None, field: str, limit: int) -> str | None:
    """``value`` trimmed (blank: None), refused over ``limit`` characters."""
    stripped = (value or "").strip()
    check_length(field, stripped, limit)
    return stripped or None


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normal_email(value: str | None) -> str | None:
    """``value`` trimmed and lower-cased (blank: None); refuses what is not an email address."""
    email = (value or "").strip() or None
    if email is None:
        return None
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise InvalidPersonData(f"{email!r} is not an email address")
    return email.lower()


def _reason(value: str) -> str:
    reason = value.strip()
    if not reason:
        raise InvalidPersonData("give a reason")
    check_length("the reason", reason, REASON_LENGTH)
    return reason


def _registered(state: Person | None) -> Person:
    if state is None:
        raise PersonNotRegistered("register the person first")
    return state


def _check_specialties(
    body: Body, code: str, specialties: tuple[Specialty, ...], allowed: frozenset[Specialty]
) -> None:
    invalid = [s for s in specialties if s not in allowed]
    if invalid:
        raise InvalidCredential(f"{body} {code} carries no specialty {', '.join(invalid)}")
    if len(set(specialties)) != len(specialties):
        raise InvalidCredential("a specialty is listed twice")


def _check_not_future(day: date, now: datetime) -> None:
    """Refuse a day something was done that lies in the future or before the earliest one."""
    check_day("the date", day, earliest=EARLIEST_ACTIVITY_DAY)
    if day > now.date():
        raise InvalidPersonData(f"{day.isoformat()} is in the future")


# --- evolve ------------------------------------------------------------------------------------


def evolve(state: Person | None, event: Event) -> Person:
    """Fold one person event into the state; the first event must be ``PersonRegistered``."""
    if isinstance(event, PersonRegistered):
        return Person(**msgspec.structs.asdict(event))  # the details, as registered
    person = _registered(state)
    match event:
        case PersonAssigned(department=department, site=site, employee_number=employee_number):
            return msgspec.structs.replace(
                person, department=department, site=site, employee_number=employee_number
            )
        case RegistryIdRecorded(body=body, registry_id=registry_id):
            return msgspec.structs.replace(
                person, registry_ids={**person.registry_ids, body: registry_id}
            )
        case BirthMonthRecorded(birth_month=month):
            return msgspec.structs.replace(person, birth_month=month)
        case CredentialAdded(credential=credential):
            return msgspec.structs.replace(person, credentials=(*person.credentials, credential))
        case SpecialtyAdded(credential_id=credential_id, specialty=specialty):
            held = person.credential(credential_id)
            return _replace_credential(
                person,
                msgspec.structs.replace(held, specialties=(*held.specialties, specialty)),
            )
        case CredentialStatusChanged(
            credential_id=credential_id, status=status, effective_on=effective_on
        ):
            held = person.credential(credential_id)
            history = held.status_history or (
                StatusChange(effective_on=held.earned_on, status=held.status),
            )
            change = StatusChange(effective_on=effective_on, status=status)
            return _replace_credential(
                person,
                msgspec.structs.replace(held, status=status, status_history=(*history, change)),
            )
        case CycleStartRecorded(body=body, starts_on=starts_on):
            return msgspec.structs.replace(
                person, cycle_starts={**person.cycle_starts, body: starts_on}
            )
        case CqrCompleted(credential_id=credential_id, completed_on=completed_on):
            held = person.credential(credential_id)
            done = (*held.qualifications_completed, completed_on)
            return _replace_credential(
                person, msgspec.structs.replace(held, qualifications_completed=done)
            )
        case PersonDeactivated():
            return msgspec.structs.replace(person, active=False)
        case PersonReactivated():
            return msgspec.structs.replace(person, active=True)
    raise TypeError(f"not a person event: {type(event).__name__}")


def _effective(change: StatusChange) -> date:
    return change.effective_on


def _replace_credential(person: Person, updated: Credential) -> Person:
    return msgspec.structs.replace(
        person,
        credentials=tuple(
            updated if c.credential_id == updated.credential_id else c for c in person.credentials
        ),
    )
