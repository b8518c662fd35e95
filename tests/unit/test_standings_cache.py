"""The standings cache on its own: one entry per tenant and key, least recently used tenants
dropped, concurrent misses computed once."""

from __future__ import annotations

import asyncio
from datetime import date
from uuid import UUID, uuid4

from services.core.people.standings_cache import StandingsCache, StandingsKey

DAY = date(2026, 12, 7)


def _key(
    tenant: UUID, seq: int = 1, epoch: int = 0, today: date = DAY, count_pending: bool = False
) -> StandingsKey:
    return StandingsKey(tenant, seq, f"hash{seq}", epoch, today, count_pending)


async def _value(cache: StandingsCache, key: StandingsKey, value: dict[str, int]) -> object:
    async def compute() -> dict[str, int]:
        return value

    return await cache.value(key, "standings", compute)


async def test_a_value_is_answered_only_for_its_own_tenant_and_key() -> None:
    cache = StandingsCache()
    ours, theirs = uuid4(), uuid4()
    assert await _value(cache, _key(ours), {"ours": 1}) == {"ours": 1}
    assert await _value(cache, _key(theirs), {"theirs": 1}) == {"theirs": 1}
    assert await _value(cache, _key(ours), {"again": 1}) == {"ours": 1}
    for changed in (
        _key(ours, seq=2),
        _key(ours, epoch=1),
        _key(ours, today=date(2026, 12, 8)),
        _key(ours, count_pending=True),
    ):
        assert await _value(cache, changed, {"new": 1}) == {"new": 1}
    assert await _value(cache, _key(ours), {"older key": 1}) == {"older key": 1}
    assert len(cache) == 2


async def test_least_recently_used_tenants_are_dropped() -> None:
    cache = StandingsCache(capacity=2, max_people=3)
    first, second, third = uuid4(), uuid4(), uuid4()
    await _value(cache, _key(first), {"a": 1})
    await _value(cache, _key(second), {"b": 1})
    await _value(cache, _key(first), {"unused": 1})  # first used last
    await _value(cache, _key(third), {"c": 1})
    assert await _value(cache, _key(first), {"recomputed": 1}) == {"a": 1}
    assert await _value(cache, _key(second), {"recomputed": 1}) == {"recomputed": 1}
    await _value(cache, _key(third), {"x": 1, "y": 2, "z": 3})  # over max_people with another
    assert len(cache) == 1
    assert cache.evictions == 4  # second, then third, then first (capacity), second (people)


async def test_concurrent_misses_compute_once() -> None:
    cache = StandingsCache()
    key, calls = _key(uuid4()), []

    async def compute() -> dict[str, int]:
        calls.append(1)
        await asyncio.sleep(0.01)
        return {"computed": len(calls)}

    found = await asyncio.gather(*(cache.value(key, "standings", compute) for _ in range(5)))
    assert found == [{"computed": 1}] * 5
    assert calls == [1]


async def test_a_refreshed_label_outlives_another_stored_under_an_older_key() -> None:
    cache, tenant, refreshed_from = StandingsCache(), uuid4(), []

    async def refresh(earlier: StandingsKey, key: StandingsKey, value: object) -> dict[str, int]:
        refreshed_from.append(earlier.last_seq)
        return {"refreshed": key.last_seq}

    async def computed() -> dict[str, int]:
        return {"computed": 1}

    first = await cache.value(_key(tenant, seq=2), "standings", computed, refresh)
    await cache.value(_key(tenant, seq=1), "overview", computed)  # its request read seq 1 first
    again = await cache.value(_key(tenant, seq=2), "standings", computed, refresh)
    found = await cache.value(_key(tenant, seq=3), "standings", computed, refresh)

    assert again is first
    assert found == {"refreshed": 3}
    assert refreshed_from == [2]
