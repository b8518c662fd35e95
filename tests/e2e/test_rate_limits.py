"""Rate limits over HTTP: per signed-in user, and a larger one per organisation, answered with a
429 problem and Retry-After; health probes are never limited; other organisations unaffected;
a limit holds across API processes (it is counted in the database)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from services.core.settings import Settings
from tests.e2e.conftest import PASSWORD, connected_client, invitation, sign_up, unique
from tests.live_server import free_port, serving_process

pytestmark = pytest.mark.e2e

PER_USER, PER_TENANT = 4, 6


@asynccontextmanager
async def clients(settings: Settings, count: int) -> AsyncIterator[list[AsyncTestClient[Any]]]:
    """Clients of separate app instances, as of replicas of the API: nothing is shared between
    them but the database."""
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(connected_client(settings)) for _ in range(count)]


def assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 429
    assert 1 <= int(response.headers["retry-after"]) <= 60


async def test_each_user_and_each_organisation_has_its_budget(
    migrated: Settings, fresh_rate_limits: None
) -> None:
    settings = msgspec.structs.replace(
        migrated,
        rate_limit_per_user_per_minute=PER_USER,
        rate_limit_per_tenant_per_minute=PER_TENANT,
    )
    async with clients(settings, 3) as (owner, member, stranger):
        await sign_up(owner)
        sent = await owner.post("/api/v1/invitations", json=invitation("employee"))
        assert sent.status_code == 201, sent.text  # owner 1, organisation 1
        joined = await member.post(
            "/api/v1/invitations/accept",
            json={"token": sent.json()["accept_token"], "password": PASSWORD},
        )
        assert joined.status_code == 200, joined.text

        first = await member.get("/api/v1/me")  # member 1, organisation 2
        assert first.status_code == 200
        assert (first.headers["ratelimit-limit"], first.headers["ratelimit-remaining"]) == (
            str(PER_USER),
            str(PER_USER - 1),
        )  # the window with the fewest requests left
        for _ in range(PER_USER - 1):  # member 2..4, organisation 3..5
            assert (await member.get("/api/v1/me")).status_code == 200
        assert_limited(await member.get("/api/v1/me"))  # the member's own budget is spent
        for _ in range(20):
            assert (await member.get("/health")).status_code == 200

        assert (await owner.get("/api/v1/me")).status_code == 200  # owner 2, organisation 6
        assert_limited(await owner.get("/api/v1/me"))  # owner 3 of 4, but the organisation's
        await sign_up(stranger)
        assert (await stranger.get("/api/v1/me")).status_code == 200


def test_limits_must_allow_a_request() -> None:
    from services.core.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="CMELEDGER_RATE_LIMIT_PER_TENANT_PER_MINUTE"):
        load_settings({"CMELEDGER_RATE_LIMIT_PER_TENANT_PER_MINUTE": "0"})


async def test_a_limit_holds_across_two_api_processes(
    migrated: Settings, fresh_rate_limits: None
) -> None:
    settings = msgspec.structs.replace(migrated, rate_limit_per_user_per_minute=PER_USER)
    with (
        serving_process(settings, free_port()) as (first, _),
        serving_process(settings, free_port()) as (second, _),
    ):
        async with httpx.AsyncClient(timeout=10) as http:
            await http.get(f"{first}/health")
            csrf = {"x-csrftoken": http.cookies["csrftoken"]}
            body = {
                "organisation_name": "Two Hosts Imaging",
                "slug": unique("two-hosts"),
                "email": f"{unique('owner')}@example.org",
                "password": PASSWORD,
            }
            opened = await http.post(f"{first}/api/v1/organisations", json=body, headers=csrf)
            assert opened.status_code == 201, opened.text  # signed in; the session is shared
            answers = [
                (await http.get(f"{base}/api/v1/me")).status_code
                for base in [first, second] * PER_USER
            ]
    assert answers[:PER_USER] == [200] * PER_USER  # the budget, spent on both processes
    assert answers[PER_USER:] == [429] * PER_USER  # then refused by either


async def test_requests_with_a_refused_token_count_against_the_callers_address(
    migrated: Settings, fresh_rate_limits: None
) -> None:
    settings = msgspec.structs.replace(migrated, rate_limit_per_user_per_minute=PER_USER)
    async with clients(settings, 1) as (guesser,):
        wrong = {"authorization": "Bearer cmel_not-a-token"}
        answers = [
            (await guesser.get("/api/v1/me", headers=wrong)).status_code for _ in range(PER_USER)
        ]
        assert answers == [401] * PER_USER
        assert_limited(await guesser.get("/api/v1/me", headers=wrong))
        assert_limited(await guesser.get("/api/v1/me", headers={"authorization": "Basic x"}))
        assert_limited(await guesser.get("/api/v1/me"))  # no sign-in, the same address


async def test_once_refused_credentials_spend_the_budget_a_valid_token_is_refused_too(
    migrated: Settings, fresh_rate_limits: None, owner_connection: asyncpg.Connection
) -> None:
    """Until the window passes, the address gets the 429 whatever it sends (the answer does not
    tell a right token from a wrong one), and the refused requests are no longer written."""
    settings = msgspec.structs.replace(migrated, rate_limit_per_user_per_minute=PER_USER)
    async with clients(settings, 2) as (owner, guesser):
        await sign_up(owner)
        minted = await owner.post("/api/v1/tokens", json={"name": "ci", "scopes": ["read"]})
        assert minted.status_code == 201, minted.text
        right = {"authorization": f"Bearer {minted.json()['secret']}"}
        wrong = {"authorization": "Bearer cmel_not-a-token"}
        for _ in range(PER_USER):
            assert (await guesser.get("/api/v1/me", headers=wrong)).status_code == 401
        windows = "SELECT key, hits, expires_at FROM rate_limit_windows ORDER BY key"
        before = await owner_connection.fetch(windows)

        assert_limited(await guesser.get("/api/v1/me", headers=right))
        assert_limited(await guesser.get("/api/v1/me", headers=wrong))
        assert await owner_connection.fetch(windows) == before  # nothing written once spent

        await owner_connection.execute(  # the window passes
            "UPDATE rate_limit_windows SET hits = ARRAY(SELECT h - interval '61 seconds'"
            " FROM unnest(hits) AS h), expires_at = expires_at - interval '61 seconds'"
        )
        assert (await guesser.get("/api/v1/me", headers=right)).status_code == 200
        assert (await guesser.get("/api/v1/me", headers=wrong)).status_code == 401
