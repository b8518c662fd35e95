"""Sessions: signing up, signing in, picking an organisation, and who is signed in."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from domain.organisations.organisation import Role


class SignUp(msgspec.Struct, frozen=True, kw_only=True):
    organisation_name: Annotated[str, msgspec.Meta(min_length=2, max_length=120)]
    slug: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    email: Annotated[str, msgspec.Meta(max_length=254)]
    password: Annotated[str, msgspec.Meta(max_length=256)]
    """Checked by the password policy (``services.core.passwords``): 422 with the reason."""


class SignIn(msgspec.Struct, frozen=True, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=254)]
    password: Annotated[str, msgspec.Meta(max_length=256)]
    organisation_id: UUID | None = None


class PickOrganisation(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: UUID


class OrganisationChoice(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: UUID
    name: str
    role: Role


class Me(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    email: str
    organisation_id: UUID
    role: Role
    organisations: list[OrganisationChoice]
