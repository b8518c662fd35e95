"""Personal API tokens over HTTP: shown once, scoped, revocable, bound to one organisation, and
free of cookies and CSRF."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from services.api.app import create_app
from services.core.db import Database
from services.core.settings import Settings
from tests.e2e.conftest import Org, connected_client, invitation, sign_up

pytestmark = pytest.mark.e2e


@pytest.fixture
async def bare(migrated: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client with no cookies and no CSRF header."""
    async with AsyncTestClient(create_app(migrated)) as test_client:
        yield test_client


async def make_token(client: AsyncTestClient[Any], *scopes: str, **extra: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/tokens", json={"name": "payroll sync", "scopes": list(scopes), **extra}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['secret']}"}


async def test_a_token_works_without_cookie_or_csrf_and_is_shown_once(
    org: Org, bare: AsyncTestClient[Any], database: Database
) -> None:
    token = await make_token(org.owner, "read", "write")
    assert token["secret"].startswith("cml_")
    assert token["token"]["scopes"] == ["read", "write"]

    me = await bare.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    assert (me.json()["organisation_id"], me.json()["role"]) == (
        org.owner_info["organisation_id"],
        "owner",
    )
    invited = await bare.post("/api/v1/invitations", json=invitation(), headers=bearer(token))
    assert invited.status_code == 201, invited.text
    assert "cmeledger_session" not in bare.cookies

    listed = await org.owner.get("/api/v1/tokens")
    assert [t["token_id"] for t in listed.json()] == [token["token"]["token_id"]]
    assert token["secret"] not in listed.text
    tenant = UUID(org.owner_info["organisation_id"])
    async with database.transaction(tenant) as tx:
        leaked = await tx.pg.fetchval(
            "SELECT count(*) FROM events WHERE data::text LIKE $1", f"%{token['secret']}%"
        )
        created = await tx.pg.fetchval(
            "SELECT count(*) FROM events WHERE event_type = 'audits.ApiTokenCreated'"
        )
    assert (leaked, created) == (0, 1)


async def test_a_revoked_or_expired_token_is_refused(
    org: Org, bare: AsyncTestClient[Any], database: Database
) -> None:
    revoked, expired = await make_token(org.owner, "read"), await make_token(org.owner, "read")
    assert (await bare.get("/api/v1/me", headers=bearer(revoked))).status_code == 200

    gone = await org.owner.delete(f"/api/v1/tokens/{revoked['token']['token_id']}")
    assert gone.status_code == 204
    assert (await bare.get("/api/v1/me", headers=bearer(revoked))).status_code == 401

    tenant = UUID(org.owner_info["organisation_id"])
    async with database.transaction(tenant) as tx:
        await tx.pg.execute(
            "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE token_id = $1",
            UUID(expired["token"]["token_id"]),
        )
        recorded = await tx.pg.fetchval(
            "SELECT count(*) FROM events WHERE event_type = 'audits.ApiTokenRevoked'"
        )
    assert recorded == 1
    assert (await bare.get("/api/v1/me", headers=bearer(expired))).status_code == 401
    listed = {t["token_id"]: t for t in (await org.owner.get("/api/v1/tokens")).json()}
    assert listed[revoked["token"]["token_id"]]["revoked_at"] is not None


async def test_a_bad_token_never_falls_back_to_the_session(org: Org) -> None:
    for header in ("Bearer cml_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer "):
        response = await org.owner.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
    assert (await org.owner.get("/api/v1/me")).status_code == 200


async def test_a_read_token_cannot_write(org: Org, bare: AsyncTestClient[Any]) -> None:
    token = await make_token(org.owner, "read")
    assert (await bare.get("/api/v1/invitations", headers=bearer(token))).status_code == 200
    refused = await bare.post("/api/v1/invitations", json=invitation(), headers=bearer(token))
    assert refused.status_code == 403
    assert (await org.owner.get("/api/v1/invitations")).json() == []


async def test_an_auditor_token_cannot_write(org: Org, bare: AsyncTestClient[Any]) -> None:
    auditor, _ = await org.member("auditor")
    token = await make_token(auditor, "read", "write")
    assert (await bare.get("/api/v1/me", headers=bearer(token))).json()["role"] == "auditor"
    refused = await bare.post("/api/v1/invitations", json=invitation(), headers=bearer(token))
    assert refused.status_code == 403


async def test_a_token_cannot_make_tokens_or_sessions(org: Org, bare: AsyncTestClient[Any]) -> None:
    token = await make_token(org.owner, "read", "write")
    made = await bare.post(
        "/api/v1/tokens", json={"name": "x", "scopes": ["write"]}, headers=bearer(token)
    )
    assert made.status_code == 403
    switched = await bare.put(
        "/api/v1/session/organisation",
        json={"organisation_id": org.owner_info["organisation_id"]},
        headers=bearer(token),
    )
    assert switched.status_code == 403
    assert "cmeledger_session" not in bare.cookies


async def test_a_token_of_one_tenant_sees_nothing_of_another(
    org: Org, stack: AsyncExitStack, migrated: Settings, bare: AsyncTestClient[Any]
) -> None:
    other = await stack.enter_async_context(connected_client(migrated))
    other_info = await sign_up(other)
    other_invitation = (await other.post("/api/v1/invitations", json=invitation())).json()
    other_token = await make_token(other, "read")
    token = await make_token(org.owner, "read", "write")

    revoke = await bare.delete(
        f"/api/v1/invitations/{other_invitation['invitation_id']}", headers=bearer(token)
    )
    assert revoke.status_code == 404
    not_mine = await org.owner.delete(f"/api/v1/tokens/{other_token['token']['token_id']}")
    assert not_mine.status_code == 404
    assert (await bare.get("/api/v1/me", headers=bearer(other_token))).json()[
        "organisation_id"
    ] == other_info["organisation_id"]


async def test_tokens_need_a_future_expiry_and_known_scopes(org: Org) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for body in (
        {"name": "t", "scopes": ["read"], "expires_at": past},
        {"name": "t", "scopes": ["admin"]},
        {"name": "t", "scopes": []},
        {"name": "  ", "scopes": ["read"]},
    ):
        response = await org.owner.post("/api/v1/tokens", json=body)
        assert 400 <= response.status_code < 500, body
        assert response.headers["content-type"].startswith("application/problem+json"), body
    future = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    token = await make_token(org.owner, "read", expires_at=future)
    assert token["token"]["expires_at"] is not None


async def test_cookie_requests_still_need_the_csrf_header(org: Org) -> None:
    del org.owner.headers["x-csrftoken"]
    response = await org.owner.post("/api/v1/invitations", json=invitation())
    assert response.status_code == 403


async def test_the_schema_documents_the_bearer_scheme(bare: AsyncTestClient[Any]) -> None:
    schema = (await bare.get("/schema/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    assert {"apiToken": []} in schema["security"]
    assert "/api/v1/tokens" in schema["paths"]
