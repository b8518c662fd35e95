"""Event registry: encoding, upcasting of every stored version (golden fixtures), refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest

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
