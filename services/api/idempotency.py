"""Idempotent writes: the ``Idempotency-Key`` request header (IETF draft "The Idempotency-Key
HTTP Header Field", draft-ietf-httpapi-idempotency-key-header) and the command ids of requests.

``IdempotencyMiddleware``: an unsafe request under ``/api/v1`` that carries the header is
- scoped to its caller (``key_scope``): the member (user in their organisation; an API token
  acts as its user), or, on the public endpoints, the client's CSRF cookie;
- fingerprinted (``request_fingerprint``): method, path, query and a hash of the body;
- run once: the first response (status, body and the headers in ``REPLAYED_HEADERS``, never
  ``Set-Cookie``) is stored for 24 hours (``services.core.idempotency``) and sent again, marked
  ``Idempotent-Replayed: true``, for the same key with the same fingerprint; the same key with
  another fingerprint is a 422 problem; a malformed key is a 400 problem. A duplicate arriving
  while the first request runs waits for it (up to ``WAIT_FOR_FIRST``) and gets its response,
  else a 409 problem. A first request that fails with a 5xx (or no response) frees the key.
The header is optional: without it a request runs as it always did.

``request_command_id``: the id of each command a request issues, derived (uuid5) from the
request's key (the header, or the one-time key of a portal form) and its caller, so a retry that
does reach the handlers (a lost response, a second submit of a form) is recognised by the event
store as the same command; without a key, from one random id drawn per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import time
from collections.abc import Callable
from typing import Any, cast
from uuid import UUID, uuid4, uuid5

from litestar import Request
from litestar.enums import ScopeType
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.openapi.spec import OpenAPI, OpenAPIType, Parameter, Schema
from litestar.types import (
    ASGIApp,
    HTTPRequestEvent,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    HTTPScope,
    Message,
    Receive,
    ReceiveMessage,
    Scope,
    Send,
)

from services.api.application import application_of
from services.api.auth import Principal
from services.api.errors import PROBLEM_TYPE
from services.core import idempotency
from services.core.db import Database
from services.core.idempotency import Claimed, KeyScope, StoredResponse, command_sequence

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/api/v1/"
REPLAYED_HEADERS = frozenset({"content-type", "location", "content-disposition"})
"""What a replay repeats besides status and body; cookies never: a replayed sign-in starts no
second session (and hands no session to whoever replays it)."""
WAIT_FOR_FIRST = 10.0
POLL_INTERVAL = 0.05
KEY_SYNTAX = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]{1,255}")
"""Visible ASCII except ``"`` and ``\\``, 1 to 255 characters."""
COMMAND_NAMESPACE = UUID("5d0b2f4e-8a57-4f43-9f0c-3e1c1c0f6a11")
KEY_STATE = "cmeledger.idempotency_key"
COMMANDS_STATE = "cmeledger.command_ids"
CSRF_COOKIE = "csrftoken"
FORM_KEY_FIELD = "_idempotency_key"


class MalformedKey(ValueError):
    pass


def parse_key(raw: str) -> str:
    """The key of an ``Idempotency-Key`` value: a structured-field string (``"..."``, as the
    draft has it) or the same characters unquoted."""
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not KEY_SYNTAX.fullmatch(value):
        raise MalformedKey(
            f"{HEADER} must be 1 to 255 visible ASCII characters (no quote or backslash),"
            ' optionally in double quotes, e.g. "8e03978e-40d5-43e8-bc93-6894a57f9324"'
        )
    return value


def key_scope(scope: Scope, key: str) -> KeyScope | None:
    """``key`` as its caller's: the member in their organisation, else the client holding the
    CSRF cookie (public endpoints); None when neither is known."""
    user = scope.get("user")
    if isinstance(user, Principal):
        return KeyScope(tenant_id=user.tenant_id, caller=f"user:{user.user_id}", key=key)
    client = _cookie(scope, CSRF_COOKIE)
    if client:
        digest = hashlib.sha256(client.encode()).hexdigest()
        return KeyScope(tenant_id=None, caller=f"client:{digest}", key=key)
    return None


def request_fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """What makes two requests the same request: method, path, query string and body."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query, hashlib.sha256(body).digest()):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def command_id_for(key: KeyScope, use: str = "") -> UUID:
    """The id a request with this caller's key gives its commands: the same on every retry;
    ``use`` tells apart uses of a key that expired and came back (a portal key is used once)."""
    return uuid5(COMMAND_NAMESPACE, f"{key.row_tenant}/{key.caller}/{key.key}/{use}")


def remember_key(scope: Scope, key: str, use: str = "") -> None:
    """Make ``key`` the idempotency key of the request (the header, or a portal form's)."""
    scope.setdefault("state", {})[KEY_STATE] = (key, use)


def one_time_key() -> str:
    """A new key for a portal form (rendered as ``FORM_KEY_FIELD``)."""
    return str(uuid4())


def remember_form_key(scope: Scope, value: object) -> None:
    """Make a portal form's one-time key the request's idempotency key; a value that is not
    a well-formed key is ignored (the form then records as one without a key)."""
    if isinstance(value, str):
        with contextlib.suppress(MalformedKey):
            remember_key(scope, parse_key(value))


def request_command_id(request: Request[Any, Any, Any]) -> UUID:
    """The id of the next command this request issues: the n-th command of a request gets the
    same id on every retry with the same key; without a key, ids are new per request."""
    state = request.scope.setdefault("state", {})
    if COMMANDS_STATE not in state:
        key, use = state.get(KEY_STATE, (None, ""))
        scoped = key_scope(request.scope, key) if key else None
        state[COMMANDS_STATE] = command_sequence(command_id_for(scoped, use) if scoped else uuid4())
    next_command_id: Callable[[], UUID] = state[COMMANDS_STATE]
    return next_command_id()


def _cookie(scope: Scope, name: str) -> str | None:
    for header, value in scope.get("headers", []):
        if header == b"cookie":
            for pair in value.decode("latin-1").split(";"):
                found, _, content = pair.strip().partition("=")
                if found == name:
                    return content
    return None


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode()
    for header, value in scope.get("headers", []):
        if header == wanted:
            return str(value.decode("latin-1"))
    return None


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    headers = [*headers, (b"content-length", b"%d" % len(body))]
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": headers,
    }
    await send(start)
    content: HTTPResponseBodyEvent = {
        "type": "http.response.body",
        "body": body,
        "more_body": False,
    }
    await send(content)


