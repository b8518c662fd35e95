"""Shared fixtures: a freshly created and migrated PostgreSQL database for the test session.

The database is created by the owner role and migrated with ``cmeledger migrate``; tests connect
as the application role, exactly as the running service does. Tenants are new per test, so
row-level security itself keeps tests apart.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID, uuid4

import asyncpg
import pytest
from hypothesis import settings as hypothesis_settings

from services.core.db import Database, asyncpg_dsn
from services.core.settings import Settings, load_settings

# CI runs the property tests on a fixed seed so a landing never depends on luck; developers'
# runs stay random and keep exploring.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

pytest_plugins = ["tests.metrics_support"]

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE = os.environ.get("CMELEDGER_TEST_DATABASE", "cmeledger_test")


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


@pytest.fixture(scope="session")
def settings() -> Settings:
    base = load_settings()
    env = {
        "CMELEDGER_ENVIRONMENT": "test",
        "CMELEDGER_DATABASE_URL": with_database(base.database_url, TEST_DATABASE),
        "CMELEDGER_OWNER_DATABASE_URL": with_database(base.owner_database_url, TEST_DATABASE),
        "CMELEDGER_DB_POOL_SIZE": "12",
        # Never the application's queue. Code in the test process reads settings.broker_queue;
        # a subprocess sharing the queue needs CMELEDGER_BROKER_QUEUE passed to it.
        "CMELEDGER_BROKER_QUEUE": f"test-{TEST_DATABASE}",
        # Rate limits are counted in the database the whole session shares, and every anonymous
        # test client has the same address: tests of the limits set their own and start from
        # empty windows (fresh_rate_limits).
        "CMELEDGER_RATE_LIMIT_PER_USER_PER_MINUTE": "100000",
        "CMELEDGER_RATE_LIMIT_PER_TENANT_PER_MINUTE": "100000",
    }
    return load_settings({**os.environ, **env})


def settings_env(settings: Settings) -> dict[str, str]:
    """Environment for a subprocess that must use the test settings."""
    return {
        **os.environ,
        "CMELEDGER_ENVIRONMENT": settings.environment,
        "CMELEDGER_DATABASE_URL": settings.database_url,
        "CMELEDGER_OWNER_DATABASE_URL": settings.owner_database_url,
        "CMELEDGER_BACKUP_DATABASE_URL": settings.backup_database_url,
        "CMELEDGER_BLOB_DIR": settings.blob_dir,
    }


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return run_python(settings, "-m", "services.main", *args)


def run_python(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """Python run with ``args`` from the repository, with the test settings."""
    return subprocess.run(
        [sys.executable, *args],
        env=settings_env(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="session")
async def migrated(settings: Settings) -> Settings:
    """Drop and recreate the test database, then migrate it as the owner role."""
    admin = await asyncpg.connect(
        asyncpg_dsn(with_database(settings.owner_database_url, "postgres"))
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{TEST_DATABASE}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{TEST_DATABASE}"')
    finally:
        await admin.close()
    result = run_cli(settings, "migrate")
    assert result.returncode == 0, result.stderr
    return settings


@pytest.fixture(scope="session")
async def database(migrated: Settings) -> AsyncIterator[Database]:
    db = Database(migrated)
    yield db
    await db.dispose()


@pytest.fixture
async def owner_connection(migrated: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A raw connection as the owner role (owns the tables, still subject to FORCEd RLS)."""
    conn = await asyncpg.connect(asyncpg_dsn(migrated.owner_database_url))
    yield conn
    await conn.close()


@pytest.fixture(scope="session")
def demo_blob_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The certificate files of the demo organisation, for every test that seeds it: the demo
    is seeded once per database, so its files must be where the next test looks."""
    return tmp_path_factory.mktemp("demo-blobs")


@pytest.fixture
async def fresh_rate_limits(owner_connection: asyncpg.Connection) -> None:
    """Empty every rate-limit window, for a test that sets low limits of its own."""
    await owner_connection.execute("DELETE FROM rate_limit_windows")


def new_tenant() -> UUID:
    return uuid4()
