"""Reads of the organisation: its state as its history says, its members and invitations."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.organisations.organisation import Organisation, Role
from services.core.aggregates import ORGANISATION
from services.core.db import Tx
from services.core.eventsourcing.store import EventStore


class MemberView(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    email: str
    role: Role
    person_id: UUID
    access_until: datetime | None


class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    invitation_id: UUID
    email: str
    role: Role
    expires_at: datetime
    status: str


async def organisation_state(tx: Tx, store: EventStore) -> Organisation:
    """The transaction's organisation as its history says it is now."""
    found = await ORGANISATION.load(tx, store, tx.require_tenant())
    assert found is not None  # every tenant's history opens with its organisation
    return found


async def organisation_name(tx: Tx) -> str:
    """The name of the transaction's organisation ("" while it has none)."""
    name = await tx.pg.fetchval(
        "SELECT name FROM organisations WHERE tenant_id = $1", tx.require_tenant()
    )
    return str(name or "")


async def members(tx: Tx) -> list[MemberView]:
    """Everyone with access to the transaction's organisation, by email."""
    rows = await tx.pg.fetch(
        "SELECT user_id, email, role, person_id, access_until FROM memberships"
        " WHERE tenant_id = $1 ORDER BY email",
        tx.require_tenant(),
    )
    return [MemberView(**dict(row)) for row in rows]


async def invitations(tx: Tx) -> list[Invitation]:
    """Every invitation of the transaction's organisation, newest first."""
    rows = await tx.pg.fetch(
        "SELECT invitation_id, email, role, expires_at, status FROM invitations"
        " ORDER BY expires_at DESC"
    )
    return [Invitation(**dict(row)) for row in rows]
