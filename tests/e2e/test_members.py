"""Members over HTTP: listing, role changes by who may make them, and auditors' time-boxed,
recorded, read-only access."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from services.core.db import Database
from services.core.handlers.organisations import MAX_RECORDED_QUERY
from services.core.settings import Settings
from tests.e2e.conftest import PASSWORD, join, sign_up

pytestmark = pytest.mark.e2e


async def test_roles_change_only_as_the_rules_allow(
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack
) -> None:
    owner = await sign_up(client)
    admin, admin_me = await join(stack, migrated, client, "admin")
    employee, employee_me = await join(stack, migrated, client, "employee")

    members = (await admin.get("/api/v1/members")).json()
    assert {m["role"] for m in members} == {"owner", "admin", "employee"}
    assert (await employee.get("/api/v1/members")).status_code == 403

    promote = f"/api/v1/members/{employee_me['user_id']}/role"
    assert (await admin.put(promote, json={"role": "admin"})).status_code == 403
    assert (await employee.put(promote, json={"role": "admin"})).status_code == 403
    assert (await client.put(promote, json={"role": "admin"})).status_code == 200
    assert (await employee.get("/api/v1/me")).json()["role"] == "admin", "takes effect at once"

    last_owner = f"/api/v1/members/{owner['user_id']}/role"
    refused = await client.put(last_owner, json={"role": "admin"})
    assert refused.status_code == 422
    assert refused.json()["type"] == "urn:cmeledger:problem:last_owner"
    demote_admin = f"/api/v1/members/{admin_me['user_id']}/role"
    assert (await client.put(demote_admin, json={"role": "employee"})).status_code == 200


async def test_auditor_access_is_read_only_recorded_and_ends_by_itself(
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack, database: Database
) -> None:
    owner = await sign_up(client)
    no_window = await client.post(
        "/api/v1/invitations", json={"email": "aud@example.org", "role": "auditor"}
    )
    assert no_window.status_code == 422
    auditor, auditor_me = await join(stack, migrated, client, "auditor")

    assert (await auditor.get("/api/v1/organisation/summary")).status_code == 200
    assert (await auditor.get("/api/v1/members")).status_code == 200
    assert (await auditor.post("/api/v1/people", json={"full_name": "A"})).status_code == 403
    tenant = UUID(owner["organisation_id"])
    async with database.transaction(tenant) as tx:
        reads = await tx.pg.fetch(
            "SELECT data->>'path' AS path FROM events WHERE event_type = 'audits.AuditorRead'"
            " ORDER BY seq"
        )
    assert [r["path"] for r in reads] == ["/api/v1/organisation/summary", "/api/v1/members"]

    window = f"/api/v1/members/{auditor_me['user_id']}/auditor-access"
    too_long = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    assert (await client.put(window, json={"access_until": too_long})).status_code == 422
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert (await client.put(window, json={"access_until": past})).status_code == 200
    ended = await auditor.get("/api/v1/organisation/summary")
    assert ended.status_code == 401
    again = await auditor.post(
        "/api/v1/session", json={"email": auditor_me["email"], "password": PASSWORD}
    )
    assert again.status_code == 401, "an expired auditor may not sign in"


PER_REQUEST_HEADERS = frozenset({"ratelimit-remaining", "ratelimit-reset", "x-request-id", "date"})


def refusal(response: Any) -> tuple[int, dict[str, str], bytes]:
    """What a refused sign-in shows the caller: status, headers (but the counters that change
    with every request) and the exact body."""
    headers = {k: v for k, v in response.headers.items() if k not in PER_REQUEST_HEADERS}
    return response.status_code, headers, response.content


async def test_an_auditor_outside_their_window_is_refused_like_a_wrong_password(
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack
) -> None:
    await sign_up(client)
    auditor, auditor_me = await join(stack, migrated, client, "auditor")
    window = f"/api/v1/members/{auditor_me['user_id']}/auditor-access"
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert (await client.put(window, json={"access_until": past})).status_code == 200

    async def sign_in(password: str) -> Any:
        return await auditor.post(
            "/api/v1/session", json={"email": auditor_me["email"], "password": password}
        )

    right, wrong = await sign_in(PASSWORD), await sign_in("not the password at all")
    assert right.status_code == 401
    assert refusal(right) == refusal(wrong)
    assert right.json()["type"] == "urn:cmeledger:problem:invalid_credentials"


async def test_tokens_made_in_an_earlier_auditor_window_stay_dead_in_a_new_one(
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack
) -> None:
    await sign_up(client)
    auditor, auditor_me = await join(stack, migrated, client, "auditor")
    minted = await auditor.post("/api/v1/tokens", json={"name": "first", "scopes": ["read"]})
    assert minted.status_code == 201, minted.text
    first = {"Authorization": f"Bearer {minted.json()['secret']}"}
    assert (await auditor.get("/api/v1/organisation/summary", headers=first)).status_code == 200

    window = f"/api/v1/members/{auditor_me['user_id']}/auditor-access"
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert (await client.put(window, json={"access_until": past})).status_code == 200
    assert (await auditor.get("/api/v1/organisation/summary", headers=first)).status_code == 401

    later = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    assert (await client.put(window, json={"access_until": later})).status_code == 200
    old = await auditor.get("/api/v1/organisation/summary", headers=first)
    assert old.status_code == 401, "a token of the first window must not come back to life"

    signed_in = await auditor.post(
        "/api/v1/session", json={"email": auditor_me["email"], "password": PASSWORD}
    )
    assert signed_in.status_code == 200, "the new window itself works"
    again = await auditor.post("/api/v1/tokens", json={"name": "second", "scopes": ["read"]})
    second = {"Authorization": f"Bearer {again.json()['secret']}"}
    assert (await auditor.get("/api/v1/organisation/summary", headers=second)).status_code == 200
    assert (await auditor.get("/api/v1/organisation/summary", headers=first)).status_code == 401


async def test_an_auditor_read_is_recorded_with_its_whole_query(
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack, database: Database
) -> None:
    owner = await sign_up(client)
    auditor, _ = await join(stack, migrated, client, "auditor")
    long_query = "q=" + "carotid-duplex-" * 400 + "end"
    assert 500 < len(long_query) <= MAX_RECORDED_QUERY
    assert (await auditor.get(f"/api/v1/members?{long_query}")).status_code == 200

    too_long = "q=" + "x" * MAX_RECORDED_QUERY
    refused = await auditor.get(f"/api/v1/members?{too_long}")
    assert refused.status_code == 414
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "recorded whole" in refused.json()["detail"]

    async with database.transaction(UUID(owner["organisation_id"])) as tx:
        queries = await tx.pg.fetch(
            "SELECT data->>'query' AS query FROM events WHERE event_type = 'audits.AuditorRead'"
            " ORDER BY seq"
        )
    assert [r["query"] for r in queries] == [long_query], "whole, and the refused one not at all"
