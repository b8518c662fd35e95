"""Every domain event type the application stores, and the store wired with its projections."""

from __future__ import annotations

from domain.shared.event import Event, EventRegistry
from services.core.eventstore import EventStore
from services.core.projections import ProjectionRunner
from services.core.projections.streams import StreamSummaries

EVENT_TYPES: list[type[Event]] = []


def build_event_store() -> EventStore:
    return EventStore(EventRegistry(EVENT_TYPES), ProjectionRunner([StreamSummaries()]))
