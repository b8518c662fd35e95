"""When a deadline reminder is due: for one obligation, and per standing (one per body).

Before the deadline, a reminder goes out when the days left cross a threshold (180, 90, 30 and
7 days by default). A run that finds several thresholds crossed since the last reminder (runs
were missed, or the person joined late) sends only the most urgent of them, and never a
threshold older than one already sent. On the deadline day 0 days are left. After the deadline,
while a shortfall remains, an overdue reminder goes out at once, then every
``overdue_every_days`` days until the shortfall is closed or the obligation leaves the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import NamedTuple

import msgspec

from domain.compliance.evaluation import Obligation
from domain.compliance.standing import Standing
from domain.people.credentials import Body

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


class Reminded(NamedTuple):
    """A standing with a reminder due, and the cycle it rests on (a lapsed standing has none
    and is never reminded)."""

    standing: Standing
    cycle: Obligation
    due: DueReminder


def reminders_now(held: Iterable[Standing], *, today: date) -> list[Reminded]:
    """A reminder asked for now (not by the daily run): one for each standing whose cycle is
    still short, whatever was sent before."""
    return [
        Reminded(s, cycle, DueReminder(threshold=None, days_left=(cycle.deadline - today).days))
        for s in held
        if (cycle := s.obligation) is not None and s.status != "compliant"
    ]


def standing_reminders(
    held: Iterable[Standing],
    *,
    today: date,
    sent: Mapping[tuple[Body, date], Sequence[SentReminder]],
    thresholds: Sequence[int] = DEFAULT_THRESHOLDS,
    overdue_every_days: int = DEFAULT_OVERDUE_EVERY_DAYS,
) -> list[Reminded]:
    """The reminders due on ``today`` for a person's standings: one per body at most, about the
    cycle the standing rests on (``due_reminder`` with its deadline), while the status is not
    compliant; a lapsed standing has no deadline and gets none. ``sent``: the reminders already
    queued, by body and end of the cycle's window."""
    found = []
    for standing in held:
        cycle = standing.obligation
        if cycle is None:
            continue
        due = due_reminder(
            deadline=cycle.deadline,
            today=today,
            has_shortfall=standing.status != "compliant",
            sent=sent.get((standing.body, cycle.window.end), ()),
            thresholds=thresholds,
            overdue_every_days=overdue_every_days,
        )
        if due is not None:
            found.append(Reminded(standing, cycle, due))
    return found
