"""Sign-up, sign-in, organisation switching and sign-out over HTTP, with CSRF and lockout."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar.testing import AsyncTestClient

from domain.organisations.organisation import MemberAdded
from services.api.app import create_app
from services.core.db import Database
from services.core.organisation.handlers import ORGANISATION_STREAM
from services.core.registry import build_event_store
from services.core.settings import Settings
from tests.e2e.conftest import PASSWORD, connected_client, sign_up, sign_up_body, unique

pytestmark = pytest.mark.e2e


async def test_sign_up_opens_an_organisation_and_signs_the_owner_in(
    client: AsyncTestClient[Any], database: Database
) -> None:
    owner = await sign_up(client)
    assert owner["role"] == "owner"
    assert owner["organisations"] == [
        {"organisation_id": owner["organisation_id"], "name": "Riverside Imaging", "role": "owner"}
    ]
    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == owner["email"]
    cookie = next(c for c in client.cookies.jar if c.name == "cmeledger_session")
    assert cookie.has_nonstandard_attr("HttpOnly")

    tenant = UUID(owner["organisation_id"])
    async with database.transaction(tenant) as tx:
        types = [
            r["event_type"] for r in await tx.pg.fetch("SELECT event_type FROM events ORDER BY seq")
        ]
    assert types == ["organisations.OrganisationOpened", "organisations.MemberAdded"]


@pytest.mark.parametrize(
    ("field", "value", "status", "code"),
    [
        ("slug", "Not A Slug", 422, "invalid_organisation"),
        ("email", "not-an-email", 422, "invalid_email"),
        ("password", "short", 422, "weak_password"),
        ("password", "1qaz2wsx3edc", 422, "weak_password"),
        ("password", "zzzzzzzzzzzzzzzz", 422, "weak_password"),
        ("organisation_name", "", 400, None),
    ],
)
async def test_bad_sign_up_is_a_clear_problem_and_stores_nothing(
    client: AsyncTestClient[Any],
    database: Database,
    field: str,
    value: str,
    status: int,
    code: str | None,
) -> None:
    email = f"{unique('bad')}@example.org"
    body = {
        "organisation_name": "Lakeside Echo Lab",
        "slug": unique("lakeside"),
        "email": email,
        "password": PASSWORD,
        field: value,
    }
    response = await client.post("/api/v1/organisations", json=body)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert problem["detail"]
    if code:
        assert problem["type"] == f"urn:cmeledger:problem:{code}"
    async with database.transaction(None) as tx:
        assert await tx.pg.fetchval("SELECT count(*) FROM users WHERE email = $1", email) == 0
        assert (
            await tx.pg.fetchval("SELECT count(*) FROM tenants WHERE slug = $1", body["slug"]) == 0
        )


async def test_taken_slug_and_taken_email_are_conflicts(client: AsyncTestClient[Any]) -> None:
    first = await sign_up(client)
    for overrides in ({"slug": first["slug"]}, {"email": first["email"].upper()}):
        body = sign_up_body(organisation_name="Another Lab", **overrides)
        response = await client.post("/api/v1/organisations", json=body)
        assert response.status_code == 409, response.text


async def test_unsafe_requests_without_the_csrf_token_are_refused(migrated: Settings) -> None:
    async with AsyncTestClient(create_app(migrated)) as bare:
        response = await bare.post(
            "/api/v1/session", json={"email": "a@example.org", "password": PASSWORD}
        )
    assert response.status_code == 403


async def test_sign_out_ends_the_session_and_sign_in_starts_a_new_one(
    client: AsyncTestClient[Any],
) -> None:
    owner = await sign_up(client)
    assert (await client.delete("/api/v1/session")).status_code == 204
    after = await client.get("/api/v1/me")
    assert after.status_code == 401
    assert after.headers["content-type"].startswith("application/problem+json")

    signed_in = await client.post(
        "/api/v1/session", json={"email": owner["email"], "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["organisation_id"] == owner["organisation_id"]
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_repeated_failures_lock_the_account_and_are_recorded(
    client: AsyncTestClient[Any], database: Database
) -> None:
    owner = await sign_up(client)
    await client.delete("/api/v1/session")
    wrong = {"email": owner["email"], "password": "wrong password!!"}
    statuses = [(await client.post("/api/v1/session", json=wrong)).status_code for _ in range(5)]
    assert statuses == [401] * 5
    locked = await client.post(
        "/api/v1/session", json={"email": owner["email"], "password": PASSWORD}
    )
    wrong_answer = (await client.post("/api/v1/session", json=wrong)).json()
    assert locked.status_code == 401, "even the right password is refused while locked"
    assert locked.json() == wrong_answer, "a lock looks exactly like a wrong password"
    unknown = await client.post(
        "/api/v1/session", json={"email": "nobody@example.org", "password": PASSWORD}
    )
    assert unknown.status_code == 401

    async with database.transaction(UUID(owner["organisation_id"])) as tx:
        reasons = [
            r["reason"]
            for r in await tx.pg.fetch(
                "SELECT data->>'reason' AS reason FROM events"
                " WHERE event_type = 'audits.SignInFailed' ORDER BY seq"
            )
        ]
    assert reasons == ["wrong_password"] * 5 + ["locked", "locked"]


async def test_a_member_of_two_organisations_switches_between_them(
    client: AsyncTestClient[Any], migrated: Settings, database: Database
) -> None:
    first = await sign_up(client)
    async with connected_client(migrated) as other:
        second = await sign_up(other, organisation_name="Zenith Vascular")
    refused = await client.put(
        "/api/v1/session/organisation", json={"organisation_id": second["organisation_id"]}
    )
    assert refused.status_code == 404

    # The second organisation adds the first owner as an employee (invitations will do this).
    store = build_event_store()
    async with database.transaction(UUID(second["organisation_id"])) as tx:
        await store.append(
            tx,
            ORGANISATION_STREAM,
            [MemberAdded(user_id=UUID(first["user_id"]), email=first["email"], role="employee")],
            expected_version=2,
            event_ids=[uuid4()],
        )
    switched = await client.put(
        "/api/v1/session/organisation", json={"organisation_id": second["organisation_id"]}
    )
    assert switched.status_code == 200, switched.text
    me = (await client.get("/api/v1/me")).json()
    assert (me["organisation_id"], me["role"]) == (second["organisation_id"], "employee")
    assert {(o["name"], o["role"]) for o in me["organisations"]} == {
        ("Riverside Imaging", "owner"),
        ("Zenith Vascular", "employee"),
    }


async def test_openapi_documents_the_session_endpoints(client: AsyncTestClient[Any]) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert schema["openapi"].startswith("3.1")
    for path in ("/api/v1/organisations", "/api/v1/session", "/api/v1/me"):
        assert path in schema["paths"]


async def test_signing_in_never_adopts_a_session_id_planted_before(
    client: AsyncTestClient[Any], migrated: Settings
) -> None:
    owner = await sign_up(client)
    planted = "attacker-chosen-id"
    async with connected_client(migrated) as victim:
        victim.cookies.set("cmeledger_session", planted, domain="testserver.local")
        signed_in = await victim.post(
            "/api/v1/session", json={"email": owner["email"], "password": PASSWORD}
        )
        assert signed_in.status_code == 200
        assert victim.cookies.get("cmeledger_session") != planted
        assert (await victim.get("/api/v1/me")).status_code == 200
    async with connected_client(migrated) as attacker:
        attacker.cookies.set("cmeledger_session", planted, domain="testserver.local")
        assert (await attacker.get("/api/v1/me")).status_code == 401
