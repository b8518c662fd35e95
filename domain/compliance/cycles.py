"""Cycle windows: where each body's CE periods fall for one person, and dates after them."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import msgspec

from domain.compliance.rules import (
    Basis,
    BirthMonthCycles,
    CertifiedMonthToBirthMonthCycles,
    CycleRule,
    FirstCredentialCalendarCycles,
    FixedCalendarCycles,
    LicenceTermCycles,
    Offset,
    QuarterEndCycles,
)
from domain.shared.errors import DomainError

_DAY = timedelta(days=1)
_EndForStart = Callable[[date], date]


class Window(msgspec.Struct, frozen=True, kw_only=True):
    """A cycle, both days inclusive. ``credits_required`` is false for CCI's first period [C1]."""

    start: date
    end: date
    credits_required: bool = True

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


class MissingCycleAnchor(DomainError): ...


class Anchor(msgspec.Struct, frozen=True, kw_only=True):
    """What a person's cycles for one body hang on."""

    first_credential_on: date
    birth_month: int | None = None
    assigned_start: date | None = None


def windows_through(rule: CycleRule, anchor: Anchor, day: date) -> tuple[list[Window], list[Basis]]:
    """Every window from the first up to the one containing ``day`` (none if ``day`` precedes the
    first), oldest first, and the flags the anchoring raised."""
    windows, flags = _windows(rule, anchor)
    through: list[Window] = []
    for window in windows:
        if window.start > day:
            break
        through.append(window)
    return through, flags


def date_after(end: date, offset: Offset) -> date:
    """Apply ``offset`` to a cycle end date."""
    base = end
    if offset.months or offset.day_of_month is not None:
        year, month = _shift_month(end.year, end.month, offset.months)
        last = calendar.monthrange(year, month)[1]
        base = date(year, month, min(offset.day_of_month or last, last))
    return base + timedelta(days=offset.days)


def _windows(rule: CycleRule, anchor: Anchor) -> tuple[Iterator[Window], list[Basis]]:
    first_on = anchor.first_credential_on
    match rule:
        case FirstCredentialCalendarCycles(years=years):
            flags = [rule.basis]
            if rule.december_anchor is not None and first_on.month == 12:
                flags.append(rule.december_anchor)
            first = Window(start=first_on, end=date(first_on.year + years, 12, 31))
            return _chain(first, lambda start: date(start.year + years - 1, 12, 31)), flags
        case BirthMonthCycles(years=years):
            start, flags = _birth_month_start(rule, anchor)
            first = Window(start=start, end=_add_months(start, 12 * years) - _DAY)
            return _chain(first, lambda start: _add_months(start, 12 * years) - _DAY), flags
        case QuarterEndCycles(first_period_quarters=quarters, years=years):
            end_quarter = (first_on.month - 1) // 3 + quarters
            year, month = first_on.year + end_quarter // 4, end_quarter % 4 * 3 + 3
            first = Window(start=first_on, end=_month_end(year, month), credits_required=False)
            return _chain(first, lambda start: _add_months(start, 12 * years) - _DAY), [rule.basis]
        case CertifiedMonthToBirthMonthCycles(years=years):
            if anchor.birth_month is None:
                first = Window(start=first_on, end=date(first_on.year + years, 12, 31))
                return (
                    _chain(first, lambda start: date(start.year + years - 1, 12, 31)),
                    [rule.basis, rule.without_birth_month, rule.parity],
                )
            start = date(first_on.year, first_on.month, 1)
            end = date(first_on.year + years, anchor.birth_month, 1) - _DAY
            first = Window(start=start, end=end)
            return (
                _chain(first, lambda start: _add_months(start, 12 * years) - _DAY),
                [rule.basis, rule.parity],
            )
        case FixedCalendarCycles(years=years, phase_year=phase):
            year = first_on.year - (first_on.year - phase) % years
            first = Window(start=date(year, 1, 1), end=date(year + years - 1, 12, 31))
            flags = [rule.basis]
            if first.start < first_on:
                flags.append(rule.partial_first)
            return _chain(first, lambda start: date(start.year + years - 1, 12, 31)), flags
        case LicenceTermCycles(months=months, mid_month=mid):
            flags = [rule.basis, rule.renewals]
            if first_on.day == mid:
                flags.append(rule.on_mid_month)
            year, month = _shift_month(first_on.year, first_on.month, months)
            if first_on.day > mid:
                year, month = _shift_month(year, month, 1)
            first = Window(start=first_on, end=_month_end(year, month))
            return _chain(first, lambda start: _add_months(start, months) - _DAY), flags


def _birth_month_start(rule: BirthMonthCycles, anchor: Anchor) -> tuple[date, list[Basis]]:
    if anchor.birth_month is None:
        raise MissingCycleAnchor("birth-month cycles need the person's birth month")
    if anchor.assigned_start is not None:
        start = anchor.assigned_start
        while _add_months(start, -12 * rule.years) >= anchor.first_credential_on:
            start = _add_months(start, -12 * rule.years)
        return start, [rule.basis]
    first_on = anchor.first_credential_on
    start = date(first_on.year, anchor.birth_month, 1)
    if start < first_on:
        start = date(first_on.year + 1, anchor.birth_month, 1)
    return start, [rule.basis, rule.computed_start]


def _chain(first: Window, end_for_start: _EndForStart) -> Iterator[Window]:
    window = first
    while True:
        yield window
        start = window.end + _DAY
        window = Window(start=start, end=end_for_start(start))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the month's last day."""
    return _add_months(day, months)


def _add_months(day: date, months: int) -> date:
    year, month = _shift_month(day.year, day.month, months)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
