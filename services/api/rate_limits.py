"""Rate limits per signed-in user and, larger, per organisation (Litestar's rate-limit middleware).

Two ``RateLimitConfig``s share the ``rate_limit`` store; their keys differ by prefix. They run
inside the authentication middleware, so the caller is known: the per-user limit keys on the
user (requests that need no sign-in, such as sign-up and sign-in, on the client address), the
per-tenant limit on the organisation of the signed-in membership. A refusal is a 429 problem
with ``Retry-After``; health and readiness probes and the schema are never limited.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import (
    CacheObject,
    RateLimitConfig,
    RateLimitMiddleware,
    get_remote_address,
)

from services.api.auth import Principal
from services.core.settings import Settings

UNLIMITED = ["^/health$", "^/ready$", "^/schema"]


class _RetryAfterMiddleware(RateLimitMiddleware):
    """Adds ``Retry-After`` (seconds until the window resets) once the limit is used up."""

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


def rate_limits(settings: Settings) -> list[DefineMiddleware]:
    """The middleware for both limits, per minute; the per-user one applies first."""
    return [
        RateLimitConfig(
            rate_limit=("minute", settings.rate_limit_per_user_per_minute),
            exclude=UNLIMITED,
            identifier_for_request=per_user,
            middleware_class=_RetryAfterMiddleware,
        ).middleware,
        RateLimitConfig(
            rate_limit=("minute", settings.rate_limit_per_tenant_per_minute),
            exclude=UNLIMITED,
            identifier_for_request=per_tenant,
            check_throttle_handler=_signed_in,
            middleware_class=_RetryAfterMiddleware,
        ).middleware,
    ]
