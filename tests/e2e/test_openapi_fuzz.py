"""schemathesis against the live OpenAPI document: a uvicorn server on a free local port, signed
in as an organisation's owner (session cookie and CSRF header), every operation fuzzed with a
few generated requests; no answer may be a 5xx, and every answer must match the schema."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from services.api.app import create_app
from services.core.settings import Settings
from tests.e2e.conftest import PASSWORD, unique

pytestmark = pytest.mark.e2e

NOT_FUZZED = {
    "DELETE /api/v1/session": "signing out would leave the remaining cases unauthenticated",
}
"""Operations left out of fuzzing, and why (each has its own tests)."""


class Signed(msgspec.Struct, frozen=True):
    base_url: str
    cookies: dict[str, str]
    headers: dict[str, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live(migrated: Settings) -> Iterator[Signed]:
    """The app served by uvicorn in a thread (its own event loop), and an owner signed in."""
    app_settings = msgspec.structs.replace(
        migrated, rate_limit_per_user_per_minute=100_000, rate_limit_per_tenant_per_minute=100_000
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(app_settings), host="127.0.0.1", port=port, log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    base_url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base_url) as client:
            client.get("/health")
            csrf = client.cookies["csrftoken"]
            signed_up = client.post(
                "/api/v1/organisations",
                headers={"x-csrftoken": csrf},
                json={
                    "organisation_name": "Fuzz Imaging",
                    "slug": unique("fuzz"),
                    "email": f"{unique('owner')}@example.org",
                    "password": PASSWORD,
                },
            )
            assert signed_up.status_code == 201, signed_up.text
            yield Signed(base_url, dict(client.cookies.items()), {"x-csrftoken": csrf})
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _fuzz(operation: Any, live: Signed) -> None:
    """Up to ``max_examples`` generated requests to one operation; the first failure raises."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=4,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(
            base_url=live.base_url,
            headers=live.headers,
            cookies=live.cookies,
            checks=[not_a_server_error, response_schema_conformance],
            timeout=10,
        )

    run()


def _messages(exc: BaseException) -> list[str]:
    if isinstance(exc, BaseExceptionGroup):
        return [m for inner in exc.exceptions for m in _messages(inner)]
    return [f"{type(exc).__name__}: {str(exc)[:500]}"]


def test_no_server_error_and_every_answer_matches_the_schema(live: Signed) -> None:
    schema = schemathesis.openapi.from_url(f"{live.base_url}/schema/openapi.json")
    failures: dict[str, str] = {}
    fuzzed = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if label in NOT_FUZZED:
            continue
        fuzzed += 1
        try:
            _fuzz(operation, live)
        except (Exception, BaseExceptionGroup) as exc:  # report every operation's failure
            failures[label] = "; ".join(_messages(exc))
    assert fuzzed > 10, "the schema lists too few operations"
    assert failures == {}
