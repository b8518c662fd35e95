"""Stacked bars of obligation statuses per group (certifying body, department, site), computed
here as SVG coordinates so the template only draws them.

Each group is one horizontal bar; its length is its number of obligations against the largest
group's, split into one segment per status in order of urgency (overdue first). A segment is
wide enough to carry its count, or the count is left to the table the page shows beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.compliance.status import STATUSES, Status

WIDTH = 640
LABEL_WIDTH = 190
"""Room on the left for the group's name."""
TOTAL_WIDTH = 48
"""Room on the right for the group's total."""
BAR_HEIGHT, GAP, TOP = 26, 14, 6
MIN_LABELLED = 22
"""Narrowest segment (in viewBox units) that shows its count inside."""
MAX_LABEL = 26
"""Longest group name shown whole; longer names are cut with an ellipsis."""

STATUS_ORDER: tuple[Status, ...] = STATUSES


@dataclass(frozen=True)
class Segment:
    status: Status
    count: int
    x: float
    width: float
    labelled: bool
    """Whether the count is printed inside the segment."""

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Bar:
    label: str
    """The group's name as drawn (cut to ``MAX_LABEL`` characters)."""
    name: str
    total: int
    y: float
    segments: tuple[Segment, ...]
    end: float
    """x where the bar ends (the total is written after it)."""


@dataclass(frozen=True)
class StatusBars:
    width: int
    height: int
    bar_height: int
    label_x: int
    bars: tuple[Bar, ...]

    @property
    def statuses(self) -> tuple[Status, ...]:
        """The statuses present in any bar, in order of urgency (for the legend)."""
        found = {s.status for bar in self.bars for s in bar.segments}
        return tuple(s for s in STATUS_ORDER if s in found)


def status_bars(groups: Sequence[tuple[str, Mapping[Status, int]]]) -> StatusBars:
    """One bar per ``(name, counts by status)``, in the order given."""
    largest = max((sum(counts.values()) for _, counts in groups), default=0)
    plot = WIDTH - LABEL_WIDTH - TOTAL_WIDTH
    bars = []
    for index, (name, counts) in enumerate(groups):
        x = float(LABEL_WIDTH)
        segments = []
        for status in STATUS_ORDER:
            count = counts.get(status, 0)
            if not count:
                continue
            width = round(plot * count / largest, 1)
            segments.append(Segment(status, count, round(x, 1), width, width >= MIN_LABELLED))
            x += width
        bars.append(
            Bar(
                label=name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…",
                name=name,
                total=sum(counts.values()),
                y=TOP + index * (BAR_HEIGHT + GAP),
                segments=tuple(segments),
                end=round(x, 1),
            )
        )
    return StatusBars(
        width=WIDTH,
        height=TOP * 2 + max(len(bars), 1) * (BAR_HEIGHT + GAP) - GAP,
        bar_height=BAR_HEIGHT,
        label_x=LABEL_WIDTH - 8,
        bars=tuple(bars),
    )
