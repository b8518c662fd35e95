"""Members over HTTP: listing, role changes by who may make them, auditors' time-boxed,
recorded, read-only access, and leavers (removed members, deactivated staff records) losing
access here at once while keeping their other organisations."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from services.core.db import Database
from services.core.organisation.handlers import MAX_RECORDED_QUERY, ORGANISATION_STREAM
from services.core.registry import build_event_store
from services.core.settings import Settings
from tests.e2e.conftest import PASSWORD, connected_client, invitation, join, sign_up

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


class Leaver:
    """An employee of organisation A, linked to staff record ``person_id``, signed in to A (the
    ``client`` session) with a write token there, and also an employee of organisation B."""

    def __init__(self, client: AsyncTestClient[Any], me: dict[str, Any], person_id: str) -> None:
        self.client, self.me, self.person_id = client, me, person_id
        self.token: dict[str, Any] = {}

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token['secret']}"}

    async def sign_in(self, migrated: Settings, organisation_id: str) -> int:
        async with connected_client(migrated) as fresh:
            signed = await fresh.post(
                "/api/v1/session",
                json={
                    "email": self.me["email"],
                    "password": PASSWORD,
                    "organisation_id": organisation_id,
                },
            )
        return signed.status_code


async def leaver(
    owner: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack
) -> tuple[Leaver, str]:
    """A ``Leaver`` of ``owner``'s organisation; returns it and organisation B's id."""
    body = {**invitation(), "staff": {"full_name": "Nia Okafor"}}
    sent = (await owner.post("/api/v1/invitations", json=body)).json()
    client = await stack.enter_async_context(connected_client(migrated))
    joined = await client.post(
        "/api/v1/invitations/accept", json={"token": sent["accept_token"], "password": PASSWORD}
    )
    assert joined.status_code == 200, joined.text
    found = Leaver(client, joined.json(), sent["person_id"])
    made = await client.post("/api/v1/tokens", json={"name": "sync", "scopes": ["read", "write"]})
    assert made.status_code == 201, made.text
    found.token = made.json()
    assert (await client.get("/api/v1/me", headers=found.bearer())).status_code == 200

    other_owner = await stack.enter_async_context(connected_client(migrated))
    other = await sign_up(other_owner, organisation_name="Zenith Vascular")
    again = await other_owner.post("/api/v1/invitations", json=invitation(email=found.me["email"]))
    async with connected_client(migrated) as elsewhere:
        accepted = await elsewhere.post(
            "/api/v1/invitations/accept",
            json={"token": again.json()["accept_token"], "password": PASSWORD},
        )
    assert accepted.status_code == 200, accepted.text
    return found, str(other["organisation_id"])


async def assert_access_ended(
    gone: Leaver, migrated: Settings, database: Database, here: str, elsewhere: str
) -> None:
    """Sign-in refused here and fine elsewhere; the old session and token dead (and deleted or
    revoked in the database); no token, credit or session can be had here."""
    assert (await gone.client.get("/api/v1/me")).status_code == 401, "old session cookie"
    assert (await gone.client.get("/api/v1/me", headers=gone.bearer())).status_code == 401
    credit = {"title": "x", "credits": "1"}
    record = f"/api/v1/people/{gone.person_id}/credits"
    assert (await gone.client.post(record, json=credit)).status_code == 401
    assert (await gone.client.post(record, json=credit, headers=gone.bearer())).status_code == 401
    minted = await gone.client.post("/api/v1/tokens", json={"name": "new", "scopes": ["write"]})
    assert minted.status_code == 401
    assert await gone.sign_in(migrated, here) == 404
    assert await gone.sign_in(migrated, elsewhere) == 200
    async with database.transaction(UUID(here)) as tx:
        sessions = await tx.pg.fetchval(
            "SELECT count(*) FROM sessions WHERE convert_from(value, 'UTF8')::jsonb"
            " ->> 'user_id' = $1 AND convert_from(value, 'UTF8')::jsonb ->> 'tenant_id' = $2",
            gone.me["user_id"],
            here,
        )
        revoked = await tx.pg.fetchval(
            "SELECT revoked_at IS NOT NULL FROM api_tokens WHERE token_id = $1",
            UUID(gone.token["token"]["token_id"]),
        )
    assert (sessions, revoked) == (0, True)


async def organisation_events(database: Database, tenant: str) -> list[str]:
    async with database.transaction(UUID(tenant)) as tx:
        recorded = await build_event_store().read_stream(tx, ORGANISATION_STREAM)
    return [e.event_type for e in recorded]


async def departure(
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack
) -> tuple[dict[str, Any], str, Leaver, str, AsyncTestClient[Any]]:
    """A new organisation: its owner (signed in on ``client``) and id, a ``Leaver`` with the id
    of their other organisation, and an admin's client."""
    owner = await sign_up(client)
    gone, elsewhere = await leaver(client, migrated, stack)
    admin, _ = await join(stack, migrated, client, "admin")
    return owner, owner["organisation_id"], gone, elsewhere, admin


