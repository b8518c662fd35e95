"""Rate limits per signed-in user and, larger, per organisation, per minute.

Both are counted in PostgreSQL in one statement (``services.core.operations.rate_limits``), so a
limit holds across every API process and host. The middleware runs inside the authentication
middleware, so the caller is known: the per-user limit keys on the user (requests that need no
sign-in, such as sign-up and sign-in, on the client address), the per-tenant limit on the
organisation of the signed-in membership. Requests whose credentials are refused never reach
this middleware: the authentication middleware keeps a budget of refusals per client address
apart (``rate_windows.check_refused_credentials``) and, once it is spent, answers every request
needing sign-in from that address with the 429. Every limited answer carries the
``RateLimit-*`` headers of the window with the fewest requests left; a refusal is a 429 problem
with ``Retry-After``. Health and readiness probes and
the schema are never limited.
"""

from __future__ import annotations

import re

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from services.api.auth import Principal
from services.api.rate_windows import client_limit, counted, rate_headers
from services.core.db import Database
from services.core.operations.rate_limits import Limit
from services.core.settings import Settings

UNLIMITED = re.compile("^/health$|^/ready$|^/schema")


class RateLimitMiddleware(ASGIMiddleware):
    """Counts each HTTP request against the caller's limits before the handler runs."""

    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        return UNLIMITED.match(scope["path"]) is not None

    def __init__(self, settings: Settings, database: Database) -> None:
        self._per_user = settings.rate_limit_per_user_per_minute
        self._per_tenant = settings.rate_limit_per_tenant_per_minute
        self._database = database

    def limits(self, scope: Scope) -> list[Limit]:
        """The caller's limits, the per-user one first."""
        user = scope.get("user")
        if not isinstance(user, Principal):
            return [client_limit(scope, self._per_user)]
        return [
            Limit(f"user:{user.user_id}", self._per_user),
            Limit(f"tenant:{user.tenant_id}", self._per_tenant),
        ]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        tightest = await counted(self._database, self.limits(scope))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in rate_headers(tightest).items():
                    headers[name] = value
            await send(message)

        await next_app(scope, receive, send_with_headers)
