"""Migration 0025 on a database of the release before: each provider directory entry stored as
JSON lands in the new plain columns, for every tenant, and the previous release's column stays.
Its contract (0030, 0031) on a database holding those JSON columns: dropped, the plain columns
untouched, and given back as they were on the way down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID, uuid4

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
getattr(command, sys.argv[3])(config, sys.argv[4])
"""


def migrate(settings: Settings, url: str, revision: str, *, way: str = "upgrade") -> None:
    """Run alembic's ``way`` (upgrade or downgrade) to ``revision``."""
    done = run_python(settings, "-c", _UPGRADE, url, settings.app_role, way, revision)
    assert done.returncode == 0, done.stderr


def upgrade(settings: Settings, url: str, revision: str) -> None:
    migrate(settings, url, revision)


@asynccontextmanager
async def database_at(settings: Settings, revision: str) -> AsyncIterator[str]:
    """A database of its own, migrated up to ``revision`` (dropped afterwards); its owner URL."""
    name = f"{TEST_DATABASE}_at_{revision}"
    admin = await asyncpg.connect(
        asyncpg_dsn(with_database(settings.owner_database_url, "postgres"))
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = with_database(settings.owner_database_url, name)
        upgrade(settings, url, revision)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def database_at_0024(settings: Settings) -> AsyncIterator[str]:
    async with database_at(settings, "0024") as url:
        yield url


@pytest.fixture
async def database_at_0028(settings: Settings) -> AsyncIterator[str]:
    async with database_at(settings, "0028") as url:
        yield url


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
        upgrade(settings, database_at_0024, "0025")
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


_LISTED = {
    "provider_id": "tenant-hia",
    "name": "Harbourside Imaging Academy",
    "aliases": ["HIA"],
    "credit_types": ["sdms"],
    "reference": "https://harbourside.example",
    "origin": "tenant",
    "kind": "listed",
    "reason": "",
}
_BLOCKED = {
    **_LISTED,
    "provider_id": "blocked-cme-mill",
    "name": "CME Mill",
    "aliases": [],
    "kind": "blocked",
    "reason": "sells certificates",
}


def _waiver(tenant: UUID) -> dict[str, str]:
    return {
        "waiver_id": str(uuid4()),
        "person_id": str(uuid4()),
        "body": "ARRT",
        "kind": "cqr",
        "granted_on": "2026-03-01",
        "reference": f"passed, {tenant}",
    }


async def _write_as_0028(owner: asyncpg.Connection, tenant: UUID) -> dict[str, list[Any]]:
    """Rows as the release of 0025-0028 writes them (the JSON beside the columns); those rows."""
    waiver = _waiver(tenant)
    async with owner.transaction():
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
        for entry in (_LISTED, _BLOCKED):
            await owner.execute(
                "INSERT INTO provider_directory (tenant_id, provider_id, name, aliases,"
                " credit_types, reference, origin, kind, reason, entry)"
                " SELECT $1, r.provider_id, r.name, r.aliases, r.credit_types, r.reference,"
                " r.origin, r.kind, r.reason, to_jsonb(r) FROM jsonb_to_record($2::jsonb) AS"
                " r(provider_id text, name text, aliases text[], credit_types text[],"
                " reference text, origin text, kind text, reason text)",
                tenant,
                msgspec.json.encode(entry).decode(),
            )
        await owner.execute(
            "INSERT INTO waivers (tenant_id, waiver_id, person_id, body, kind, granted_on,"
            " reference, state) SELECT $1, r.waiver_id, r.person_id, r.body, r.kind,"
            " r.granted_on, r.reference, to_jsonb(r) FROM jsonb_to_record($2::jsonb) AS"
            " r(waiver_id uuid, person_id uuid, body text, kind text, granted_on date,"
            " reference text)",
            tenant,
            msgspec.json.encode(waiver).decode(),
        )
    return {"providers": [_BLOCKED, _LISTED], "waivers": [waiver]}  # by provider_id


_PLAIN = {
    "providers": "SELECT provider_id, name, aliases, credit_types, reference, origin, kind,"
    " reason FROM provider_directory ORDER BY provider_id",
    "waivers": "SELECT waiver_id, person_id, body, kind, granted_on, reference FROM waivers",
}
_JSON = {
    "providers": "SELECT entry::text FROM provider_directory ORDER BY provider_id",
    "waivers": "SELECT state::text FROM waivers",
}


async def _read(owner: asyncpg.Connection, tenant: UUID, queries: dict[str, str]) -> Any:
    async with owner.transaction():
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
        return {
            table: [
                msgspec.json.decode(row[0]) if len(row) == 1 else tuple(row)
                for row in await owner.fetch(sql)
            ]
            for table, sql in queries.items()
        }


async def _columns(owner: asyncpg.Connection) -> dict[str, str]:
    """``waivers.state`` and ``provider_directory.entry``, each with its nullability."""
    rows = await owner.fetch(
        "SELECT table_name || '.' || column_name AS name, is_nullable FROM"
        " information_schema.columns WHERE (table_name, column_name) IN"
        " (('waivers', 'state'), ('provider_directory', 'entry'))"
    )
    return {row["name"]: row["is_nullable"] for row in rows}


async def test_the_contract_drops_the_json_columns_and_its_downgrade_gives_them_back(
    settings: Settings, database_at_0028: str
) -> None:
    tenants = [uuid4(), uuid4()]
    owner = await asyncpg.connect(asyncpg_dsn(database_at_0028))
    try:
        written = {tenant: await _write_as_0028(owner, tenant) for tenant in tenants}
        plain = {tenant: await _read(owner, tenant, _PLAIN) for tenant in tenants}
        assert {t: await _read(owner, t, _JSON) for t in tenants} == written

        upgrade(settings, database_at_0028, "0030")
        assert await _columns(owner) == {"waivers.state": "YES", "provider_directory.entry": "YES"}
        upgrade(settings, database_at_0028, "heads")
        assert await _columns(owner) == {}
        assert {t: await _read(owner, t, _PLAIN) for t in tenants} == plain

        migrate(settings, database_at_0028, "0030", way="downgrade")
        assert await _columns(owner) == {"waivers.state": "YES", "provider_directory.entry": "YES"}
        migrate(settings, database_at_0028, "0028", way="downgrade")
        assert await _columns(owner) == {"waivers.state": "NO", "provider_directory.entry": "NO"}
        assert {t: await _read(owner, t, _JSON) for t in tenants} == written
        assert {t: await _read(owner, t, _PLAIN) for t in tenants} == plain
    finally:
        await owner.close()


async def test_0028_downgrade_refuses_while_a_provider_is_blocked(
    settings: Settings, database_at_0028: str
) -> None:
    tenant = uuid4()
    owner = await asyncpg.connect(asyncpg_dsn(database_at_0028))
    try:
        await _write_as_0028(owner, tenant)
        refused = run_python(
            settings, "-c", _UPGRADE, database_at_0028, settings.app_role, "downgrade", "0027"
        )
        assert refused.returncode != 0
        assert "blocked providers exist" in refused.stderr
        async with owner.transaction():
            await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
            await owner.execute("DELETE FROM provider_directory WHERE kind = 'blocked'")
        migrate(settings, database_at_0028, "0027", way="downgrade")
        assert (await _read(owner, tenant, _JSON))["providers"] == [_LISTED]
    finally:
        await owner.close()


async def _keep_reading(
    owner: asyncpg.Connection, tenant: UUID, sha256: str, reader_version: str | None
) -> None:
    """A reading kept as the release of ``reader_version`` does (None: the release before 0029,
    which names no version)."""
    named = "" if reader_version is None else ", reader_version"
    values: list[Any] = [tenant, sha256] + ([] if reader_version is None else [reader_version])
    async with owner.transaction():
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
        await owner.execute(
            f"INSERT INTO certificate_readings (tenant_id, sha256, reading, read_at{named})"
            f" VALUES ($1, $2, '{{}}', now(){', $3' if named else ''})",
            *values,
        )


async def _kept_readings(owner: asyncpg.Connection, tenant: UUID) -> list[tuple[str, str]]:
    async with owner.transaction():
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
        rows = await owner.fetch("SELECT * FROM certificate_readings ORDER BY sha256")
    return [(row["sha256"], row.get("reader_version")) for row in rows]


@pytest.fixture
async def owner_at_0029(
    settings: Settings, database_at_0028: str
) -> AsyncIterator[asyncpg.Connection]:
    """The owner's connection to a database migrated from 0028 up to 0029."""
    upgrade(settings, database_at_0028, "0029")
    owner = await asyncpg.connect(asyncpg_dsn(database_at_0028))
    yield owner
    await owner.close()


async def test_0029_keeps_the_readings_the_release_before_still_writes(
    owner_at_0029: asyncpg.Connection,
) -> None:
    """During a rolling deploy the release before keeps readings naming no reader version."""
    tenant = uuid4()
    await _keep_reading(owner_at_0029, tenant, "a" * 64, None)
    assert await _kept_readings(owner_at_0029, tenant) == [("a" * 64, "")]


async def test_0029_downgrade_keeps_one_reading_per_file_for_every_tenant(
    settings: Settings, database_at_0028: str, owner_at_0029: asyncpg.Connection
) -> None:
    tenants = [uuid4(), uuid4()]
    for tenant in tenants:
        await _keep_reading(owner_at_0029, tenant, "b" * 64, "")
        await _keep_reading(owner_at_0029, tenant, "b" * 64, "reader-2")
        await _keep_reading(owner_at_0029, tenant, "c" * 64, "reader-2")
    migrate(settings, database_at_0028, "0028", way="downgrade")
    for tenant in tenants:
        assert await _kept_readings(owner_at_0029, tenant) == [("b" * 64, None)]
