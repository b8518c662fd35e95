"""A request counted against rate-limit windows (``services.core.operations.rate_limits``):
the window with the fewest requests left, and its IETF draft ``RateLimit-*`` headers; the 429
once a window is spent. Used by the rate-limit middleware and, for the budget of refused
credentials per client address (checked before any credential is looked up, counted on each
refusal), by the authentication middleware."""

from __future__ import annotations

from litestar.exceptions import TooManyRequestsException
from litestar.types import Scope

from services.core.db import Database
from services.core.operations.rate_limits import Limit, RateWindow, count_request, window_of
from services.core.settings import Settings

WINDOW_S = 60


def refused_credentials_limit(scope: Scope, settings: Settings) -> Limit:
    """The budget of refused credentials of the request's client address: as many per minute
    as a signed-in user's requests, counted apart from its requests without sign-in."""
    return Limit(f"credentials:{client_address(scope)}", settings.rate_limit_per_user_per_minute)


async def check_refused_credentials(scope: Scope, settings: Settings, database: Database) -> None:
    """The 429 when the client address has spent its budget of refused credentials in the last
    window, whatever this request carries; reads the window only (counts and writes nothing)."""
    window = await window_of(
        database, refused_credentials_limit(scope, settings), window_s=WINDOW_S
    )
    if not window.allowed:
        raise too_many(window)


async def count_refused_credentials(scope: Scope, settings: Settings, database: Database) -> None:
    """Count a refused request on its client address's budget of refused credentials."""
    await count_request(database, [refused_credentials_limit(scope, settings)], window_s=WINDOW_S)


def client_limit(scope: Scope, per_minute: int) -> Limit:
    return Limit(f"client:{client_address(scope)}", per_minute)


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def counted(database: Database, limits: list[Limit]) -> RateWindow:
    """Count the request in ``limits``: the window with the fewest requests left, or the 429
    when one of them is spent."""
    windows = await count_request(database, limits, window_s=WINDOW_S)
    tightest = min(windows, key=lambda w: (w.allowed, w.limit.requests - w.used))
    if not tightest.allowed:
        raise too_many(tightest)
    return tightest


def too_many(window: RateWindow) -> TooManyRequestsException:
    """The 429 of the spent ``window``, with its headers and ``Retry-After``."""
    headers = rate_headers(window)
    headers["Retry-After"] = headers["RateLimit-Reset"]
    return TooManyRequestsException(headers=headers)


def rate_headers(window: RateWindow) -> dict[str, str]:
    """The IETF draft's RateLimit headers for ``window``."""
    requests = window.limit.requests
    return {
        "RateLimit-Policy": f"{requests}; w={WINDOW_S}",
        "RateLimit-Limit": str(requests),
        "RateLimit-Remaining": str(max(0, requests - window.used)),
        "RateLimit-Reset": str(window.resets_in_s),
    }
