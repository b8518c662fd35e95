"""A request counted against rate-limit windows (``services.core.operations.rate_limits``):
the window with the fewest requests left, and its IETF draft ``RateLimit-*`` headers; the 429
once a window is spent. Used by the rate-limit middleware and, for requests whose API token is
refused before that middleware runs, by the authentication middleware."""

from __future__ import annotations

from litestar.exceptions import TooManyRequestsException
from litestar.types import Scope

from services.core.db import Database
from services.core.operations.rate_limits import Limit, RateWindow, count_request
from services.core.settings import Settings

WINDOW_S = 60


async def count_refused_credentials(scope: Scope, settings: Settings, database: Database) -> None:
    """Count a request whose credentials are refused on its client address, as a request
    without sign-in; raises the 429 once that budget is spent (else the caller answers 401)."""
    await counted(database, [client_limit(scope, settings.rate_limit_per_user_per_minute)])


def client_limit(scope: Scope, per_minute: int) -> Limit:
    client = scope.get("client")
    return Limit(f"client:{client[0] if client else 'unknown'}", per_minute)


async def counted(database: Database, limits: list[Limit]) -> RateWindow:
    """Count the request in ``limits``: the window with the fewest requests left, or the 429
    when one of them is spent."""
    windows = await count_request(database, limits, window_s=WINDOW_S)
    tightest = min(windows, key=lambda w: (w.allowed, w.limit.requests - w.used))
    if not tightest.allowed:
        headers = rate_headers(tightest)
        headers["Retry-After"] = headers["RateLimit-Reset"]
        raise TooManyRequestsException(headers=headers)
    return tightest


def rate_headers(window: RateWindow) -> dict[str, str]:
    """The IETF draft's RateLimit headers for ``window``."""
    requests = window.limit.requests
    return {
        "RateLimit-Policy": f"{requests}; w={WINDOW_S}",
        "RateLimit-Limit": str(requests),
        "RateLimit-Remaining": str(max(0, requests - window.used)),
        "RateLimit-Reset": str(window.resets_in_s),
    }
