"""Invitations over HTTP: who may invite whom, accepting a link once, revoking, other tenants."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from services.core.db import Database
from services.core.settings import Settings
from tests.e2e.conftest import PASSWORD, connected_client, invitation, sign_up, unique

pytestmark = pytest.mark.e2e


async def invite(client: AsyncTestClient[Any], role: str = "employee", email: str = "") -> Any:
    return await client.post("/api/v1/invitations", json=invitation(role, email))


async def accept(settings: Settings, token: str, password: str = PASSWORD) -> Any:
    async with connected_client(settings) as invitee:
        response = await invitee.post(
            "/api/v1/invitations/accept", json={"token": token, "password": password}
        )
        me = await invitee.get("/api/v1/me") if response.status_code == 200 else None
    return response, me


async def test_an_invited_person_accepts_once_and_is_signed_in(
    client: AsyncTestClient[Any], migrated: Settings, database: Database
) -> None:
    owner = await sign_up(client)
    sent = await invite(client)
    assert sent.status_code == 201, sent.text
    invitation = sent.json()

    common, _ = await accept(migrated, invitation["accept_token"], password="1qaz2wsx3edc")
    assert (common.status_code, common.json()["type"]) == (
        422,
        "urn:cmeledger:problem:weak_password",
    ), "a common password is refused and the link still works"
    assert "10,000 most common passwords" in common.json()["detail"]

    accepted, me = await accept(migrated, invitation["accept_token"])
    assert accepted.status_code == 200, accepted.text
    assert me is not None
    assert me.status_code == 200
    assert (me.json()["role"], me.json()["organisation_id"]) == (
        "employee",
        owner["organisation_id"],
    )
    assert me.json()["email"] == invitation["email"]

    again, _ = await accept(migrated, invitation["accept_token"])
    assert again.status_code == 410
    listed = (await client.get("/api/v1/invitations")).json()
    assert [(i["email"], i["status"]) for i in listed] == [(invitation["email"], "accepted")]

    async with database.transaction(UUID(owner["organisation_id"])) as tx:
        stored = await tx.pg.fetchval(
            "SELECT count(*) FROM events WHERE data::text LIKE $1",
            f"%{invitation['accept_token']}%",
        )
    assert stored == 0, "the link's secret must never be stored"


async def test_unknown_and_revoked_links_do_not_work(
    client: AsyncTestClient[Any], migrated: Settings
) -> None:
    await sign_up(client)
    unknown, _ = await accept(migrated, "x" * 43)
    assert unknown.status_code == 404
    invitation = (await invite(client)).json()
    revoked = await client.delete(f"/api/v1/invitations/{invitation['invitation_id']}")
    assert revoked.status_code == 204
    response, _ = await accept(migrated, invitation["accept_token"])
    assert response.status_code == 410


@pytest.mark.parametrize(
    ("inviter_role", "invited_role", "status"),
    [
        ("admin", "employee", 201),
        ("admin", "admin", 403),
        ("admin", "auditor", 403),
        ("employee", "employee", 403),
        ("auditor", "employee", 403),
    ],
)
async def test_who_may_invite_whom(
    client: AsyncTestClient[Any],
    migrated: Settings,
    inviter_role: str,
    invited_role: str,
    status: int,
) -> None:
    await sign_up(client)
    invitation = (await invite(client, role=inviter_role)).json()
    async with connected_client(migrated) as member:
        joined = await member.post(
            "/api/v1/invitations/accept",
            json={"token": invitation["accept_token"], "password": PASSWORD},
        )
        assert joined.status_code == 200
        response = await invite(member, role=invited_role)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(
        "application/json" if status == 201 else "application/problem+json"
    )


async def test_an_existing_account_joins_with_its_own_password(
    client: AsyncTestClient[Any], migrated: Settings
) -> None:
    await sign_up(client, organisation_name="Riverside Imaging")
    async with connected_client(migrated) as other:
        elsewhere = await sign_up(other, organisation_name="Zenith Vascular")
    invitation = (await invite(client, email=elsewhere["email"])).json()

    wrong, _ = await accept(migrated, invitation["accept_token"], password="not my password!")
    assert wrong.status_code == 401
    joined, me = await accept(migrated, invitation["accept_token"])
    assert joined.status_code == 200
    assert me is not None
    assert {o["name"] for o in me.json()["organisations"]} == {
        "Riverside Imaging",
        "Zenith Vascular",
    }


async def test_members_and_open_invitations_are_not_invited_twice(
    client: AsyncTestClient[Any],
) -> None:
    owner = await sign_up(client)
    assert (await invite(client, email=owner["email"])).status_code == 409
    email = f"{unique('twice')}@example.org"
    assert (await invite(client, email=email)).status_code == 201
    assert (await invite(client, email=email.upper())).status_code == 409
    assert (await invite(client, email="not an email")).status_code == 422


async def test_another_organisation_cannot_see_or_revoke_an_invitation(
    client: AsyncTestClient[Any], migrated: Settings
) -> None:
    await sign_up(client)
    invitation = (await invite(client)).json()
    async with connected_client(migrated) as intruder:
        await sign_up(intruder, organisation_name="Intruder Imaging")
        listed = await intruder.get("/api/v1/invitations")
        revoke = await intruder.delete(f"/api/v1/invitations/{invitation['invitation_id']}")
    assert listed.json() == []
    assert revoke.status_code == 404
    assert invitation["invitation_id"] not in revoke.text


async def test_an_invitation_can_create_the_staff_record_it_is_for(
    client: AsyncTestClient[Any], migrated: Settings
) -> None:
    await sign_up(client)
    body = {
        **invitation("employee"),
        "staff": {
            "full_name": "Nia Okafor",
            "department": "Vascular",
            "site": "North",
            "employee_number": "E-0042",
        },
    }
    sent = await client.post("/api/v1/invitations", json=body)
    assert sent.status_code == 201, sent.text
    person_id = sent.json()["person_id"]
    staff = (await client.get(f"/api/v1/people/{person_id}")).json()
    assert (staff["department"], staff["site"], staff["employee_number"]) == (
        "Vascular",
        "North",
        "E-0042",
    )

    async with connected_client(migrated) as invitee:
        joined = await invitee.post(
            "/api/v1/invitations/accept",
            json={"token": sent.json()["accept_token"], "password": PASSWORD},
        )
        assert joined.status_code == 200
        own = await invitee.get(f"/api/v1/people/{person_id}")
    assert own.status_code == 200, "the new account acts on the record made for it"
    assert own.json()["full_name"] == "Nia Okafor"

    both = await client.post(
        "/api/v1/invitations", json={**body, "email": "x@example.org", "person_id": person_id}
    )
    assert both.status_code == 400


async def test_an_invitation_cannot_claim_a_linked_invited_deactivated_or_unknown_record(
    client: AsyncTestClient[Any], migrated: Settings, database: Database
) -> None:
    owner = await sign_up(client)

    async def staff_invitation(name: str) -> dict[str, Any]:
        body = {**invitation(), "staff": {"full_name": name}}
        sent = await client.post("/api/v1/invitations", json=body)
        assert sent.status_code == 201, sent.text
        return dict(sent.json())

    linked = await staff_invitation("Nia Okafor")
    joined, _ = await accept(migrated, linked["accept_token"])
    assert joined.status_code == 200
    invited = await staff_invitation("Sam Reyes")
    left = (await client.post("/api/v1/people", json={"full_name": "Lee Park"})).json()
    gone = await client.post(
        f"/api/v1/people/{left['person_id']}/deactivation", json={"reason": "left"}
    )
    assert gone.status_code == 201, gone.text
    async with database.transaction(UUID(owner["organisation_id"])) as tx:
        before = await tx.pg.fetchval("SELECT count(*) FROM invitations")

    cases = [
        (linked["person_id"], "person_already_linked"),
        (invited["person_id"], "person_already_invited"),
        (left["person_id"], "person_deactivated"),
        (str(uuid4()), "unknown_person"),
    ]
    for person_id, problem in cases:
        refused = await client.post(
            "/api/v1/invitations", json={**invitation(), "person_id": person_id}
        )
        assert refused.status_code == 422, (problem, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"] == f"urn:cmeledger:problem:{problem}"
    async with database.transaction(UUID(owner["organisation_id"])) as tx:
        assert await tx.pg.fetchval("SELECT count(*) FROM invitations") == before
        linked_accounts = await tx.pg.fetchval(
            "SELECT count(*) FROM memberships WHERE person_id = $1", UUID(linked["person_id"])
        )
    assert linked_accounts == 1


async def test_the_database_holds_one_account_per_staff_record(
    client: AsyncTestClient[Any], migrated: Settings, database: Database
) -> None:
    owner = await sign_up(client)
    body = {**invitation(), "staff": {"full_name": "Nia Okafor"}}
    sent = (await client.post("/api/v1/invitations", json=body)).json()
    assert (await accept(migrated, sent["accept_token"]))[0].status_code == 200
    with pytest.raises(asyncpg.UniqueViolationError):
        async with database.transaction(UUID(owner["organisation_id"])) as tx:
            await tx.pg.execute(
                "INSERT INTO memberships (tenant_id, user_id, email, role, organisation_name,"
                " person_id) VALUES ($1, $2, 'x@example.org', 'employee', 'x', $3)",
                UUID(owner["organisation_id"]),
                uuid4(),
                UUID(sent["person_id"]),
            )


async def test_an_invitation_for_a_record_deactivated_since_cannot_be_accepted(
    client: AsyncTestClient[Any], migrated: Settings
) -> None:
    await sign_up(client)
    body = {**invitation(), "staff": {"full_name": "Nia Okafor"}}
    sent = (await client.post("/api/v1/invitations", json=body)).json()
    gone = await client.post(
        f"/api/v1/people/{sent['person_id']}/deactivation", json={"reason": "did not start"}
    )
    assert gone.status_code == 201, gone.text
    refused, _ = await accept(migrated, sent["accept_token"])
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"] == "urn:cmeledger:problem:person_deactivated"
    members = (await client.get("/api/v1/members")).json()
    assert [m["role"] for m in members] == ["owner"]
