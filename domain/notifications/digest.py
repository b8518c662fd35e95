"""The weekly digest for an organisation's owners and admins: where the staff stand, who needs
attention soonest, and how many certificates wait for review."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal
from uuid import UUID

import msgspec

from domain.compliance.evaluation import Obligation
from domain.compliance.status import Status
from domain.people.credentials import Body

NEEDS_ATTENTION: frozenset[Status] = frozenset({"at_risk", "in_grace", "overdue"})
DIGEST_LIST_LIMIT = 50


def digest_day(day: date, weekday: int) -> date:
    """The digest day of the week ``day`` is in: the latest ``weekday`` (Monday is 0) on or
    before ``day``. A week's digest is named by this day, however late it runs."""
    return day - timedelta(days=(day.weekday() - weekday) % 7)


class AttentionItem(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    full_name: str
    body: Body
    period: Literal["current", "previous"]
    deadline: date
    shortfall: Decimal
    status: Status


class Digest(msgspec.Struct, frozen=True, kw_only=True):
    people: int
    by_status: dict[Status, int]
    """Statuses of the current cycles' obligations."""
    attention: tuple[AttentionItem, ...]
    """At risk, in grace or overdue (current and previous cycles), soonest deadline first, at
    most ``DIGEST_LIST_LIMIT``."""
    not_listed: int
    """Obligations needing attention beyond the list."""
    review_queue: int
    """Certificates waiting for a reviewer."""


def build_digest(
    obligations: Mapping[UUID, Sequence[Obligation]],
    names: Mapping[UUID, str],
    *,
    review_queue: int,
    limit: int = DIGEST_LIST_LIMIT,
) -> Digest:
    """The digest of the people in ``names`` from their obligations on the digest's day."""
    every = [o for person_id in names for o in obligations.get(person_id, ())]
    attention = sorted(
        (
            AttentionItem(
                person_id=o.person_id,
                full_name=names[o.person_id],
                body=o.body,
                period=o.period,
                deadline=o.deadline,
                shortfall=o.lines[0].shortfall,
                status=o.status,
            )
            for o in every
            if o.status in NEEDS_ATTENTION
        ),
        key=lambda item: (item.deadline, item.full_name, item.body),
    )
    return Digest(
        people=len(names),
        by_status=dict(Counter(o.status for o in every if o.period == "current")),
        attention=tuple(attention[:limit]),
        not_listed=max(0, len(attention) - limit),
        review_queue=review_queue,
    )
