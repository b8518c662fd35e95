"""Request rate limits counted in PostgreSQL, so a limit holds across every API process and host.

``count_request`` counts one request against each of its limits in one statement
(``rate_limit_hits``, migration 0025, over ``rate_limit_hit`` of migration 0021): a sliding window
per key, where only allowed requests count, and a request refused by one limit is not counted
by the limits after it. It runs outside any tenant (and outside the statement timeout, like the
session store): keys are opaque strings (``user:<id>``, ``client:<address>``, ``tenant:<id>``)
and the table holds no tenant data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
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
    reset_at: datetime
    """When the window's oldest request leaves it."""


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
            "SELECT allowed, used, reset_at FROM rate_limit_hits($1, $2, $3)",
            [limit.key for limit in limits],
            window_s,
            [limit.requests for limit in limits],
        )
    return [
        RateWindow(limit=limit, allowed=row["allowed"], used=row["used"], reset_at=row["reset_at"])
        for limit, row in zip(limits, rows, strict=False)
    ]
