"""Plans and seats: a per-seat price per month or per year, in integer minor units.

A seat is an active staff record; the subscription's quantity follows the seats, at least one
(Stripe refuses a quantity of zero on a licensed price).
"""

from __future__ import annotations

from typing import Literal

import msgspec

Interval = Literal["month", "year"]


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    interval: Interval
    price_id: str
    amount: int
    """Per seat and interval, in minor units of ``currency`` (cents for usd)."""
    currency: str

    def total(self, seats: int) -> int:
        """The price of ``seats`` seats for one interval, before proration and tax."""
        return self.amount * billable_quantity(seats)


def billable_quantity(active_people: int) -> int:
    """The subscription quantity for ``active_people`` active staff records."""
    return max(active_people, 1)


def plan_for(
    plans: tuple[Plan, ...], *, price_id: str | None = None, interval: str | None = None
) -> Plan | None:
    """The plan with ``price_id`` (or ``interval``), if any."""
    return next(
        (
            p
            for p in plans
            if (price_id is not None and p.price_id == price_id) or p.interval == interval
        ),
        None,
    )
