"""Migration 0025 on a database of the release before: each provider directory entry stored as
JSON lands in the new plain columns, for every tenant, and the previous release's column stays."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import msgspec
import pytest

from services.core.db import asyncpg_dsn
from services.core.settings import Settings
from tests.conftest import TEST_DATABASE, run_python, with_database

pytestmark = pytest.mark.integration

_UPGRADE = """
import sys
from alembic import command
from alembic.config import Config
from services.main import MIGRATIONS
config = Config()
config.set_main_option("script_location", str(MIGRATIONS))
config.attributes["owner_database_url"] = sys.argv[1]
config.attributes["app_role"] = sys.argv[2]
command.upgrade(config, sys.argv[3])
"""


def upgrade(settings: Settings, url: str, revision: str) -> None:
    done = run_python(settings, "-c", _UPGRADE, url, settings.app_role, revision)
    assert done.returncode == 0, done.stderr


@pytest.fixture
async def database_at_0024(settings: Settings) -> AsyncIterator[str]:
    """A database of its own, migrated up to 0024 (dropped afterwards); its owner URL."""
    name = f"{TEST_DATABASE}_0025"
    admin = await asyncpg.connect(
        asyncpg_dsn(with_database(settings.owner_database_url, "postgres"))
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = with_database(settings.owner_database_url, name)
        upgrade(settings, url, "0024")
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_0025_fills_the_provider_columns_from_the_stored_entries(
    settings: Settings, database_at_0024: str
) -> None:
    tenants = [uuid4(), uuid4()]
    entry = {
        "provider_id": "tenant-hia",
        "name": "Harbourside Imaging Academy",
        "aliases": ["HIA", "Harbourside"],
        "credit_types": ["sdms"],
        "reference": "https://harbourside.example",
        "origin": "tenant",
    }
    owner = await asyncpg.connect(asyncpg_dsn(database_at_0024))
    try:
        for tenant in tenants:
            async with owner.transaction():
                await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
                await owner.execute(
                    "INSERT INTO provider_directory (tenant_id, provider_id, name, entry)"
                    " VALUES ($1, $2, $3, $4::jsonb)",
                    tenant,
                    entry["provider_id"],
                    entry["name"],
                    msgspec.json.encode(entry).decode(),
                )
        upgrade(settings, database_at_0024, "heads")
        for tenant in tenants:
            async with owner.transaction():
                await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
                rows = await owner.fetch(
                    "SELECT name, aliases, credit_types, reference, origin, entry::text"
                    " FROM provider_directory"
                )
            assert [tuple(row)[:5] for row in rows] == [
                (entry["name"], entry["aliases"], ["sdms"], entry["reference"], "tenant")
            ]
            assert msgspec.json.decode(rows[0]["entry"]) == entry
    finally:
        await owner.close()
