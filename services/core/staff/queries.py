"""Read queries of the staff context that the older query modules do not answer."""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.organisations.organisation import Role
from services.core.db import Tx


class LinkedAccount(msgspec.Struct, frozen=True, kw_only=True):
    """The member account linked to a staff record: how it signs in, and its role."""

    email: str
    role: Role


async def linked_account(tx: Tx, person_id: UUID) -> LinkedAccount | None:
    """The member account linked to ``person_id`` in this organisation (None: no account)."""
    row = await tx.pg.fetchrow(
        "SELECT email, role FROM memberships WHERE tenant_id = $1 AND person_id = $2",
        tx.require_tenant(),
        person_id,
    )
    return None if row is None else LinkedAccount(email=row["email"], role=row["role"])
