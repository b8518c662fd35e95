"""Operations endpoints over HTTP: liveness, readiness against the real database and broker."""

from __future__ import annotations

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from services.api.app import create_app
from services.core.settings import Settings

pytestmark = pytest.mark.e2e


async def test_health_and_ready_report_ok(migrated: Settings) -> None:
    async with AsyncTestClient(create_app(migrated)) as client:
        health = await client.get("/health")
        ready = await client.get("/ready", headers={"X-Request-ID": "req-123"})
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "broker": "ok"}


async def test_ready_is_503_when_the_broker_is_unreachable(migrated: Settings) -> None:
    unreachable = msgspec.structs.replace(migrated, broker_url="amqp://guest:guest@127.0.0.1:1/")
    async with AsyncTestClient(create_app(unreachable)) as client:
        ready = await client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["broker"] == "unavailable"


async def test_unknown_api_paths_get_problem_details(migrated: Settings) -> None:
    """(Unknown portal paths get an HTML page: tests/e2e/test_portal_http.py.)"""
    async with AsyncTestClient(create_app(migrated)) as client:
        response = await client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404
