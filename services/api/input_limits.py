"""Refusals at the edge, before any handler sees the input: what PostgreSQL cannot store or the
decoder cannot take apart is a 400, never a 500.

- No NUL character (``\\u0000``) anywhere: in the path, a query parameter, a JSON string or key
  (``UnstorableInputMiddleware``, ``GuardedRequest``) or a portal form field (``forms.read_form``).
  PostgreSQL ``text`` cannot hold it.
- JSON nests at most ``MAX_JSON_DEPTH`` levels (no request of the API needs more than four).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import unquote_to_bytes

from litestar import Request
from litestar.exceptions import ClientException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

MAX_JSON_DEPTH = 32
"""Arrays and objects inside each other, at most."""

NUL = "\x00"
NUL_REFUSED = "text must not contain the NUL character (\\u0000)"
TOO_DEEP = f"JSON must not nest arrays and objects more than {MAX_JSON_DEPTH} levels deep"


class UnstorableInputMiddleware(ASGIMiddleware):
    """Refuses (400) a request whose path or query string holds a NUL character, raw or
    percent-encoded."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        query = scope.get("query_string", b"")
        if NUL in scope.get("path", "") or b"\x00" in unquote_to_bytes(query.replace(b"+", b" ")):
            raise ClientException(f"the address is refused: {NUL_REFUSED}")
        await next_app(scope, receive, send)


class GuardedRequest(Request[Any, Any, Any]):
    """Litestar's request, whose JSON body is refused (400) when it nests deeper than
    ``MAX_JSON_DEPTH`` or holds a NUL character in a string or key, and whose body over the
    route's size limit is refused (413) naming the limit."""

    async def stream(self) -> AsyncGenerator[bytes, None]:
        try:
            async for chunk in super().stream():
                yield chunk
        except RequestEntityTooLarge:
            limit = self.route_handler.resolve_request_max_body_size()
            raise RequestEntityTooLarge(
                detail=f"the request body must be at most {limit:,} bytes"
            ) from None

    async def json(self) -> Any:
        try:
            value = await super().json()
        except RecursionError:  # the decoder's own stack limit, far beyond ours
            raise ClientException(TOO_DEEP) from None
        check_json_value(value)
        return value


def check_json_value(value: Any) -> None:
    """Raise ``ClientException`` if decoded JSON ``value`` is too deep or holds a NUL."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                raise ClientException(NUL_REFUSED)
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise ClientException(TOO_DEEP)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
