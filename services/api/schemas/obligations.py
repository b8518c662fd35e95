"""Obligations as answered by ``GET /api/v1/people/{person_id}/obligations``: the previous and
current cycle per body with every number explained."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import msgspec

from domain.compliance.status import Status
from domain.people.credentials import Body
from services.core.people.views import Basis, Obligation


class Standing(msgspec.Struct, frozen=True, kw_only=True):
    """A person's standing with one body (``domain.compliance.standing``): the status every
    view shows, said in words, with the next action and the cycle it rests on."""

    person_id: UUID
    body: Body
    status: Status
    sentence: str
    next_action: str
    obligation: Obligation | None
    """``None`` when ``lapsed``."""
    shortfall: Decimal
    """Credits still missing on the total line, as the organisation counts them."""
    verified: Decimal
    pending: Decimal
    flags: tuple[Basis, ...] = ()
    """The open questions of the body's cycles, each once."""


__all__ = ["Obligation", "Standing"]
