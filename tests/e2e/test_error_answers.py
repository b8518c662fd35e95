"""Every error answer over HTTP: a problem with its ``type`` (whatever raised it: a guard, the
router, validation, the body limit, the rate limit, a failure of ours), HTML error pages with
the portal's security headers, and logs of failures that carry no secret of the request."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from services.api.app import create_app
from services.core.settings import Settings
from tests.e2e.conftest import PASSWORD, Org, connected_client, unique

pytestmark = pytest.mark.e2e


def problem_type(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return str(response.json()["type"])


async def test_every_kind_of_error_is_a_problem_with_a_type(
    org: Org, migrated: Settings, fresh_rate_limits: None
) -> None:
    employee, _ = await org.member("employee")
    limited = msgspec.structs.replace(migrated, rate_limit_per_user_per_minute=1)
    async with connected_client(limited) as anonymous:
        answers = {
            "guard": await employee.get("/api/v1/members"),
            "unauthenticated": await anonymous.get("/api/v1/me"),
            "no route": await employee.get("/api/v1/nothing-here"),
            "wrong method": await employee.patch("/api/v1/me"),
            "invalid body": await employee.post("/api/v1/people", json={"full_name": 1}),
            "body too large": await employee.post(
                "/api/v1/people",
                content=b'{"full_name": "' + b"x" * 11_000_000 + b'"}',
                headers={"content-type": "application/json"},
            ),
            "domain refusal": await employee.post("/api/v1/people", json={"full_name": " "}),
        }
        for _ in range(3):
            answers["rate limit"] = await anonymous.post(
                "/api/v1/session", json={"email": "x@example.org", "password": "x"}
            )
    assert answers["body too large"].json()["detail"] == (
        "the request body must be at most 10,000,000 bytes"
    )
    types = {kind: (answer.status_code, problem_type(answer)) for kind, answer in answers.items()}
    prefix = "urn:cmeledger:problem:"
    assert types == {
        "guard": (403, prefix + "forbidden"),
        "unauthenticated": (401, prefix + "unauthorized"),
        "no route": (404, prefix + "not_found"),
        "wrong method": (405, prefix + "method_not_allowed"),
        "invalid body": (400, prefix + "bad_request"),
        "body too large": (413, prefix + "request_entity_too_large"),
        "domain refusal": (422, prefix + "invalid_person_data"),
        "rate limit": (429, prefix + "too_many_requests"),
    }


async def test_html_error_pages_carry_the_portal_security_headers(org: Org) -> None:
    page = await org.owner.get("/dashboard")
    for path, status in ((f"/credits/{uuid4()}", 404), ("/transcripts/download?format=exe", 400)):
        error = await org.owner.get(path)
        assert error.status_code == status, error.text
        assert error.headers["content-type"].startswith("text/html")
        for header in ("content-security-policy", "x-content-type-options", "referrer-policy"):
            assert error.headers[header] == page.headers[header], header
        assert error.headers["cache-control"] == "no-store"


SESSION_ID = "f" * 32
BEARER = "cml_" + "b3arer" * 6
CSRF_HEADER = "x-csrftoken"


@pytest.mark.parametrize("log_format", ["console", "json"])
async def test_a_failure_is_logged_without_the_secrets_of_its_request(
    migrated: Settings, capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    """The database is unreachable, so every request that needs it fails with a 500; the
    requests carry a session cookie, a CSRF token, a bearer token and a password."""
    unreachable = msgspec.structs.replace(
        migrated,
        database_url="postgresql+asyncpg://cmeledger_app:cmeledger_app@127.0.0.1:1/nothing",
        log_format=log_format,
    )
    password = f"{PASSWORD} {unique('secret')}"
    async with AsyncTestClient(create_app(unreachable)) as client:
        await client.get("/health")
        csrf = client.cookies["csrftoken"]
        signing_up = await client.post(
            "/api/v1/organisations",
            headers={CSRF_HEADER: csrf},
            json={
                "organisation_name": "Riverside",
                "slug": unique("riverside"),
                "email": "owner@example.org",
                "password": password,
            },
        )
        client.cookies["cmeledger_session"] = SESSION_ID
        with_token = await client.get(
            "/api/v1/me", headers={"authorization": f"Bearer {BEARER}", CSRF_HEADER: csrf}
        )
        with_session = await client.get("/api/v1/me", headers={CSRF_HEADER: csrf})
    for answer in (signing_up, with_token, with_session):
        assert answer.status_code == 500, answer.text
        assert problem_type(answer) == "urn:cmeledger:problem:internal_error"
    logged = capsys.readouterr().err
    assert logged.count("unhandled error") == 3, logged[-3000:]
    assert "ConnectionRefusedError" in logged or "OSError" in logged
    leaked = [secret for secret in (SESSION_ID, BEARER, csrf, password) if secret in logged]
    assert leaked == []
    assert "locals" not in logged.lower()
    assert len(logged) < 60_000, "three short tracebacks, not pages of local variables"
