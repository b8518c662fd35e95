"""Rate limits per signed-in user and, larger, per organisation (Litestar's rate-limit middleware).

Both are counted in PostgreSQL (``services.core.operations.rate_limits``), so a limit holds
across every API process and host; their keys differ by prefix. They run
inside the authentication middleware, so the caller is known: the per-user limit keys on the
user (requests that need no sign-in, such as sign-up and sign-in, on the client address), the
per-tenant limit on the organisation of the signed-in membership. A refusal is a 429 problem
with ``Retry-After``; health and readiness probes and the schema are never limited.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from litestar import Request
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import (
    DURATION_VALUES,
    CacheObject,
    RateLimitConfig,
    RateLimitMiddleware,
    get_remote_address,
)
from litestar.stores.base import Store
from litestar.types import ASGIApp

from services.api.auth import Principal
from services.core.db import Database
from services.core.operations.rate_limits import count_request
from services.core.settings import Settings

UNLIMITED = ["^/health$", "^/ready$", "^/schema"]


class _SharedRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's rate-limit middleware with the window counted atomically in PostgreSQL
    instead of read and written back through a per-process store, and ``Retry-After``
    (seconds until the window resets) once the limit is used up."""

    def __init__(self, app: ASGIApp, config: RateLimitConfig, database: Database) -> None:
        super().__init__(app, config)
        self._database = database
        # The framework serialises read-and-write-back with a per-process lock; the count here is
        # atomic in the database, so concurrent requests need not queue behind one another.
        self._lock = contextlib.nullcontext()  # type: ignore[assignment]

    async def retrieve_cached_history(self, key: str, store: Store) -> CacheObject:
        """Count the request; the history Litestar sees is the window before it when it is
        allowed (so the framework lets it through and adds it) and a full one when not."""
        window = await count_request(
            self._database, key, window_s=DURATION_VALUES[self.unit], limit=self.max_requests
        )
        now = int(time.time())
        before = window.used - 1 if window.allowed else max(window.used, self.max_requests)
        return CacheObject(history=[now] * before, reset=int(window.reset_at.timestamp()))

    async def set_cached_history(self, key: str, cache_object: CacheObject, store: Store) -> None:
        """The request is already counted; only the headers' copy of the window grows."""
        cache_object.history = [int(time.time()), *cache_object.history]

    def create_response_headers(self, cache_object: CacheObject) -> dict[str, str]:
        headers = super().create_response_headers(cache_object)
        if len(cache_object.history) >= self.max_requests:
            headers["Retry-After"] = str(
                max(1, int(headers[self.config.rate_limit_reset_header_key]))
            )
        return headers


def _principal(request: Request[Any, Any, Any]) -> Principal | None:
    user = request.scope.get("user")
    return user if isinstance(user, Principal) else None


def per_user(request: Request[Any, Any, Any]) -> str:
    principal = _principal(request)
    return f"user:{principal.user_id}" if principal else f"client:{get_remote_address(request)}"


def per_tenant(request: Request[Any, Any, Any]) -> str:
    principal = _principal(request)
    return f"tenant:{principal.tenant_id}" if principal else ""


def _signed_in(request: Request[Any, Any, Any]) -> bool:
    return _principal(request) is not None


def rate_limits(settings: Settings, database: Database) -> list[DefineMiddleware]:
    """The middleware for both limits, per minute; the per-user one applies first."""
    configs = [
        RateLimitConfig(
            rate_limit=("minute", settings.rate_limit_per_user_per_minute),
            exclude=UNLIMITED,
            identifier_for_request=per_user,
        ),
        RateLimitConfig(
            rate_limit=("minute", settings.rate_limit_per_tenant_per_minute),
            exclude=UNLIMITED,
            identifier_for_request=per_tenant,
            check_throttle_handler=_signed_in,
        ),
    ]
    return [
        DefineMiddleware(_SharedRateLimitMiddleware, config=config, database=database)
        for config in configs
    ]
