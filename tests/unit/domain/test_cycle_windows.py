"""Cycle windows per body, with boundary dates; each case cites its source."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest

from domain.compliance.cycles import (
    Anchor,
    MissingCycleAnchor,
    Window,
    date_after,
    windows_through,
)
from domain.compliance.packs import ARDMS_PACK, ARRT_PACK, CCI_PACK
from domain.compliance.rules import CycleRule, Offset

FAR_FUTURE = date(2031, 6, 30)


def _first_two(rule: CycleRule, anchor: Anchor) -> list[tuple[date, date, bool]]:
    windows, _ = windows_through(rule, anchor, FAR_FUTURE)
    return [(w.start, w.end, w.credits_required) for w in windows[:2]]


@pytest.mark.parametrize(
    ("first_credential", "expected"),
    [
        pytest.param(
            date(2014, 3, 15),
            [(date(2014, 3, 15), date(2017, 12, 31)), (date(2018, 1, 1), date(2020, 12, 31))],
            id="A3-A4-credential-2014-period-ends-2017",
        ),
        pytest.param(
            date(2021, 6, 10),
            [(date(2021, 6, 10), date(2024, 12, 31)), (date(2025, 1, 1), date(2027, 12, 31))],
            id="A5-credential-2021-period-ends-2024",
        ),
        pytest.param(
            date(2021, 12, 31),
            [(date(2021, 12, 31), date(2024, 12, 31)), (date(2025, 1, 1), date(2027, 12, 31))],
            id="A3-december-credential-one-day-stub",
        ),
        pytest.param(
            date(2021, 1, 1),
            [(date(2021, 1, 1), date(2024, 12, 31)), (date(2025, 1, 1), date(2027, 12, 31))],
            id="A3-january-1st-credential-four-full-years-no-pro-rating",
        ),
        pytest.param(
            date(2020, 2, 29),
            [(date(2020, 2, 29), date(2023, 12, 31)), (date(2024, 1, 1), date(2026, 12, 31))],
            id="A3-leap-day-credential",
        ),
    ],
)
def test_ardms_periods_run_from_the_first_credential_then_calendar_triennia(
    first_credential: date, expected: list[tuple[date, date]]
) -> None:
    windows = _first_two(ARDMS_PACK.cycle, Anchor(first_credential_on=first_credential))
    assert windows == [(start, end, True) for start, end in expected]


@pytest.mark.parametrize(
    ("first_credential", "flagged"),
    [(date(2021, 12, 1), True), (date(2021, 11, 30), False)],
    ids=["A13-A14-december-registrant-flagged", "november-not-flagged"],
)
def test_ardms_december_registrants_are_flagged(first_credential: date, flagged: bool) -> None:
    _, flags = windows_through(
        ARDMS_PACK.cycle, Anchor(first_credential_on=first_credential), FAR_FUTURE
    )
    assert any(f.is_flag and "December" in f.note for f in flags) is flagged


@pytest.mark.parametrize(
    ("birth_month", "first_credential", "assigned", "expected"),
    [
        pytest.param(
            4,
            date(2015, 3, 2),
            None,
            [(date(2015, 4, 1), date(2017, 3, 31)), (date(2017, 4, 1), date(2019, 3, 31))],
            id="R4-R5-birth-month-after-credential",
        ),
        pytest.param(
            2,
            date(2015, 2, 2),
            None,
            [(date(2016, 2, 1), date(2018, 1, 31)), (date(2018, 2, 1), date(2020, 1, 31))],
            id="R29-birth-month-already-begun-starts-next-year",
        ),
        pytest.param(
            1,
            date(2015, 1, 1),
            None,
            [(date(2015, 1, 1), date(2016, 12, 31)), (date(2017, 1, 1), date(2018, 12, 31))],
            id="R4-credential-on-1st-of-birth-month",
        ),
        pytest.param(
            3,
            date(2022, 2, 10),
            None,
            [(date(2022, 3, 1), date(2024, 2, 29)), (date(2024, 3, 1), date(2026, 2, 28))],
            id="R4-march-birth-month-ends-on-leap-day",
        ),
        pytest.param(
            12,
            date(2020, 6, 1),
            None,
            [(date(2020, 12, 1), date(2022, 11, 30)), (date(2022, 12, 1), date(2024, 11, 30))],
            id="R4-december-birth-month",
        ),
        pytest.param(
            4,
            date(2015, 3, 2),
            date(2024, 4, 1),
            [(date(2016, 4, 1), date(2018, 3, 31)), (date(2018, 4, 1), date(2020, 3, 31))],
            id="R1-assigned-biennium-sets-the-phase",
        ),
    ],
)
def test_arrt_bienniums_run_from_the_birth_month(
    birth_month: int,
    first_credential: date,
    assigned: date | None,
    expected: list[tuple[date, date]],
) -> None:
    anchor = Anchor(
        first_credential_on=first_credential, birth_month=birth_month, assigned_start=assigned
    )
    assert _first_two(ARRT_PACK.cycle, anchor) == [(s, e, True) for s, e in expected]


def test_a_computed_arrt_start_is_flagged_but_an_assigned_one_is_not() -> None:  # [R28] [R29]
    computed = Anchor(first_credential_on=date(2015, 3, 2), birth_month=4)
    assigned = Anchor(
        first_credential_on=date(2015, 3, 2), birth_month=4, assigned_start=date(2017, 4, 1)
    )
    _, computed_flags = windows_through(ARRT_PACK.cycle, computed, FAR_FUTURE)
    _, assigned_flags = windows_through(ARRT_PACK.cycle, assigned, FAR_FUTURE)
    assert [f.confidence for f in computed_flags if f.is_flag] == ["conflict"]
    assert not [f for f in assigned_flags if f.is_flag]


def test_birth_month_cycles_need_a_birth_month() -> None:
    with pytest.raises(MissingCycleAnchor):
        windows_through(ARRT_PACK.cycle, Anchor(first_credential_on=date(2015, 3, 2)), FAR_FUTURE)


@pytest.mark.parametrize(
    ("earned", "first_end", "second"),
    [
        pytest.param(
            date(2020, 2, 10),
            date(2020, 12, 31),
            (date(2021, 1, 1), date(2023, 12, 31)),
            id="C1-Q1-renews-Dec-31",
        ),
        pytest.param(
            date(2020, 3, 31),
            date(2020, 12, 31),
            (date(2021, 1, 1), date(2023, 12, 31)),
            id="C1-last-day-of-Q1",
        ),
        pytest.param(
            date(2020, 4, 1),
            date(2021, 3, 31),
            (date(2021, 4, 1), date(2024, 3, 31)),
            id="C1-Q2-renews-Mar-31",
        ),
        pytest.param(
            date(2020, 9, 30),
            date(2021, 6, 30),
            (date(2021, 7, 1), date(2024, 6, 30)),
            id="C1-Q3-renews-Jun-30",
        ),
        pytest.param(
            date(2020, 12, 31),
            date(2021, 9, 30),
            (date(2021, 10, 1), date(2024, 9, 30)),
            id="C1-Q4-renews-Sep-30",
        ),
    ],
)
def test_cci_first_renewal_is_at_a_quarter_end_and_needs_no_ceus(
    earned: date, first_end: date, second: tuple[date, date]
) -> None:  # [C1], [C5]
    assert _first_two(CCI_PACK.cycle, Anchor(first_credential_on=earned)) == [
        (earned, first_end, False),
        (*second, True),
    ]


def test_windows_are_contiguous_and_stop_at_the_one_containing_the_day() -> None:
    day = date(2026, 3, 1)
    windows, _ = windows_through(
        ARDMS_PACK.cycle, Anchor(first_credential_on=date(2009, 5, 5)), day
    )
    assert day in windows[-1]
    assert all(a.end + timedelta(days=1) == b.start for a, b in pairwise(windows))
    none_yet, _ = windows_through(
        ARDMS_PACK.cycle, Anchor(first_credential_on=date(2009, 5, 5)), date(2009, 5, 4)
    )
    assert none_yet == []


@pytest.mark.parametrize(
    ("end", "offset", "expected"),
    [
        pytest.param(
            date(2024, 12, 31), Offset(months=2, day_of_month=28), date(2025, 2, 28), id="A9"
        ),
        pytest.param(
            date(2027, 12, 31),
            Offset(months=2, day_of_month=28),
            date(2028, 2, 28),
            id="A9-leap-year-still-Feb-28",
        ),
        pytest.param(
            date(2024, 12, 31), Offset(months=8, day_of_month=1), date(2025, 8, 1), id="A5-Aug-1"
        ),
        pytest.param(date(2024, 2, 29), Offset(months=1), date(2024, 3, 31), id="R3-birth-month"),
        pytest.param(date(2024, 3, 31), Offset(months=6), date(2024, 9, 30), id="R7-six-months"),
        pytest.param(date(2023, 12, 31), Offset(days=90), date(2024, 3, 30), id="C2-90-days-leap"),
        pytest.param(date(2024, 9, 30), Offset(), date(2024, 9, 30), id="C1-at-the-end"),
    ],
)
def test_dates_after_the_cycle_end(end: date, offset: Offset, expected: date) -> None:
    assert date_after(end, offset) == expected


def test_window_membership_is_inclusive() -> None:
    window = Window(start=date(2024, 1, 1), end=date(2026, 12, 31))
    assert date(2024, 1, 1) in window
    assert date(2026, 12, 31) in window
    assert date(2023, 12, 31) not in window
    assert date(2027, 1, 1) not in window
