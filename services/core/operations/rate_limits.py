"""Request rate limits counted in PostgreSQL, so a limit holds across every API process and host.

``count_request`` counts one request against each of its limits in one statement
(``rate_limit_hits``, migration 0026, over ``rate_limit_hit`` of migration 0021): a sliding window
per key, where only allowed requests count, and a request refused by one limit is not counted
by the limits after it. It runs outside any tenant (and outside the statement timeout, like the
session store): keys are opaque strings (``user:<id>``, ``client:<address>``, ``tenant:<id>``)
and the table holds no tenant data. ``window_of`` reads a key's window without counting (nor
writing) anything; ``WINDOW`` is that read, for a statement that reads it beside other work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from services.core.db import Database


class Limit(NamedTuple):
    """At most ``requests`` per window for ``key``."""

    key: str
    requests: int


class RateWindow(NamedTuple):
    """A key's window after counting one request."""

    limit: Limit
    allowed: bool
    used: int
    """Requests the window holds now (the one just counted included, when allowed)."""
    resets_in_s: int
    """Seconds until the window's oldest request leaves it (at least 1), by the database's
    clock, which the windows are counted by."""


async def count_request(
    database: Database, limits: Sequence[Limit], *, window_s: int
) -> list[RateWindow]:
    """Count one request against ``limits`` in order, each allowing fewer than its ``requests``
    in the last ``window_s`` seconds; stops at the first that refuses it, so the last window
    returned is the refusing one (or every limit allowed it)."""
    if not limits:
        return []
    async with database.connection() as conn:  # one statement, its own transaction
        rows = await conn.fetch(
            "SELECT allowed, used, greatest(1, ceil(extract(epoch FROM"
            " reset_at - clock_timestamp())))::int AS resets_in_s FROM rate_limit_hits($1, $2, $3)",
            [limit.key for limit in limits],
            window_s,
            [limit.requests for limit in limits],
        )
    return [
        RateWindow(
            limit=limit, allowed=row["allowed"], used=row["used"], resets_in_s=row["resets_in_s"]
        )
        for limit, row in zip(limits, rows, strict=False)
    ]


WINDOW = (
    "SELECT count(*)::int AS used, greatest(1, ceil(extract(epoch FROM"
    " coalesce(min(h), clock_timestamp()) + make_interval(secs => $2)"
    " - clock_timestamp())))::int AS resets_in_s"
    " FROM rate_limit_windows w, unnest(w.hits) AS h"
    " WHERE w.key = $1 AND h > clock_timestamp() - make_interval(secs => $2)"
)
"""Key $1's window of the last $2 seconds, read only: one row (an aggregate), ``used`` and
``resets_in_s``; a statement may read it beside another (``accounts.members.token_member``)."""


class WindowSpent(Exception):
    """A window read before some work was spent, so the work was not done."""

    def __init__(self, window: RateWindow) -> None:
        super().__init__(f"{window.limit.key}: {window.used} of {window.limit.requests} used")
        self.window = window


def window_read(limit: Limit, used: int, resets_in_s: int) -> RateWindow:
    """``limit``'s window holding ``used`` requests: ``allowed`` while fewer than its
    ``requests``."""
    return RateWindow(
        limit=limit, allowed=used < limit.requests, used=used, resets_in_s=resets_in_s
    )


async def window_of(database: Database, limit: Limit, *, window_s: int) -> RateWindow:
    """``limit``'s window as it stands, read only: ``allowed`` while it holds fewer than
    ``limit.requests`` requests of the last ``window_s`` seconds. Counts and writes nothing."""
    async with database.connection() as conn:
        (row,) = await conn.fetch(WINDOW, limit.key, window_s)  # an aggregate: always one row
    return window_read(limit, row["used"], row["resets_in_s"])
