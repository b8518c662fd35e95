"""Cycle windows per body, with boundary dates; each case cites its source."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from cme_builders import day, spans

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
            "2014-03-15",
            "2014-03-15..2017-12-31 2018-01-01..2020-12-31",
            id="A3-A4-credential-2014-period-ends-2017",
        ),
        pytest.param(
            "2021-06-10",
            "2021-06-10..2024-12-31 2025-01-01..2027-12-31",
            id="A5-credential-2021-period-ends-2024",
        ),
        pytest.param(
            "2021-12-31",
            "2021-12-31..2024-12-31 2025-01-01..2027-12-31",
            id="A3-december-credential-one-day-stub",
        ),
        pytest.param(
            "2021-01-01",
            "2021-01-01..2024-12-31 2025-01-01..2027-12-31",
            id="A3-january-1st-credential-four-full-years-no-pro-rating",
        ),
        pytest.param(
            "2020-02-29",
            "2020-02-29..2023-12-31 2024-01-01..2026-12-31",
            id="A3-leap-day-credential",
        ),
    ],
)
def test_ardms_periods_run_from_the_first_credential_then_calendar_triennia(
    first_credential: str, expected: str
) -> None:
    windows = _first_two(ARDMS_PACK.cycle, Anchor(first_credential_on=day(first_credential)))
    assert windows == [(start, end, True) for start, end in spans(expected)]


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
            "2015-03-02",
            None,
            "2015-04-01..2017-03-31 2017-04-01..2019-03-31",
            id="R4-R5-birth-month-after-credential",
        ),
        pytest.param(
            2,
            "2015-02-02",
            None,
            "2016-02-01..2018-01-31 2018-02-01..2020-01-31",
            id="R29-birth-month-already-begun-starts-next-year",
        ),
        pytest.param(
            1,
            "2015-01-01",
            None,
            "2015-01-01..2016-12-31 2017-01-01..2018-12-31",
            id="R4-credential-on-1st-of-birth-month",
        ),
        pytest.param(
            3,
            "2022-02-10",
            None,
            "2022-03-01..2024-02-29 2024-03-01..2026-02-28",
            id="R4-march-birth-month-ends-on-leap-day",
        ),
        pytest.param(
            12,
            "2020-06-01",
            None,
            "2020-12-01..2022-11-30 2022-12-01..2024-11-30",
            id="R4-december-birth-month",
        ),
        pytest.param(
            4,
            "2015-03-02",
            "2024-04-01",
            "2016-04-01..2018-03-31 2018-04-01..2020-03-31",
            id="R1-assigned-biennium-sets-the-phase",
        ),
    ],
)
def test_arrt_bienniums_run_from_the_birth_month(
    birth_month: int, first_credential: str, assigned: str | None, expected: str
) -> None:
    anchor = Anchor(
        first_credential_on=day(first_credential),
        birth_month=birth_month,
        assigned_start=day(assigned) if assigned else None,
    )
    assert _first_two(ARRT_PACK.cycle, anchor) == [(s, e, True) for s, e in spans(expected)]


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
            "2020-02-10", "2020-12-31", "2021-01-01..2023-12-31", id="C1-Q1-renews-Dec-31"
        ),
        pytest.param("2020-03-31", "2020-12-31", "2021-01-01..2023-12-31", id="C1-last-day-of-Q1"),
        pytest.param(
            "2020-04-01", "2021-03-31", "2021-04-01..2024-03-31", id="C1-Q2-renews-Mar-31"
        ),
        pytest.param(
            "2020-09-30", "2021-06-30", "2021-07-01..2024-06-30", id="C1-Q3-renews-Jun-30"
        ),
        pytest.param(
            "2020-12-31", "2021-09-30", "2021-10-01..2024-09-30", id="C1-Q4-renews-Sep-30"
        ),
    ],
)
def test_cci_first_renewal_is_at_a_quarter_end_and_needs_no_ceus(
    earned: str, first_end: str, second: str
) -> None:  # [C1], [C5]
    assert _first_two(CCI_PACK.cycle, Anchor(first_credential_on=day(earned))) == [
        (day(earned), day(first_end), False),
        *((start, end, True) for start, end in spans(second)),
    ]


def test_windows_are_contiguous_and_stop_at_the_one_containing_the_day() -> None:
    today = date(2026, 3, 1)
    windows, _ = windows_through(
        ARDMS_PACK.cycle, Anchor(first_credential_on=date(2009, 5, 5)), today
    )
    assert today in windows[-1]
    assert all(a.end + timedelta(days=1) == b.start for a, b in pairwise(windows))
    none_yet, _ = windows_through(
        ARDMS_PACK.cycle, Anchor(first_credential_on=date(2009, 5, 5)), date(2009, 5, 4)
    )
    assert none_yet == []


@pytest.mark.parametrize(
    ("end", "offset", "expected"),
    [
        pytest.param("2024-12-31", Offset(months=2, day_of_month=28), "2025-02-28", id="A9"),
        pytest.param(
            "2027-12-31",
            Offset(months=2, day_of_month=28),
            "2028-02-28",
            id="A9-leap-year-still-Feb-28",
        ),
        pytest.param("2024-12-31", Offset(months=8, day_of_month=1), "2025-08-01", id="A5-Aug-1"),
        pytest.param("2024-02-29", Offset(months=1), "2024-03-31", id="R3-birth-month"),
        pytest.param("2024-03-31", Offset(months=6), "2024-09-30", id="R7-six-months"),
        pytest.param("2023-12-31", Offset(days=90), "2024-03-30", id="C2-90-days-leap"),
        pytest.param("2024-09-30", Offset(), "2024-09-30", id="C1-at-the-end"),
    ],
)
def test_dates_after_the_cycle_end(end: str, offset: Offset, expected: str) -> None:
    assert date_after(day(end), offset) == day(expected)


def test_window_membership_is_inclusive() -> None:
    window = Window(start=date(2024, 1, 1), end=date(2026, 12, 31))
    assert date(2024, 1, 1) in window
    assert date(2026, 12, 31) in window
    assert date(2023, 12, 31) not in window
    assert date(2027, 1, 1) not in window
