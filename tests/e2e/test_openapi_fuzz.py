"""schemathesis against the live OpenAPI document: a uvicorn server on a free local port, signed
in as an organisation's owner (session cookie and CSRF header), every operation fuzzed with a
few generated requests and with each of ``TWISTS`` (hostile input the schema generator would
rarely make: NUL characters, deeply nested JSON, dates at the ends of the calendar); no answer
may be a 5xx, and every answer must match the schema."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import msgspec
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from services.core.settings import Settings
from tests.e2e.conftest import PASSWORD, unique
from tests.live_server import free_port, serving, unthrottled

pytestmark = pytest.mark.e2e

NOT_FUZZED = {
    "DELETE /api/v1/session": "signing out would leave the remaining cases unauthenticated",
}
"""Operations left out of fuzzing, and why (each has its own tests)."""


class Signed(msgspec.Struct, frozen=True):
    base_url: str
    cookies: dict[str, str]
    headers: dict[str, str]


@pytest.fixture(scope="module")
def live(migrated: Settings) -> Iterator[Signed]:
    """The app served by uvicorn in a thread (its own event loop), and an owner signed in."""
    with (
        serving(unthrottled(migrated), free_port()) as base_url,
        httpx.Client(base_url=base_url) as client,
    ):
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


Twist = Callable[[Any], bool]
"""Makes a generated case hostile in place; False when it does not apply to the operation."""

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
NESTING = 100_000
"""Far past the API's limit, and past the decoder's own stack limit in any thread."""


def _each_string(value: Any, change: Callable[[str], str]) -> tuple[Any, int]:
    """``value`` with ``change`` applied to every string in it, and how many there were."""
    if isinstance(value, str):
        return change(value), 1
    if isinstance(value, dict):
        pairs = [(key, _each_string(item, change)) for key, item in value.items()]
        return {key: item for key, (item, _) in pairs}, sum(n for _, (_, n) in pairs)
    if isinstance(value, list):
        items = [_each_string(item, change) for item in value]
        return [item for item, _ in items], sum(n for _, n in items)
    return value, 0


def _change_strings(case: Any, change: Callable[[str], str]) -> int:
    changed = 0
    for part in ("query", "path_parameters", "body"):
        value = getattr(case, part)
        if isinstance(value, dict | list | str):
            new_value, count = _each_string(value, change)
            setattr(case, part, new_value)
            changed += count
    return changed


def with_nul(case: Any) -> bool:
    """A NUL character in every string sent (in the query when there is none)."""
    if not _change_strings(case, lambda text: text + "\x00"):
        case.query = {**(case.query or {}), "note": "\x00"}
    return True


def deeply_nested(case: Any) -> bool:
    """The JSON body carries arrays nested ``NESTING`` deep (sent as bytes: Python's own JSON
    encoder would overflow its stack)."""
    if not isinstance(case.body, dict) or case.media_type != "application/json":
        return False
    nested = "[" * NESTING + "]" * NESTING
    case.body = (
        json.dumps({**case.body, "nested": None})
        .encode()
        .replace(b'"nested": null', b'"nested": ' + nested.encode())
    )
    return True


def _dated(day: str) -> Twist:
    def twist(case: Any) -> bool:
        """Every date and date-time sent (and each date query parameter) on ``day``."""
        for parameter in case.operation.definition.raw.get("parameters", []):
            schemas = [parameter.get("schema", {}), *parameter.get("schema", {}).get("oneOf", [])]
            formats = {schema.get("format") for schema in schemas}
            if parameter["in"] == "query" and formats & {"date", "date-time"}:
                value = day if "date" in formats else f"{day}T23:59:59Z"
                case.query = {**(case.query or {}), parameter["name"]: value}
        _change_strings(case, lambda text: _DAY.sub(day, text))
        return True

    return twist


TWISTS: dict[str, Twist] = {
    "NUL": with_nul,
    "deep JSON": deeply_nested,
    "year 9999": _dated("9999-12-31"),
    "year 1": _dated("0001-01-01"),
}


def _fuzz(operation: Any, live: Signed, twist: Twist | None = None) -> None:
    """Up to ``max_examples`` generated requests to one operation (one when twisted); the
    first failure raises."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=4 if twist is None else 1,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        if twist is not None and not twist(case):
            return
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
        for name, twist in {"generated": None, **TWISTS}.items():
            try:
                _fuzz(operation, live, twist)
            except (Exception, BaseExceptionGroup) as exc:  # report every operation's failure
                failures[f"{label} ({name})"] = "; ".join(_messages(exc))
    assert fuzzed > 10, "the schema lists too few operations"
    assert failures == {}
