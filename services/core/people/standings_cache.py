"""A per-process cache of what is computed from every person's standing in a tenant: the
standings themselves (``queries.standings_on`` without explanations) and what the organisation
overview and the staff list by deadline make of them.

An entry is valid for exactly one ``StandingsKey``: the tenant, its standing head (the sequence
number and hash of its last event that can change a standing, ``projections.standings``; its
event head while that projection is behind the events, ``queries._KEY``) and read-model
epoch (read in the request's transaction before anything cached is), the day and the
organisation's pending-credit choice. Every read model row the standings are read from is
written either by an inline projection in the transaction that appends its events, so any
change to a person, credit, waiver or obligation moves the standing head, or by a rebuild or
re-evaluation, which moves the epoch in its transaction; an access fact (a sign-in, an
auditor's read, a download) moves neither. The head's hash tells apart two appends that were
given the same sequence number, one rolled back. The cached values are the existing functions'
own output (``compute``), or a stale value brought up to date by ``refresh`` (the standings:
only the people the events since name are computed again).

One entry per tenant, holding the values computed for its key under their labels (``standings``,
the overview, one sorted list per staff filter; at most ``labels`` of them, oldest dropped): an
older key of the tenant is replaced, never kept beside the new one. Least recently used tenants
are dropped beyond ``capacity`` tenants or ``max_people`` people in all (an entry weighs its
largest value's length; about 10 KB a person), the entry just stored kept even alone over it.
The value last stored under a label that is refreshed (the standings) is kept with its key
beside the entry, dropped with it: a value made of the standings is stored under the key its
request read first, which may be older than the one its standings were read under.

Safe within one event loop: concurrent misses on the same key and label share one computation.
Hits, misses and evictions are counted (``services.core.metrics.StandingsCacheMetrics``).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sized
from datetime import date
from typing import NamedTuple, TypeVar, cast
from uuid import UUID

T = TypeVar("T")


class StandingsKey(NamedTuple):
    tenant_id: UUID
    last_seq: int
    last_hash: str
    epoch: int
    """The tenant's read-model epoch: moved by a rewrite of its read models that appends no
    event (``rebuild-projections``, ``reevaluate``)."""
    today: date
    count_pending: bool


class _Entry(NamedTuple):
    key: StandingsKey
    values: OrderedDict[Hashable, object]


class StandingsCache:
    """Values computed from a tenant's standings, per tenant and ``StandingsKey``. Values are
    shared by every request that hits the same key: read only."""

    def __init__(self, capacity: int = 32, max_people: int = 50_000, labels: int = 64) -> None:
        self.capacity = capacity
        self.max_people = max_people
        self.labels = labels
        self._entries: OrderedDict[UUID, _Entry] = OrderedDict()
        self._computing: dict[tuple[StandingsKey, Hashable], asyncio.Future[object]] = {}
        self._refreshable: dict[UUID, dict[Hashable, tuple[StandingsKey, object]]] = {}
        """Per tenant, the value last stored under each label that is refreshed, with its key:
        kept apart from the entry, which a value of another label stored under an older key
        replaces."""
        self.hits = 0
        self.misses = 0
        self.evictions = 0
        """Tenants' entries dropped for room (not those replaced by a newer key)."""
        self.refreshes = 0
        """Misses answered by refreshing the value of an earlier key (counted in misses)."""

    async def value(
        self,
        key: StandingsKey,
        label: Hashable,
        compute: Callable[[], Awaitable[T]],
        refresh: Callable[[StandingsKey, StandingsKey, T], Awaitable[T]] | None = None,
    ) -> T:
        """The value under ``label`` for ``key``: stored, being computed by another request
        (awaited), or computed now and stored: by ``refresh(earlier key, key, earlier value)``
        when given and a value of ``label`` was stored for the tenant under another key (the
        last stored; the earlier value is shared: a refresh builds a new one), else by
        ``compute``. With ``refresh``, the value last stored under ``label`` for ``key`` is
        answered even when a value of another label, stored under another key since, replaced
        the entry."""
        found = self._stored(key, label)
        if found is not _MISSING:
            self.hits += 1
            return cast(T, found)
        pending = self._computing.get((key, label))
        if pending is not None:
            shared = await asyncio.shield(pending)
            if shared is not _MISSING:  # _MISSING: that computation failed; compute here
                self.hits += 1
                return cast(T, shared)
        earlier = self._refreshable.get(key.tenant_id, {}).get(label)
        if earlier is not None and earlier[0] == key:  # the entry was replaced since
            self.hits += 1
            self._store(key, label, earlier[1])
            return cast(T, earlier[1])
        self.misses += 1
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self._computing[key, label] = future
        try:
            if refresh is not None and earlier is not None:
                self.refreshes += 1
                computed = await refresh(earlier[0], key, cast(T, earlier[1]))
            else:
                computed = await compute()
        except BaseException:
            future.set_result(_MISSING)
            raise
        finally:
            self._computing.pop((key, label), None)
        future.set_result(computed)
        if refresh is not None:
            self._refreshable.setdefault(key.tenant_id, {})[label] = (key, computed)
        self._store(key, label, computed)
        return computed

    def _stored(self, key: StandingsKey, label: Hashable) -> object:
        entry = self._entries.get(key.tenant_id)
        if entry is None or entry.key != key or label not in entry.values:
            return _MISSING
        self._entries.move_to_end(key.tenant_id)
        entry.values.move_to_end(label)
        return entry.values[label]

    def _store(self, key: StandingsKey, label: Hashable, value: object) -> None:
        entry = self._entries.get(key.tenant_id)
        if entry is None or entry.key != key:
            entry = self._entries[key.tenant_id] = _Entry(key, OrderedDict())
        entry.values[label] = value
        while len(entry.values) > self.labels:
            entry.values.popitem(last=False)
        self._entries.move_to_end(key.tenant_id)
        while len(self._entries) > 1 and (
            len(self._entries) > self.capacity or self.people() > self.max_people
        ):
            dropped, _ = self._entries.popitem(last=False)
            self._refreshable.pop(dropped, None)
            self.evictions += 1

    def people(self) -> int:
        """The entries' weight: each tenant's largest value's length (its entry's or one kept
        to be refreshed), all tenants together."""
        return sum(
            max(
                (
                    len(v)
                    for v in (
                        *entry.values.values(),
                        *(kept for _, kept in self._refreshable.get(tenant, {}).values()),
                    )
                    if isinstance(v, Sized)
                ),
                default=0,
            )
            for tenant, entry in self._entries.items()
        )

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._refreshable.clear()


_MISSING = object()
