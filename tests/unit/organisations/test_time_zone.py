"""The organisation's time zone: chosen by owners and admins, recorded as an event."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.organisations import organisation as o
from tests.unit.organisations.test_organisation import opened, with_member

pytestmark = pytest.mark.unit
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def choose(zone: str, role: str = "owner") -> list[object]:
    state = with_member("admin", uuid4())
    command = o.ChooseTimeZone(time_zone=zone, by_role=role)  # type: ignore[arg-type]
    return list(o.decide_choose_time_zone(state, command, now=NOW, ids=uuid4))


def test_an_organisation_shows_utc_until_a_zone_is_chosen() -> None:
    state = with_member("admin", uuid4())
    assert state.time_zone == "UTC"
    events = choose("America/Chicago", "admin")
    assert events == [o.TimeZoneChosen(time_zone="America/Chicago")]
    assert o.evolve(state, events[0]).time_zone == "America/Chicago"  # type: ignore[arg-type]


def test_choosing_the_zone_in_force_records_nothing() -> None:
    assert choose("UTC") == []


@pytest.mark.parametrize("zone", ["", "../etc/passwd", "Europe/" + "x" * 70, "Mars Olympus"])
def test_what_is_not_a_zone_name_is_refused(zone: str) -> None:
    with pytest.raises(o.UnknownTimeZone):
        choose(zone)


@pytest.mark.parametrize("role", ["employee", "auditor"])
def test_only_owners_and_admins_choose(role: str) -> None:
    with pytest.raises(o.RoleNotAllowed):
        choose("Europe/Paris", role)
    assert opened()
