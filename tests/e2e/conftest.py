"""Fixtures for tests over HTTP: an app client that holds its CSRF token, and sign-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient

from services.api.app import create_app
from services.core.mail import Mailer
from services.core.settings import Settings

PASSWORD = "correct horse battery"


@asynccontextmanager
async def connected_client(
    settings: Settings, mailer: Mailer | None = None
) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client of a fresh app that has fetched its CSRF cookie and sends it back as header."""
    async with AsyncTestClient(create_app(settings, mailer=mailer)) as test_client:
        await test_client.get("/health")
        test_client.headers["x-csrftoken"] = test_client.cookies["csrftoken"]
        yield test_client


@pytest.fixture
async def client(migrated: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with connected_client(migrated) as test_client:
        yield test_client


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid4().hex[:10]}"


def sign_up_body(**overrides: str) -> dict[str, Any]:
    """The body that opens an organisation, with a slug and an owner address of its own."""
    return {
        "organisation_name": "Riverside Imaging",
        "slug": unique("riverside"),
        "email": f"{unique('owner')}@example.org",
        "password": PASSWORD,
        **overrides,
    }


async def sign_up(client: AsyncTestClient[Any], **overrides: str) -> dict[str, Any]:
    """Open an organisation through the API; return the request body merged with the answer."""
    body = sign_up_body(**overrides)
    response = await client.post("/api/v1/organisations", json=body)
    assert response.status_code == 201, response.text
    return {**body, **response.json()}


def invitation(role: str = "employee", email: str = "") -> dict[str, Any]:
    """An invitation request body; auditors get a 30-day access window."""
    body: dict[str, Any] = {"email": email or f"{unique(role)}@example.org", "role": role}
    if role == "auditor":
        body["access_until"] = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    return body


class Org:
    """An organisation with an owner client and member clients by role."""

    def __init__(self, stack: AsyncExitStack, settings: Settings) -> None:
        self.stack, self.settings = stack, settings

    async def open(self) -> AsyncTestClient[Any]:
        self.owner = await self.stack.enter_async_context(connected_client(self.settings))
        self.owner_info = await sign_up(self.owner)
        return self.owner

    async def member(self, role: str) -> tuple[AsyncTestClient[Any], dict[str, Any]]:
        return await join(self.stack, self.settings, self.owner, role)


async def join(
    stack: AsyncExitStack, settings: Settings, owner: AsyncTestClient[Any], role: str
) -> tuple[AsyncTestClient[Any], dict[str, Any]]:
    """Invite a new member with ``role`` and accept as them; return their client and /me."""
    sent = (await owner.post("/api/v1/invitations", json=invitation(role))).json()
    client = await stack.enter_async_context(connected_client(settings))
    joined = await client.post(
        "/api/v1/invitations/accept", json={"token": sent["accept_token"], "password": PASSWORD}
    )
    assert joined.status_code == 200, joined.text
    return client, joined.json()


@pytest.fixture
async def org(migrated: Settings) -> AsyncIterator[Org]:
    async with AsyncExitStack() as stack:
        organisation = Org(stack, migrated)
        await organisation.open()
        yield organisation


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    """Holds extra clients open until the test ends."""
    async with AsyncExitStack() as exit_stack:
        yield exit_stack
