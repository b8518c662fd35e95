"""Invitations: what an admin sends to invite someone, what is answered, and what the invitee
sends to accept."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.organisations.organisation import Role
from domain.shared.limits import NAME_LENGTH, Moment
from services.api.schemas.people import Placement


class StaffDetails(Placement, frozen=True, kw_only=True):
    full_name: Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_LENGTH)]


class InvitationCreate(msgspec.Struct, frozen=True, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=254)]
    role: Role = "employee"
    person_id: UUID | None = None
    """The existing staff record the new account is for."""
    staff: StaffDetails | None = None
    """Or: create the staff record now (name, department, site, employee number)."""
    access_until: Moment | None = None
    """Auditors only, and required for them: when their read-only access ends (max 1 year)."""


class InvitationSent(msgspec.Struct, frozen=True, kw_only=True):
    invitation_id: UUID
    email: str
    role: Role
    expires_at: datetime
    person_id: UUID | None
    accept_token: str
    """Shown once: the secret of the invitation link, which is also mailed to the invitee."""


class InvitationAccept(msgspec.Struct, frozen=True, kw_only=True):
    token: Annotated[str, msgspec.Meta(min_length=16, max_length=128)]
    password: Annotated[str, msgspec.Meta(max_length=256)]
