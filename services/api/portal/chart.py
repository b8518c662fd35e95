"""The credits-over-the-cycle chart: cumulative credits counted against the straight pace line,
computed here as SVG coordinates so the template only draws them (no script, no library).

The x axis runs from the cycle's first day to its last (or to the latest make-up credit, when
credits completed in a grace window count for it); the y axis from 0 to a little above the larger
of the target and the credits counted. The pace line rises evenly from 0 on the first day to the
target on the last: where the person would be by spreading the work over the whole cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 60, 16, 20, 40
"""The plot area's margins inside the SVG viewBox (room for the axis labels)."""


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    earned: str
    """SVG polyline points of the cumulative credits counted, as a step line up to today."""
    pace: str
    """SVG line points from (first day, 0) to (last day, target)."""
    today: float | None
    """x of today, when today lies on the axis."""
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    earned_by_today: Decimal
    pace_by_today: Decimal
    """Where the pace line stands on today (or on the last day, after the cycle)."""


def credit_chart(
    *,
    start: date,
    end: date,
    target: Decimal,
    earned: Iterable[tuple[date, Decimal]],
    today: date,
) -> Chart:
    """The chart of ``earned`` (day completed, credits counted) over the cycle ``start``-``end``
    against the pace towards ``target``, as seen on ``today``."""
    steps = sorted(earned)
    last = max([end, *(day for day, _ in steps)])
    span = max((last - start).days, 1)
    total = sum((credits for _, credits in steps), Decimal(0))
    top = _nice_ceiling(max(target, total, Decimal(1)) * Decimal("1.1"))
    plot_right, plot_bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def x(day: date) -> float:
        return round(LEFT + (plot_right - LEFT) * (day - start).days / span, 1)

    def y(value: Decimal) -> float:
        return round(plot_bottom - (plot_bottom - TOP) * float(value / top), 1)

    points, running = [(x(start), y(Decimal(0)))], Decimal(0)
    for day, credits in steps:
        points.append((x(day), y(running)))
        running += credits
        points.append((x(day), y(running)))
    points.append((x(min(max(today, start), last)), y(running)))
    pace_days = (min(today, end) - start).days + 1
    pace_by_today = _clamp(target * pace_days / ((end - start).days + 1), target)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        earned=_points(points),
        pace=_points([(x(start), y(Decimal(0))), (x(end), y(target))]),
        today=x(today) if start <= today <= last else None,
        x_ticks=(Tick(x(start), _day(start)), Tick(x(end), _day(end))),
        y_ticks=tuple(Tick(y(value), f"{value:g}") for value in (Decimal(0), top / 2, top)),
        plot_left=LEFT,
        plot_right=plot_right,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        earned_by_today=sum((c for day, c in steps if day <= today), Decimal(0)),
        pace_by_today=pace_by_today.quantize(Decimal("0.1")),
    )


def _clamp(value: Decimal, target: Decimal) -> Decimal:
    return max(Decimal(0), min(value, target))


_ROUND_FACTORS = tuple(Decimal(f) for f in ("1", "1.2", "1.5", "2", "2.5", "3", "4", "5", "6", "8"))


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest round number (a factor of ``_ROUND_FACTORS`` times a power of ten) that is
    at least ``value`` (1 or more), so the axis labels stay round."""
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    return next((magnitude * f for f in _ROUND_FACTORS if magnitude * f >= value), magnitude * 10)


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{px:g},{py:g}" for px, py in points)


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
