"""Fixtures for tests over HTTP: an app client that holds its CSRF token, and sign-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient

from services.api.app import create_app
from services.core.settings import Settings

PASSWORD = "correct horse battery"


@asynccontextmanager
async def connected_client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client of a fresh app that has fetched its CSRF cookie and sends it back as header."""
    async with AsyncTestClient(create_app(settings)) as test_client:
        await test_client.get("/health")
        test_client.headers["x-csrftoken"] = test_client.cookies["csrftoken"]
        yield test_client


@pytest.fixture
async def client(migrated: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with connected_client(migrated) as test_client:
        yield test_client


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid4().hex[:10]}"


async def sign_up(client: AsyncTestClient[Any], **overrides: str) -> dict[str, Any]:
    """Open an organisation through the API; return the request body merged with the answer."""
    body = {
        "organisation_name": "Riverside Imaging",
        "slug": unique("riverside"),
        "email": f"{unique('owner')}@example.org",
        "password": PASSWORD,
        **overrides,
    }
    response = await client.post("/api/v1/organisations", json=body)
    assert response.status_code == 201, response.text
    return {**body, **response.json()}


def invitation(role: str = "employee", email: str = "") -> dict[str, Any]:
    """An invitation request body; auditors get a 30-day access window."""
    body: dict[str, Any] = {"email": email or f"{unique(role)}@example.org", "role": role}
    if role == "auditor":
        body["access_until"] = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    return body
