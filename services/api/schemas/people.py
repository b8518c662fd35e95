"""Staff records: what is sent to create and change one (and its status), and a person as
answered."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.people.credentials import Body, CredentialStatus, Specialty
from domain.shared.limits import CODE_LENGTH, NAME_LENGTH, Code, Name


class Placement(msgspec.Struct, frozen=True, kw_only=True):
    # Where a person works in the employer's organisation: the fields every body that places
    # a person shares (a comment, not a docstring: no body's description comes from here).
    department: Name | None = None
    site: Name | None = None
    employee_number: Code | None = None


class PersonCreate(Placement, frozen=True, kw_only=True):
    full_name: Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_LENGTH)]
    person_id: UUID | None = None
    """Omit to create a new staff record; an employee may only create their own."""


class AssignPerson(Placement, frozen=True, kw_only=True):
    """Set the department, site and employee number; ``None`` or blank clears one."""


class CredentialCreate(msgspec.Struct, frozen=True, kw_only=True):
    body: Body
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    earned_on: date
    specialties: tuple[Specialty, ...] = ()


class CqrCompletion(msgspec.Struct, frozen=True, kw_only=True):
    completed_on: date


class RegistryIdUpdate(msgspec.Struct, frozen=True, kw_only=True):
    body: Body
    registry_id: Annotated[str, msgspec.Meta(min_length=1, max_length=CODE_LENGTH)]


class BirthMonthUpdate(msgspec.Struct, frozen=True, kw_only=True):
    birth_month: Annotated[int, msgspec.Meta(ge=1, le=12)]


class SpecialtyHeld(msgspec.Struct, frozen=True, kw_only=True):
    specialty: Specialty
    earned_on: date


class CredentialStatusChange(msgspec.Struct, frozen=True, kw_only=True):
    """A credential status in force from ``effective_on``."""

    effective_on: date
    status: CredentialStatus


class Credential(msgspec.Struct, frozen=True, kw_only=True):
    """A credential held, e.g. ARDMS RDMS (AB, OB/GYN) earned on a date.

    ``status`` is the status most recently recorded. ``status_history`` is empty until the
    first change; then its first entry is the status the credential was added with (from
    ``earned_on``) and the others are the changes in the order recorded, each from its
    ``effective_on`` (changes may be back-dated, e.g. ARRT probation is retroactive [R7])."""

    credential_id: UUID
    body: Body
    code: str
    earned_on: date
    specialties: tuple[SpecialtyHeld, ...] = ()
    status: CredentialStatus = "active"
    status_history: tuple[CredentialStatusChange, ...] = ()
    qualifications_completed: tuple[date, ...] = ()
    """Days on which the body's continuing qualifications for this credential were completed
    (ARRT CQR [R10], [R11]), in the order recorded."""


class Person(msgspec.Struct, frozen=True, kw_only=True):
    """A staff member. ``cycle_starts`` holds cycle start dates a body assigned (ARRT [R1]);
    ``department``, ``site`` and ``employee_number`` place them in the employer's organisation;
    ``email`` (lower case) is the work address given at registration; a deactivated person
    (``active`` false) has left the organisation's staff but keeps their history."""

    person_id: UUID
    full_name: str
    department: str | None = None
    site: str | None = None
    employee_number: str | None = None
    email: str | None = None
    active: bool = True
    registry_ids: dict[Body, str] = msgspec.field(default_factory=dict)
    birth_month: int | None = None
    credentials: tuple[Credential, ...] = ()
    cycle_starts: dict[Body, date] = msgspec.field(default_factory=dict)


class StatusChange(msgspec.Struct, frozen=True, kw_only=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
