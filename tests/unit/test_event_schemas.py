"""Stored events are immutable contracts: every registered event type keeps the fields, types
and defaults it was saved with (``event_schemas.json``), whichever struct declares them (an
event may inherit fields from a struct it shares with a command or a state). Field order is no
part of it: the chain hashes canonical JSON with sorted keys. A deliberate change is a new
schema version with an upcaster, and then a new line here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from domain.shared.event import EventRegistry
from services.core.registry import EVENT_TYPES

pytestmark = pytest.mark.unit
SAVED = Path(__file__).with_name("event_schemas.json")


def _normal(schema: Any) -> Any:
    """``schema`` without titles and descriptions, its required fields sorted."""
    if isinstance(schema, dict):
        return {
            key: sorted(value) if key == "required" else _normal(value)
            for key, value in sorted(schema.items())
            if key not in {"title", "description"}
        }
    if isinstance(schema, list):
        return [_normal(value) for value in schema]
    return schema


def event_schemas() -> dict[str, str]:
    """Each event tag and version with its JSON schema (one line of JSON, keys sorted)."""
    registry = EventRegistry(EVENT_TYPES)
    return {
        f"{tag} v{cls.schema_version}": json.dumps(
            _normal(json.loads(msgspec.json.encode(msgspec.json.schema(cls)))), sort_keys=True
        )
        for tag, cls in sorted(registry.classes.items())
    }


def test_every_event_keeps_the_schema_it_was_saved_with() -> None:
    saved = json.loads(SAVED.read_text())
    current = event_schemas()
    changed = sorted(k for k in saved.keys() | current.keys() if saved.get(k) != current.get(k))
    assert not changed, f"event schemas changed (a new version and an upcaster?): {changed}"


if __name__ == "__main__":  # to save the schemas after a deliberate change
    SAVED.write_text(json.dumps(event_schemas(), indent=0, sort_keys=True) + "\n")
