"""Staff records: what is sent to create and change one (and its status), and a person as
answered."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.people.credentials import Body, Specialty
from domain.shared.limits import CODE_LENGTH, NAME_LENGTH, Code, Name
from services.core.people.views import Person


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


class StatusChange(msgspec.Struct, frozen=True, kw_only=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


__all__ = [
    "AssignPerson",
    "BirthMonthUpdate",
    "CqrCompletion",
    "CredentialCreate",
    "Person",
    "PersonCreate",
    "Placement",
    "RegistryIdUpdate",
    "StatusChange",
]
