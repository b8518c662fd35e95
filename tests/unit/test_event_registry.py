"""Event registry: encoding, upcasting of every stored version (golden fixtures), refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar
from uuid import uuid4

import pytest

from domain.audits.access import OLD_QUERY_CUT, AuditorRead
from domain.shared.event import Event, EventRegistry, UnknownEventType, fold
from tests.support import CounterSet, NoteAdded, make_registry

pytestmark = pytest.mark.unit
GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "events"


def _golden_cases() -> list[tuple[str, int]]:
    return [
        (tag, version)
        for tag, cls in sorted(make_registry().classes.items())
        for version in range(1, cls.schema_version + 1)
    ]


@pytest.mark.parametrize(("tag", "version"), _golden_cases())
def test_every_stored_version_of_every_event_loads_into_the_current_model(
    tag: str, version: int
) -> None:
    fixture = GOLDEN / tag / f"v{version}.json"
    assert fixture.exists(), f"golden fixture missing: {fixture.relative_to(GOLDEN.parent)}"
    registry = make_registry()
    event = registry.decode(tag, version, json.loads(fixture.read_text()))
    assert isinstance(event, registry.classes[tag])


def test_old_versions_are_upcast_by_pure_functions() -> None:
    registry = make_registry()
    stored = {"count": 3}
    assert registry.decode("test.CounterSet", 1, stored) == CounterSet(value=3, unit="credits")
    assert stored == {"count": 3}, "upcasting must not mutate stored data"
    assert registry.decode("test.CounterSet", 2, {"value": 4, "unit": "h"}).value == 4


def test_encode_stores_the_tag_and_current_version_separately_from_data() -> None:
    assert make_registry().encode(CounterSet(value=2, unit="credits")) == (
        "test.CounterSet",
        2,
        {"value": 2, "unit": "credits"},
    )


def test_refusals() -> None:
    registry = make_registry()
    with pytest.raises(UnknownEventType):
        registry.decode("test.Nope", 1, {})
    with pytest.raises(ValueError, match="newer"):
        registry.decode("test.NoteAdded", 2, {"text": "x"})

    class Clash(Event, frozen=True, kw_only=True, tag="test.NoteAdded"):
        text: str

    with pytest.raises(ValueError, match="declared twice"):
        EventRegistry([NoteAdded, Clash])

    class Unupcastable(Event, frozen=True, kw_only=True, tag="test.Unupcastable"):
        schema_version: ClassVar[int] = 3

    with pytest.raises(ValueError, match=r"no upcaster from version\(s\) \[1, 2\]"):
        EventRegistry([Unupcastable])
    with pytest.raises(UnknownEventType):
        EventRegistry([NoteAdded]).encode(CounterSet(value=1, unit="x"))


def test_fold_applies_evolve_in_order_from_the_given_state() -> None:
    def evolve(state: str | None, event: Event) -> str:
        assert isinstance(event, NoteAdded)
        return (state or "") + event.text

    notes = [NoteAdded(text="a"), NoteAdded(text="b")]
    assert fold(evolve, notes) == "ab"
    assert fold(evolve, notes, "x") == "xab"
    assert fold(evolve, []) is None


def test_an_auditor_read_recorded_as_version_1_reads_as_version_2() -> None:
    """The one real schema change: ``query`` was renamed ``query_string``, and a version-1 query
    of 500 characters (the old cut) is flagged as possibly cut."""
    registry = EventRegistry([AuditorRead])
    user = uuid4()
    short = {"user_id": str(user), "path": "/api/v1/staff", "query": "status=overdue"}
    cut = {**short, "query": "q=" + "x" * (OLD_QUERY_CUT - 2)}
    assert registry.decode("audits.AuditorRead", 1, short) == AuditorRead(
        user_id=user, path="/api/v1/staff", query_string="status=overdue"
    )
    assert registry.decode("audits.AuditorRead", 1, cut).query_may_be_cut
    assert registry.encode(AuditorRead(user_id=user, path="/p", query_string="a=1")) == (
        "audits.AuditorRead",
        2,
        {"user_id": str(user), "path": "/p", "query_string": "a=1", "query_may_be_cut": False},
    )
