"""Idempotent writes over HTTP: a request sent again with its ``Idempotency-Key`` (in a row, at
the same moment, or after its stored answer was lost) records once and answers as the first did;
keys belong to their caller and expire after 24 hours; a portal form sent twice records once."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from services.api.auth import SESSION_COOKIE
from services.core.settings import Settings
from tests.e2e.conftest import PASSWORD, Org, connected_client, invitation, sign_up
from tests.e2e.test_people import CREDIT, own_record
from tests.e2e.test_portal_http import FORM_CREDIT, credits_of
from tests.e2e.test_portal_http import own_record as own_record_in_portal

pytestmark = pytest.mark.e2e


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": f'"{key}"'}


async def record(client: AsyncTestClient[Any], person_id: str, key: str, **change: Any) -> Any:
    return await client.post(
        f"/api/v1/people/{person_id}/credits", json={**CREDIT, **change}, headers=keyed(key)
    )


async def as_tenant(owner_connection: asyncpg.Connection, tenant_id: str, sql: str) -> None:
    """Run ``sql`` as the owner inside the tenant (row-level security is forced on owners)."""
    async with owner_connection.transaction():
        await owner_connection.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
        await owner_connection.execute(sql)


async def test_a_credit_sent_three_times_in_a_row_with_one_key_records_once(org: Org) -> None:
    person_id = await own_record(org.owner)
    key = str(uuid4())

    answers = [await record(org.owner, person_id, key) for _ in range(3)]

    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[1].content == answers[2].content == answers[0].content
    assert "idempotent-replayed" not in answers[0].headers
    assert answers[1].headers["idempotent-replayed"] == "true"
    assert answers[2].headers["content-type"] == answers[0].headers["content-type"]
    assert len(await credits_of(org.owner, person_id)) == 1


async def test_a_credit_sent_three_times_at_once_with_one_key_records_once(org: Org) -> None:
    person_id = await own_record(org.owner)
    key = str(uuid4())

    answers = await asyncio.gather(*(record(org.owner, person_id, key) for _ in range(3)))

    assert [a.status_code for a in answers] == [201, 201, 201], [a.text for a in answers]
    assert len({a.content for a in answers}) == 1
    assert len(await credits_of(org.owner, person_id)) == 1


async def test_the_same_key_with_another_body_is_a_problem_and_records_nothing_more(
    org: Org,
) -> None:
    person_id = await own_record(org.owner)
    key = str(uuid4())
    assert (await record(org.owner, person_id, key)).status_code == 201

    reused = await record(org.owner, person_id, key, credits="2")

    assert reused.status_code == 422, reused.text
    assert reused.headers["content-type"].startswith("application/problem+json")
    assert reused.json()["type"] == "urn:cmeledger:problem:idempotency_key_reused"
    assert len(await credits_of(org.owner, person_id)) == 1


@pytest.mark.parametrize("key", ["", "é", "a b", "x" * 256, '"unterminated'])
async def test_a_malformed_key_is_a_problem_and_records_nothing(org: Org, key: str) -> None:
    person_id = await own_record(org.owner)
    refused = await org.owner.post(
        f"/api/v1/people/{person_id}/credits",
        json=CREDIT,
        headers={"Idempotency-Key": key.encode()},
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["type"] == "urn:cmeledger:problem:malformed_idempotency_key"
    assert await credits_of(org.owner, person_id) == []


async def test_a_key_of_one_member_is_not_replayed_to_another(org: Org) -> None:
    person_id = await own_record(org.owner)
    admin, _ = await org.member("admin")
    key = str(uuid4())

    mine = await record(org.owner, person_id, key)
    theirs = await record(admin, person_id, key)

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["credit"]["credit_id"] != theirs.json()["credit"]["credit_id"]
    assert len(await credits_of(org.owner, person_id)) == 2


async def test_an_expired_key_is_a_new_request(
    org: Org, owner_connection: asyncpg.Connection
) -> None:
    person_id = await own_record(org.owner)
    key = str(uuid4())
    assert (await record(org.owner, person_id, key)).status_code == 201
    await as_tenant(
        owner_connection,
        org.owner_info["organisation_id"],
        "UPDATE idempotency_keys SET created_at = created_at - interval '24 hours 1 second'",
    )

    again = await record(org.owner, person_id, key)

    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert len(await credits_of(org.owner, person_id)) == 2


async def test_a_retry_whose_answer_was_never_kept_still_records_once(
    org: Org, owner_connection: asyncpg.Connection
) -> None:
    """The process died after committing and before keeping the answer: the key stays in
    flight until its lease ends; the retry then runs again, with the same command ids, and the
    event store returns what the first attempt committed."""
    person_id = await own_record(org.owner)
    key = str(uuid4())
    first = await record(org.owner, person_id, key)
    await as_tenant(
        owner_connection,
        org.owner_info["organisation_id"],
        "UPDATE idempotency_keys SET status = NULL, headers = NULL, body = NULL,"
        " claimed_at = claimed_at - interval '91 seconds'",
    )

    again = await record(org.owner, person_id, key)

    assert again.status_code == 201, again.text
    assert again.json()["credit"] == first.json()["credit"]
    assert len(await credits_of(org.owner, person_id)) == 1


async def test_the_portal_credit_form_sent_twice_records_once(org: Org) -> None:
    person_id = await own_record_in_portal(org.owner, org.owner_info)
    form = await org.owner.get("/credits/new")
    match = re.search(r'name="_idempotency_key" value="([^"]+)"', form.text)
    assert match, "the form carries a one-time key"
    sent = {**FORM_CREDIT, "_idempotency_key": match.group(1)}

    first = await org.owner.post("/credits/new", data=sent, follow_redirects=False)
    second = await org.owner.post("/credits/new", data=sent, follow_redirects=False)

    assert (first.status_code, second.status_code) == (303, 303), second.text
    assert first.headers["location"] == second.headers["location"]
    [credit] = await credits_of(org.owner, person_id)
    assert UUID(credit["credit_id"]).hex in first.headers["location"].replace("-", "")
    another = await org.owner.get("/credits/new")
    assert match.group(1) not in another.text, "each form gets a key of its own"


async def test_a_replayed_sign_in_answers_as_the_first_but_starts_no_session(
    migrated: Settings,
) -> None:
    """Public endpoints keep keys per browser (its CSRF cookie). A replay repeats the answer,
    never the session cookie: a client that lost the first answer signs in again anew."""
    async with connected_client(migrated) as first, connected_client(migrated) as lost:
        me = await sign_up(first)
        await first.delete("/api/v1/session")
        sign_in = {"email": me["email"], "password": PASSWORD}
        key = keyed(str(uuid4()))
        signed_in = await first.post("/api/v1/session", json=sign_in, headers=key)
        assert signed_in.status_code == 200, signed_in.text
        assert SESSION_COOKIE in signed_in.headers.get("set-cookie", "")

        lost.cookies.clear()
        lost.cookies["csrftoken"] = first.cookies["csrftoken"]
        lost.headers["x-csrftoken"] = first.cookies["csrftoken"]
        replayed = await lost.post("/api/v1/session", json=sign_in, headers=key)

        assert replayed.headers["idempotent-replayed"] == "true"
        assert (replayed.status_code, replayed.content) == (200, signed_in.content)
        assert SESSION_COOKIE not in replayed.headers.get("set-cookie", "")
        assert (await lost.get("/api/v1/me")).status_code == 401

        async with connected_client(migrated) as stranger:
            theirs = await stranger.post("/api/v1/session", json=sign_in, headers=key)
            assert "idempotent-replayed" not in theirs.headers, "another browser, another key"


async def test_every_unsafe_operation_documents_the_idempotency_key(
    client: AsyncTestClient[Any],
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    unsafe = [
        (method, path, operation)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
        if method in {"post", "put", "patch", "delete"}
    ]
    assert len(unsafe) > 20
    for method, path, operation in unsafe:
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
        assert [p["name"] for p in headers] == ["Idempotency-Key"], (method, path)
        assert headers[0]["required"] is False


async def test_an_invitation_retried_after_its_answer_was_lost_is_refused_not_sent_dead(
    org: Org, owner_connection: asyncpg.Connection
) -> None:
    """The link's secret is not kept, so a retry that reaches the handler cannot give it
    again: it is refused (409) rather than answered with a link that does not work."""
    key = keyed(str(uuid4()))
    sent = await org.owner.post("/api/v1/invitations", json=invitation(), headers=key)
    assert sent.status_code == 201, sent.text
    body = sent.request.content
    await as_tenant(
        owner_connection,
        org.owner_info["organisation_id"],
        "UPDATE idempotency_keys SET status = NULL, headers = NULL, body = NULL,"
        " claimed_at = claimed_at - interval '91 seconds'",
    )

    again = await org.owner.post(
        "/api/v1/invitations", content=body, headers={**key, "content-type": "application/json"}
    )

    assert again.status_code == 409, again.text
    assert again.json()["type"] == "urn:cmeledger:problem:already_invited"
    listed = (await org.owner.get("/api/v1/invitations")).json()
    assert len(listed) == 1