async def _send_problem(send: Send, status: int, code: str, detail: str) -> None:
    problem = {"type": PROBLEM_TYPE + code, "title": code.replace("_", " "), "status": status}
    body = json.dumps({**problem, "detail": detail}).encode()
    await _respond(send, status, [(b"content-type", b"application/problem+json")], body)


async def _send_replay(send: Send, response: StoredResponse) -> None:
    headers = [(name.encode(), value.encode("latin-1")) for name, value in response.headers]
    await _respond(
        send, response.status, [*headers, (REPLAYED.lower().encode(), b"true")], response.body
    )


class BodyTooLarge(Exception):
    pass


async def _read_body(receive: Receive, limit: int | None) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> ReceiveMessage:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        whole: HTTPRequestEvent = {"type": "http.request", "body": body, "more_body": False}
        return whole

    return replay


class IdempotencyMiddleware(ASGIMiddleware):
    """Runs an unsafe ``/api/v1`` request with an ``Idempotency-Key`` once per caller and key
    (see the module documentation)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        raw = _header(scope, HEADER)
        method = cast("HTTPScope", scope)["method"]
        if raw is None or method not in UNSAFE_METHODS or not scope["path"].startswith(API_PREFIX):
            await next_app(scope, receive, send)
            return
        try:
            key = parse_key(raw)
        except MalformedKey as exc:
            await _send_problem(send, 400, "malformed_idempotency_key", str(exc))
            return
        scoped = key_scope(scope, key)
        if scoped is None:  # unreachable past the CSRF check; then the key cannot be kept
            await next_app(scope, receive, send)
            return
        try:
            handler = scope["route_handler"]
            limit = (
                handler.resolve_request_max_body_size()
                if isinstance(handler, HTTPRouteHandler)
                else None
            )
            body = await _read_body(receive, limit)
        except BodyTooLarge:
            await _send_problem(send, 413, "request_too_large", "the request body is too large")
            return
        fingerprint = request_fingerprint(
            method, scope["path"], scope.get("query_string", b""), body
        )
        database = application_of(scope["app"]).database
        deadline = time.monotonic() + WAIT_FOR_FIRST
        while not isinstance(
            before := await idempotency.claim(database, scoped, fingerprint), Claimed
        ):
            if before.fingerprint != fingerprint:
                await _send_problem(
                    send,
                    422,
                    "idempotency_key_reused",
                    f"this {HEADER} was already used for another request (method, path or body)",
                )
                return
            if before.response is not None:
                await _send_replay(send, before.response)
                return
            if time.monotonic() >= deadline:
                await _send_problem(
                    send,
                    409,
                    "idempotency_key_in_flight",
                    f"a request with this {HEADER} is still being handled; retry later",
                )
                return
            await asyncio.sleep(POLL_INTERVAL)
        remember_key(scope, key, before.since.isoformat())
        await self._run_first(scope, _replaying(body, receive), send, next_app, database, scoped)

    async def _run_first(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        next_app: ASGIApp,
        database: Database,
        scoped: KeyScope,
    ) -> None:
        status: int | None = None
        headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if (text := name.decode("latin-1").lower()) in REPLAYED_HEADERS:
                        headers.append((text, value.decode("latin-1")))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await next_app(scope, receive, recording)
        except BaseException:
            await idempotency.release(database, scoped)
            raise
        if status is None or status >= 500:
            await idempotency.release(database, scoped)
            return
        stored = StoredResponse(status=status, headers=headers, body=b"".join(chunks))
        await idempotency.complete(database, scoped, stored)


def document_idempotency_key(openapi: OpenAPI) -> None:
    """Add the optional ``Idempotency-Key`` header to every unsafe ``/api/v1`` operation."""
    parameter = Parameter(
        name=HEADER,
        param_in="header",
        required=False,
        description=(
            "Optional; makes a retry safe (IETF draft-ietf-httpapi-idempotency-key-header). The"
            " first response to a key is kept for 24 hours per caller and sent again (marked"
            " `Idempotent-Replayed: true`) for the same request; the same key with another"
            " request is a 422 problem, one still being handled a 409 after waiting, a malformed"
            " key a 400."
        ),
        schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=257),
    )
    for path, item in (openapi.paths or {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for operation in (item.post, item.put, item.patch, item.delete):
            if operation is not None:
                operation.parameters = [*(operation.parameters or []), parameter]
