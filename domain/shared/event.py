"""Domain events: immutable facts with a stable type tag and an explicit schema version.

Every event type is a frozen msgspec Struct declared with ``tag="<context>.<PastTense>"``. The tag,
never the Python path, is what the store keeps, so code can move without breaking history.
When an event's shape changes, bump ``schema_version`` and add a pure upcaster to ``upcasters``
mapping the *old* version to a function that returns the data of the next version.

An event may take fields from a plain struct it shares with a command or a state (e.g.
``PersonDetails``, ``CertificateFile``): that struct is then part of the event's schema, and
changing it is changing every event that inherits it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar

import msgspec

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
State = TypeVar("State")


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every domain event."""

    schema_version: ClassVar[int] = 1
    upcasters: ClassVar[Mapping[int, Upcaster]] = {}


def fold(
    evolve: Callable[[State | None, Event], State],
    events: Iterable[Event],
    state: State | None = None,
) -> State | None:
    """Apply ``evolve`` to each event in order, starting from ``state`` (None: no history)."""
    for event in events:
        state = evolve(state, event)
    return state


class UnknownEventType(LookupError):
    """A stored event names a type that no registered class declares."""


def event_tag(cls: type[Event]) -> str:
    """The stable type name of an event class (its msgspec tag)."""
    tag = cls.__struct_config__.tag
    if not isinstance(tag, str):
        raise TypeError(f"{cls.__name__} must declare a string tag")
    return tag


class EventRegistry:
    """Maps stable type tags to event classes; encodes events, decodes and upcasts stored data."""

    def __init__(self, classes: Iterable[type[Event]]) -> None:
        self._by_tag: dict[str, type[Event]] = {}
        for cls in classes:
            tag = event_tag(cls)
            if tag in self._by_tag and self._by_tag[tag] is not cls:
                raise ValueError(f"event tag {tag!r} is declared twice")
            missing = [v for v in range(1, cls.schema_version) if v not in cls.upcasters]
            if missing:
                raise ValueError(f"{tag}: no upcaster from version(s) {missing}")
            self._by_tag[tag] = cls

    def __contains__(self, tag: object) -> bool:
        return tag in self._by_tag

    @property
    def classes(self) -> Mapping[str, type[Event]]:
        return dict(self._by_tag)

    def encode(self, event: Event) -> tuple[str, int, dict[str, Any]]:
        """Return (type tag, schema version, JSON-ready data) for a registered event."""
        cls = type(event)
        tag = event_tag(cls)
        if self._by_tag.get(tag) is not cls:
            raise UnknownEventType(tag)
        data = msgspec.to_builtins(event)
        assert isinstance(data, dict)
        data.pop(cls.__struct_config__.tag_field or "type", None)  # the tag has its own column
        return tag, cls.schema_version, data

    def upcast(self, tag: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
        """Upgrade stored data of ``version`` to the current schema version, step by step."""
        cls = self._class(tag)
        if version > cls.schema_version:
            raise ValueError(f"{tag} v{version} is newer than this code (v{cls.schema_version})")
        for step in range(version, cls.schema_version):
            data = cls.upcasters[step](dict(data))
        return data

    def decode(self, tag: str, version: int, data: dict[str, Any]) -> Event:
        """Build the current event class from stored data of any known schema version."""
        cls = self._class(tag)
        return msgspec.convert(self.upcast(tag, version, data), cls)

    def _class(self, tag: str) -> type[Event]:
        try:
            return self._by_tag[tag]
        except KeyError:
            raise UnknownEventType(tag) from None
