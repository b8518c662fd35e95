"""When a deadline reminder is due for one obligation.

Before the deadline, a reminder goes out when the days left cross a threshold (180, 90, 30 and
7 days by default). A run that finds several thresholds crossed since the last reminder (runs
were missed, or the person joined late) sends only the most urgent of them, and never a
threshold older than one already sent. On the deadline day 0 days are left. After the deadline,
while a shortfall remains, an overdue reminder goes out at once, then every
``overdue_every_days`` days until the shortfall is closed or the obligation leaves the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import msgspec

DEFAULT_THRESHOLDS: tuple[int, ...] = (180, 90, 30, 7)
DEFAULT_OVERDUE_EVERY_DAYS = 30


class SentReminder(msgspec.Struct, frozen=True, kw_only=True):
    """A reminder already queued for the obligation: its threshold (None: overdue) and day."""

    threshold: int | None
    sent_on: date


class DueReminder(msgspec.Struct, frozen=True, kw_only=True):
    threshold: int | None
    """The threshold crossed, in days before the deadline; None for an overdue reminder."""
    days_left: int
    """Days from the run's day to the deadline; negative once overdue."""


def due_reminder(
    *,
    deadline: date,
    today: date,
    has_shortfall: bool,
    sent: Iterable[SentReminder],
    thresholds: Sequence[int] = DEFAULT_THRESHOLDS,
    overdue_every_days: int = DEFAULT_OVERDUE_EVERY_DAYS,
) -> DueReminder | None:
    """The reminder due on ``today`` for an obligation with ``deadline``, or None."""
    if not has_shortfall:
        return None
    days_left = (deadline - today).days
    earlier = list(sent)
    if days_left < 0:
        overdue_sent = [s.sent_on for s in earlier if s.threshold is None]
        if overdue_sent and (today - max(overdue_sent)).days < overdue_every_days:
            return None
        return DueReminder(threshold=None, days_left=days_left)
    crossed = [threshold for threshold in thresholds if days_left <= threshold]
    if not crossed:
        return None
    most_urgent = min(crossed)
    if any(s.threshold is not None and s.threshold <= most_urgent for s in earlier):
        return None
    return DueReminder(threshold=most_urgent, days_left=days_left)