async def test_a_removed_member_loses_access_here_at_once_and_keeps_their_other_organisation(
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack, database: Database
) -> None:
    owner, here, gone, elsewhere, admin = await departure(client, migrated, stack)
    removal = f"/api/v1/members/{gone.me['user_id']}/removal"

    assert (await client.post(removal, json={"reason": ""})).status_code == 400
    own = f"/api/v1/members/{owner['user_id']}/removal"
    refused = await admin.post(own, json={"reason": "coup"})
    assert (refused.status_code, refused.json()["type"]) == (
        403,
        "urn:cmeledger:problem:role_not_allowed",
    )
    last = await client.post(own, json={"reason": "leaving"})
    assert (last.status_code, last.json()["type"]) == (422, "urn:cmeledger:problem:last_owner")
    assert (await gone.client.get("/api/v1/me")).status_code == 200, "nothing changed yet"

    removed = await admin.post(removal, json={"reason": "left the practice"})
    assert removed.status_code == 204, removed.text
    await assert_access_ended(gone, migrated, database, here, elsewhere)
    again = await client.post(removal, json={"reason": "twice"})
    assert (again.status_code, again.json()["type"]) == (404, "urn:cmeledger:problem:not_a_member")

    members = (await client.get("/api/v1/members")).json()
    assert gone.me["user_id"] not in {m["user_id"] for m in members}
    kept = await client.get(f"/api/v1/people/{gone.person_id}")
    assert kept.status_code == 200, "the staff record and its history stay"
    assert (await organisation_events(database, here))[-1] == "organisations.MemberRemoved"


async def test_deactivating_a_staff_record_ends_its_account_access_and_reactivating_does_not_restore_it(  # noqa: E501
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack, database: Database
) -> None:
    owner, here, gone, elsewhere, admin = await departure(client, migrated, stack)

    owner_record = await client.post(
        "/api/v1/people", json={"full_name": "Olu Owner", "person_id": owner["user_id"]}
    )
    assert owner_record.status_code == 201, owner_record.text
    refused = await admin.post(
        f"/api/v1/people/{owner['user_id']}/deactivation", json={"reason": "coup"}
    )
    assert refused.status_code == 403, "an admin cannot take an owner's access"
    assert (await client.get(f"/api/v1/people/{owner['user_id']}")).json()["active"] is True

    base = f"/api/v1/people/{gone.person_id}"
    deactivated = await admin.post(f"{base}/deactivation", json={"reason": "left the practice"})
    assert deactivated.status_code == 201, deactivated.text
    await assert_access_ended(gone, migrated, database, here, elsewhere)
    assert (await organisation_events(database, here))[-1] == "organisations.MemberRemoved"

    assert (await admin.post(f"{base}/reactivation", json={"reason": "back"})).status_code == 201
    assert await gone.sign_in(migrated, here) == 404, "reactivation does not restore access"
    invited = await client.post(
        "/api/v1/invitations",
        json={**invitation(email=gone.me["email"]), "person_id": gone.person_id},
    )
    assert invited.status_code == 201, invited.text
    async with connected_client(migrated) as back:
        rejoined = await back.post(
            "/api/v1/invitations/accept",
            json={"token": invited.json()["accept_token"], "password": PASSWORD},
        )
        assert rejoined.status_code == 200, rejoined.text
        assert (await back.get(base)).status_code == 200, "the same record, the new link"
    assert (await gone.client.get("/api/v1/me", headers=gone.bearer())).status_code == 401


async def test_the_portal_asks_before_removing_a_member(
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack
) -> None:
    await sign_up(client)
    employee, employee_me = await join(stack, migrated, client, "employee")
    page = f"/settings/members/{employee_me['user_id']}/removal"
    assert page in (await client.get("/settings")).text
    asked = await client.get(page)
    assert asked.status_code == 200
    assert f"Remove {employee_me['email']}?" in asked.text

    no_reason = await client.post(page, data={"reason": " "}, follow_redirects=False)
    assert no_reason.status_code == 422
    assert "Enter the reason" in no_reason.text
    assert (await employee.get("/api/v1/me")).status_code == 200

    removed = await client.post(page, data={"reason": "left"}, follow_redirects=False)
    assert removed.status_code == 303, removed.text
    assert (await employee.get("/api/v1/me")).status_code == 401
    assert (await client.get(page)).status_code == 404


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
            "SELECT data->>'query_string' AS query FROM events"
            " WHERE event_type = 'audits.AuditorRead' ORDER BY seq"
        )
    assert [r["query"] for r in queries] == [long_query], "whole, and the refused one not at all"


async def test_the_portal_changes_only_the_members_own_mail_preferences(
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack
) -> None:
    await sign_up(client)
    employee, _ = await join(stack, migrated, client, "employee")
    shown = await employee.get("/mail-preferences")
    assert shown.status_code == 200
    assert "Weekly digest" in shown.text

    changed = await employee.post(
        "/mail-preferences", data={"wanted": "weekly_digest"}, follow_redirects=False
    )
    assert changed.status_code == 303, changed.text
    own = (await employee.get("/api/v1/me/mail-preferences")).json()
    assert (own["deadline_reminders"], own["weekly_digest"]) == (False, True)
    owners = (await client.get("/api/v1/me/mail-preferences")).json()
    assert owners["deadline_reminders"] is True, "another member's preferences stay"
