"""Backups that restore: a populated database (the demo organisation, with certificate files)
is backed up with ``cmeledger backup``, restored with ``cmeledger restore`` into a new database
and a new file store, and the restored copy passes ``verify-chain`` and answers a person's
obligations exactly as the original does. A damaged backup is refused before anything changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from uuid import UUID

import asyncpg
import msgspec
import pytest

from services.core.db import Database, asyncpg_dsn
from services.core.demo_seed import DEMO_SLUG
from services.core.operations.backup import MANIFEST, Manifest
from services.core.people import queries
from services.core.settings import Settings, load_settings
from tests.conftest import TEST_DATABASE, run_cli, with_database

pytestmark = pytest.mark.integration
SOURCE, RESTORED = f"{TEST_DATABASE}_backup_source", f"{TEST_DATABASE}_backup_restored"


def settings_for(base: Settings, database: str, blob_dir: Path) -> Settings:
    backup_url = load_settings({}).backup_database_url
    return msgspec.structs.replace(
        base,
        database_url=with_database(base.database_url, database),
        owner_database_url=with_database(base.owner_database_url, database),
        backup_database_url=with_database(backup_url, database),
        blob_dir=str(blob_dir),
    )


@pytest.fixture
async def databases(migrated: Settings) -> AsyncIterator[None]:
    """Two new databases owned by the owner role: the original and the restore's target."""
    admin = await asyncpg.connect(
        asyncpg_dsn(with_database(migrated.owner_database_url, "postgres"))
    )
    try:
        for name in (SOURCE, RESTORED):
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
        yield
        for name in (SOURCE, RESTORED):
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def person_with_certificate(settings: Settings) -> tuple[UUID, UUID]:
    """The demo tenant and one of its people who uploaded a certificate file."""
    connection = await asyncpg.connect(asyncpg_dsn(settings.backup_database_url))
    try:
        row = await connection.fetchrow(
            "SELECT c.tenant_id, c.person_id FROM certificates c JOIN tenants t USING (tenant_id)"
            " WHERE t.slug = $1 ORDER BY c.person_id LIMIT 1",
            DEMO_SLUG,
        )
    finally:
        await connection.close()
    assert row is not None
    return row["tenant_id"], row["person_id"]


async def obligations(settings: Settings, tenant: UUID, person: UUID) -> list[queries.Obligation]:
    database = Database(settings)
    try:
        async with database.transaction(tenant) as tx:
            return await queries.my_obligations(tx, person, today=date(2026, 12, 1))
    finally:
        await database.dispose()


async def test_a_backup_restores_into_a_new_database_that_verifies_and_answers(
    migrated: Settings, databases: None, tmp_path: Path
) -> None:
    source = settings_for(migrated, SOURCE, tmp_path / "source-blobs")
    restored = settings_for(migrated, RESTORED, tmp_path / "restored-blobs")
    for step in (("migrate",), ("seed-demo",)):
        assert (done := run_cli(source, *step)).returncode == 0, done.stderr
    backup_dir = tmp_path / "backup"

    done = run_cli(source, "backup", "--to", str(backup_dir))
    assert done.returncode == 0, done.stderr
    manifest = msgspec.json.decode((backup_dir / MANIFEST).read_bytes(), type=Manifest)
    stored = sorted(p for p in (tmp_path / "source-blobs").rglob("*") if p.is_file())
    assert manifest.blobs
    assert len(manifest.blobs) == len(stored)

    done = run_cli(restored, "restore", "--from", str(backup_dir), "--database", RESTORED)
    assert done.returncode == 0, done.stderr
    original, verified = run_cli(source, "verify-chain"), run_cli(restored, "verify-chain")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    reports = [msgspec.json.decode(line) for line in verified.stdout.splitlines()]
    assert reports
    assert all(report["first_break"] is None and report["checked"] > 0 for report in reports)
    assert verified.stdout == original.stdout  # the same heads, hashes and counts

    tenant, person = await person_with_certificate(restored)
    expected = await obligations(source, tenant, person)
    assert expected
    assert await obligations(restored, tenant, person) == expected
    copied = sorted(p for p in (tmp_path / "restored-blobs").rglob("*") if p.is_file())
    assert [p.read_bytes() for p in copied] == [p.read_bytes() for p in stored]

    # The restored copy is a working database: the app role reads it, and it refuses a second
    # restore on top of itself.
    again = run_cli(restored, "restore", "--from", str(backup_dir), "--database", RESTORED)
    assert again.returncode == 1
    assert "already has tables" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_changes(
    migrated: Settings, tmp_path: Path
) -> None:
    backup_dir = tmp_path / "backup"
    (backup_dir / "blobs").mkdir(parents=True)
    dump = backup_dir / "database.dump"
    dump.write_bytes(b"PGDMP not really")
    manifest = {
        "format": "cmeledger-backup",
        "version": 1,
        "created_at": "2026-12-01T00:00:00Z",
        "migration": "0014",
        "database": {"path": "database.dump", "sha256": "0" * 64, "bytes": dump.stat().st_size},
        "blobs": [],
    }
    (backup_dir / MANIFEST).write_bytes(msgspec.json.encode(manifest))
    target = settings_for(migrated, "no_such_database", tmp_path / "blobs")
    done = run_cli(target, "restore", "--from", str(backup_dir), "--database", "no_such_database")
    assert done.returncode == 1
    assert "database.dump: does not match the manifest (damaged)" in done.stderr
