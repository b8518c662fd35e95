"""A fresh benchmark database: created, migrated, and described (fsync and friends)."""

from __future__ import annotations

import asyncio
import os
import sys

import asyncpg
import msgspec

from services.core.settings import Settings, load_settings


def settings_for(database: str) -> Settings:
    """The local settings pointed at ``database``."""
    base = load_settings()
    return msgspec.structs.replace(
        base,
        database_url=base.database_url.rsplit("/", 1)[0] + "/" + database,
        owner_database_url=base.owner_database_url.rsplit("/", 1)[0] + "/" + database,
    )


async def fresh_database(settings: Settings) -> dict[str, str]:
    """Drop and create the settings' database, migrate it; the server's durability settings."""
    name = settings.database_url.rsplit("/", 1)[1]
    dsn = settings.owner_database_url.replace("+asyncpg", "").rsplit("/", 1)[0] + "/postgres"
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        config = {
            setting: await admin.fetchval(f"SHOW {setting}")
            for setting in ("fsync", "synchronous_commit", "server_version", "shared_buffers")
        }
    finally:
        await admin.close()
    env = {
        **os.environ,
        "CMELEDGER_DATABASE_URL": settings.database_url,
        "CMELEDGER_OWNER_DATABASE_URL": settings.owner_database_url,
        "CMELEDGER_LOG_LEVEL": "WARNING",
    }
    migration = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.main", "migrate", env=env
    )
    if await migration.wait():
        raise SystemExit("migration failed")
    return config
