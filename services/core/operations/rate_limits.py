"""Request rate limits counted in PostgreSQL, so a limit holds across every API process and host.

``count_request`` is one atomic call of ``rate_limit_hit`` (migration 0021), a single round trip:
a sliding window per key, where only allowed requests count. It runs outside any tenant (and
outside the statement timeout, like the session store): keys are opaque strings
(``user:<id>``, ``client:<address>``, ``tenant:<id>``) and the table holds no tenant data.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from services.core.db import Database


class RateWindow(NamedTuple):
    """The key's window after counting one request."""

    allowed: bool
    used: int
    """Requests the window holds now (the one just counted included, when allowed)."""
    reset_at: datetime
    """When the window's oldest request leaves it."""


async def count_request(database: Database, key: str, *, window_s: int, limit: int) -> RateWindow:
    """Count one request for ``key``: allowed while fewer than ``limit`` were allowed in the
    last ``window_s`` seconds."""
    async with database.connection() as conn:  # one statement, its own transaction
        row = await conn.fetchrow(
            "SELECT allowed, used, reset_at FROM rate_limit_hit($1, $2, $3)", key, window_s, limit
        )
    assert row is not None
    return RateWindow(allowed=row["allowed"], used=row["used"], reset_at=row["reset_at"])
