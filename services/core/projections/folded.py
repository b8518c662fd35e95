"""Base of the projections that keep each aggregate's folded state in a row of its table, and the
copy between the domain's structs and the views the read models store.

A read model stores a view (``services.core.<context>.views``), never a domain struct: the view
fixes the stored shape, so renaming a domain field changes no stored row. Domain and view are
copied by field name; ``tests/unit/test_read_model_views.py`` fails when they drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

import msgspec

from domain.shared.event import Event, EventRegistry, event_tag, fold
from services.core.db import Tx
from services.core.eventsourcing.store import RecordedEvent
from services.core.stream_ids import aggregate_id

S = TypeVar("S", bound=msgspec.Struct)
V = TypeVar("V", bound=msgspec.Struct)

WRITE_CHUNK = 5_000
"""Rows a rebuild writes per statement."""


def tags(classes: Sequence[type[Event]]) -> frozenset[str]:
    return frozenset(event_tag(cls) for cls in classes)


def as_json(rows: list[dict[str, Any]]) -> str:
    """Rows as one JSON array parameter, for ``jsonb_to_recordset($n::jsonb)``."""
    return msgspec.json.encode(rows).decode()


def insert_json_rows(table: str, columns: str, *, updated: str = "") -> str:
    """The statement that writes the rows of one JSON array (``$2``, from ``as_json``) into
    ``table`` for the tenant ``$1``.

    ``columns`` declares each row's fields as ``jsonb_to_recordset`` reads them ("name type,
    ..."), named as the table's columns; they are written once. With ``updated`` (more columns,
    declared alike) a row whose key, the first of ``columns`` after ``tenant_id``, is stored
    already takes the new values of the ``updated`` columns.
    """
    names = _names(columns) + _names(updated)
    statement = (
        f"INSERT INTO {table} (tenant_id, {', '.join(names)})\n"
        f"SELECT $1, {', '.join('r.' + name for name in names)}\n"
        f"FROM jsonb_to_recordset($2::jsonb) AS r({', '.join(filter(None, (columns, updated)))})"
    )
    if not updated:
        return statement
    updates = ", ".join(f"{name} = excluded.{name}" for name in _names(updated))
    return f"{statement}\nON CONFLICT (tenant_id, {names[0]}) DO UPDATE SET {updates}"


def _names(columns: str) -> list[str]:
    return [column.split()[0] for column in columns.split(",") if column.strip()]


def copied(value: Any, into: Any) -> Any:
    """``value`` as the type ``into`` (a domain struct as its view, or back; collections and
    optional values of them too), copied by field name."""
    return msgspec.convert(value, into, from_attributes=True)


def stored(value: Any, view: Any) -> Any:
    """``value`` (a domain struct, or a list of them) as its read model stores it: the JSON
    builtins of ``view``, copied from ``value`` by field name."""
    return msgspec.to_builtins(copied(value, view))


def restored(text: str | bytes, view: type[V], state: type[S]) -> S:
    """A stored ``view`` (JSON text) as the domain's ``state``, copied by field name."""
    restored_state: S = copied(msgspec.json.decode(text, type=view), state)
    return restored_state


class FoldedStates(Generic[S, V]):
    """Folds a batch into the stored states with the domain's ``evolve`` and saves the results.

    One load and one save per batch, whatever its size; no load when every stream of the batch
    starts in it (its first event: nothing stored before). ``load_sql`` takes the tenant ($1)
    and the aggregate ids ($2, uuid[]) and returns ``id`` and ``state`` (jsonb as text, a
    ``view_type``): the stored view is copied back into the domain's ``state_type`` to fold the
    next events (the view holds every field of the state). Each state saved is noted on the
    transaction (``Tx.saved``), under the projection's ``name``. Subclasses set ``name``,
    ``tables``, ``event_types`` and ``view_type`` and implement ``save``.
    """

    name: str
    tables: tuple[str, ...]
    event_types: frozenset[str] | None
    view_type: type[V]

    def __init__(
        self,
        registry: EventRegistry,
        *,
        evolve: Callable[[S | None, Event], S],
        state_type: type[S],
        load_sql: str,
    ) -> None:
        self.registry = registry
        self._evolve = evolve
        self._state_type = state_type
        self._load_sql = load_sql

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        batches: dict[UUID, list[Event]] = {}
        stored_before: list[UUID] = []
        for event in events:
            decoded = self.registry.decode(event.event_type, event.schema_version, event.data)
            key = aggregate_id(event.stream_id)
            if key not in batches and event.stream_version > 1:
                stored_before.append(key)
            batches.setdefault(key, []).append(decoded)
        rows = (
            await tx.pg.fetch(self._load_sql, tx.require_tenant(), stored_before)
            if stored_before
            else []
        )
        states = {
            row["id"]: restored(row["state"], self.view_type, self._state_type) for row in rows
        }
        folded = {key: fold(self._evolve, batch, states.get(key)) for key, batch in batches.items()}
        await self.save(tx, [state for state in folded.values() if state is not None])
        tx.saved(self.name, {key: state for key, state in folded.items() if state is not None})

    def rebuilding(self) -> FoldedRebuild[S]:
        return FoldedRebuild(self)

    async def save(self, tx: Tx, states: list[S]) -> None:
        raise NotImplementedError


class FoldedRebuild(Generic[S]):
    """A ``FoldedStates`` projection rebuilt: each aggregate folded in memory from nothing,
    then saved in chunks of ``WRITE_CHUNK``."""

    def __init__(self, projection: FoldedStates[S, Any]) -> None:
        self._projection = projection
        self._states: dict[UUID, S] = {}

    def add(self, events: Sequence[RecordedEvent]) -> None:
        decode, evolve, states = (
            self._projection.registry.decode,
            self._projection._evolve,
            self._states,
        )
        for event in events:
            key = aggregate_id(event.stream_id)
            decoded = decode(event.event_type, event.schema_version, event.data)
            states[key] = evolve(states.get(key), decoded)

    async def write(self, tx: Tx) -> None:
        states = list(self._states.values())
        for start in range(0, len(states), WRITE_CHUNK):
            await self._projection.save(tx, states[start : start + WRITE_CHUNK])
