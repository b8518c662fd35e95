"""The organisation's members: role changes, auditor access and removals, as sent."""

from __future__ import annotations

from typing import Annotated

import msgspec

from domain.organisations.organisation import Role
from domain.shared.limits import Moment


class RoleChange(msgspec.Struct, frozen=True, kw_only=True):
    role: Role


class AuditorAccess(msgspec.Struct, frozen=True, kw_only=True):
    access_until: Moment
    """When the auditor's access ends; a moment in the past ends it now."""


class Removal(msgspec.Struct, frozen=True, kw_only=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    """Why the member's access ends; kept in the history."""
