"""The one reader of days typed into the portal (``forms.read_day``): the ways people write a
day, and a clear refusal for a day that does not exist, could be read two ways, lacks its
year, or lies outside the range every date keeps to."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.api.portal.forms import DayNotRead, Form, read_day, shown_day

DEC_7 = date(2026, 12, 7)
NO_TIME = "Enter the completion date as a day without a time, like 7 Dec 2026"
CONTROL = "Enter the completion date without control characters (such as a tab or NUL)"
HOSTILE = [
    " ," * 16_000,
    "7 Dec 2026" + " ," * 16_000 + " 14:30",
    "2026-12-07" + "T" * 16_000 + "14:30",
]
"""Long runs of what separates a day from its time: read in one pass, and refused for length."""


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("7 Dec 2026", DEC_7),
        ("7 dec 2026", DEC_7),
        ("  7   Dec  2026 ", DEC_7),
        ("7 December 2026", DEC_7),
        ("7th Dec 2026", DEC_7),
        ("Monday, 7 December 2026", DEC_7),
        ("Dec 7 2026", DEC_7),
        ("December 7, 2026", DEC_7),
        ("2026-12-07", DEC_7),
        ("2026/12/07", DEC_7),
        ("12/7/2026", DEC_7),
        ("12-07-2026", DEC_7),
        ("25.12.2026", date(2026, 12, 25)),
        ("29 Feb 2028", date(2028, 2, 29)),
        ("1 Jan 1900", date(1900, 1, 1)),
        ("31 Dec 2200", date(2200, 12, 31)),
    ],
)
def test_the_ways_people_write_a_day_are_read(typed: str, day: date) -> None:
    assert read_day(typed, "completion date") == day


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31 Feb 2026", "There is no such day as “31 Feb 2026”: check the completion date"),
        ("29 Feb 2027", "There is no such day as “29 Feb 2027”: check the completion date"),
        ("2026-02-30", "There is no such day as “2026-02-30”: check the completion date"),
        ("2026-13-01", "There is no such day as “2026-13-01”: check the completion date"),
        ("13/13/2026", "There is no such day as “13/13/2026”: check the completion date"),
        (
            "7.12.2026",
            "“7.12.2026” could be read two ways: write the month of the completion date as a"
            " word, like 7 Dec 2026",
        ),
        ("7 Dec", "Enter the completion date with the year in full, like 7 Dec 2026"),
        ("12/7/26", "Enter the completion date with the year in full, like 7 Dec 2026"),
        ("9999-12-31", "Enter the completion date between 1 Jan 1900 and 31 Dec 2200"),
        ("7 Dec 9999", "Enter the completion date between 1 Jan 1900 and 31 Dec 2200"),
        ("2201-01-01", "Enter the completion date between 1 Jan 1900 and 31 Dec 2200"),
        ("0001-01-01", "Enter the completion date between 1 Jan 1900 and 31 Dec 2200"),
        ("yesterday", "Enter the completion date as a date, like 7 Dec 2026"),
        ("7 Dez 2026", "Enter the completion date as a date, like 7 Dec 2026"),
        ("Dec 7 2026 10:00", NO_TIME),
        ("2026-12-07T00:00", NO_TIME),
        ("2026-12-07 00:00:00", NO_TIME),
        ("7 Dec 2026 0:00", NO_TIME),
        ("7 Dec 2026 14:30", NO_TIME),
        ("7 Dec 2026 12am", NO_TIME),
        ("7 Dec 2026 12 a.m.", NO_TIME),
        ("Dec 7 2026 12:00 AM", NO_TIME),
        ("7 Dec 2026 midnight", NO_TIME),
        ("7 Dec 2026 at midnight", NO_TIME),
        ("7 Dec 2026 00h", NO_TIME),
        ("7 Dec 2026 00.00", NO_TIME),
        ("7 Dec 2026 UTC", "Enter the completion date as a date, like 7 Dec 2026"),
        ("7 Dec 2026 +0000", "Enter the completion date as a date, like 7 Dec 2026"),
        ("2026-12-07Z", "Enter the completion date as a date, like 7 Dec 2026"),
        ("2026\x00-12-07", CONTROL),
        ("7 Dec\x002026", CONTROL),
        ("7\tDec 2026", CONTROL),
        ("7 Dec 2026\x7f", CONTROL),
        ("7 Dec 2026\x85", CONTROL),
        ("2026", "Enter the completion date as a date, like 7 Dec 2026"),
        ("7 Dec 2026 " * 50, "Enter the completion date as a date, like 7 Dec 2026"),
    ],
)
def test_a_day_that_cannot_be_read_is_refused_saying_why(typed: str, message: str) -> None:
    with pytest.raises(DayNotRead) as refused:
        read_day(typed, "completion date")
    assert str(refused.value) == message


def test_a_form_reads_its_day_fields_and_reads_them_back_in_words() -> None:
    form = Form("credit", {"completed_on": "12/7/2026", "blank": " "})
    assert form.day("completed_on", "completion date") == DEC_7
    assert form.read_back == {"completed_on": "Monday 7 December 2026"}
    assert form.day("blank", "last day") is None
    assert form.errors == {"blank": "Enter the last day"}


def test_a_moment_is_a_day_read_the_same_way_and_a_time_in_the_zone() -> None:
    zone = ZoneInfo("America/Chicago")
    form = Form(
        "replay", {"at": "7 Dec 2026 14:30", "iso": "2026-12-07T14:30", "day": "7 Dec 2026"}
    )
    expected = datetime(2026, 12, 7, 20, 30, tzinfo=UTC)
    assert form.moment("at", "moment", zone) == expected
    assert form.moment("iso", "moment", zone) == expected
    assert form.moment("day", "moment", zone) is None
    assert form.read_back["at"] == "Monday 7 December 2026, 14:30"
    assert form.errors == {"day": "Enter the moment as a day and a time, like 7 Dec 2026 14:30"}


@pytest.mark.parametrize("typed", HOSTILE)
def test_a_moment_longer_than_any_day_and_time_is_refused_before_it_is_read(typed: str) -> None:
    form = Form("replay", {"at": typed})
    assert form.moment("at", "moment") is None
    assert form.errors == {"at": "Enter the moment as a day and a time, like 7 Dec 2026 14:30"}


@pytest.mark.parametrize("typed", HOSTILE)
def test_a_day_longer_than_any_day_is_refused_before_it_is_read(typed: str) -> None:
    form = Form("credit", {"completed_on": typed})
    assert form.day("completed_on", "completion date") is None
    assert form.errors == {"completed_on": "Enter the completion date as a date, like 7 Dec 2026"}


def test_a_moment_with_a_control_character_is_refused_saying_so() -> None:
    form = Form("replay", {"at": "7 Dec 2026\x00 14:30"})
    assert form.moment("at", "moment") is None
    assert form.errors == {
        "at": "Enter the moment without control characters (such as a tab or NUL)"
    }


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-12-07", "7 Dec 2026"),
        ("2026-12-07T03:44", "7 Dec 2026 03:44"),
        ("12/7/2026", "12/7/2026"),
        ("not a day", "not a day"),
        ("", ""),
        (HOSTILE[1], HOSTILE[1]),
        ("2026-12-07" + " ," * 16_000 + " 03:44", "2026-12-07" + " ," * 16_000 + " 03:44"),
    ],
)
def test_a_day_filled_in_by_the_portal_is_shown_as_pages_print_days(value: str, shown: str) -> None:
    assert shown_day(value) == shown
