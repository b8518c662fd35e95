"""The weekly digest for an organisation's owners and admins: where the staff stand, who needs
attention soonest, and how many certificates wait for review."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal
from uuid import UUID

import msgspec

from domain.compliance.standing import Standing, people_by_status
from domain.compliance.status import Status
from domain.people.credentials import Body

NEEDS_ATTENTION: frozenset[Status] = frozenset(
    {"overdue", "in_grace", "at_risk", "lapsed", "compliant_pending_verification"}
)
"""Standings that ask for an action before the next cycle."""
DIGEST_LIST_LIMIT = 50


def digest_day(day: date, weekday: int) -> date:
    """The digest day of the week ``day`` is in: the latest ``weekday`` (Monday is 0) on or
    before ``day``. A week's digest is named by this day, however late it runs."""
    return day - timedelta(days=(day.weekday() - weekday) % 7)


class AttentionItem(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    full_name: str
    body: Body
    period: Literal["current", "previous"] | None
    """Of the cycle the standing rests on (``None``: lapsed, no cycle)."""
    deadline: date | None
    shortfall: Decimal
    status: Status


class Digest(msgspec.Struct, frozen=True, kw_only=True):
    people: int
    by_status: dict[Status, int]
    """People by standing, as the overview's tiles count them."""
    attention: tuple[AttentionItem, ...]
    """Standings needing an action (``NEEDS_ATTENTION``), soonest deadline first (lapsed
    ones last), at most ``DIGEST_LIST_LIMIT``."""
    not_listed: int
    """Standings needing attention beyond the list."""
    review_queue: int
    """Certificates waiting for a reviewer."""


def build_digest(
    standings: Mapping[UUID, Sequence[Standing]],
    names: Mapping[UUID, str],
    *,
    review_queue: int,
    limit: int = DIGEST_LIST_LIMIT,
) -> Digest:
    """The digest of the people in ``names`` from their standings on the digest's day."""
    every = [s for person_id in names for s in standings.get(person_id, ())]
    attention = sorted(
        (
            AttentionItem(
                person_id=s.person_id,
                full_name=names[s.person_id],
                body=s.body,
                period=s.obligation.period if s.obligation else None,
                deadline=s.deadline,
                shortfall=s.shortfall,
                status=s.status,
            )
            for s in every
            if s.status in NEEDS_ATTENTION
        ),
        key=lambda item: (item.deadline or date.max, item.full_name, item.body),
    )
    return Digest(
        people=len(names),
        by_status=people_by_status(
            [s.status for s in standings.get(person_id, ())] for person_id in names
        ),
        attention=tuple(attention[:limit]),
        not_listed=max(0, len(attention) - limit),
        review_queue=review_queue,
    )
