"""The application through PgBouncer in transaction mode: a real ``pgbouncer`` process in front of
the test database, with fewer server connections than concurrent transactions, so server
connections pass from tenant to tenant between transactions.

What must hold there: each transaction sees its own tenant only (the tenant is set per
transaction, never per session), the statement timeout applies (it cannot travel as a startup
parameter), appends and reads of the event store work with asyncpg's statement cache off, and
the API records a credit through it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID, uuid4

import msgspec
import pytest

from services.core.db import Database
from services.core.settings import Settings
from tests.e2e.conftest import connected_client, sign_up
from tests.e2e.test_people import CREDIT
from tests.live_server import free_port
from tests.support import add_notes, make_store, register

pytestmark = pytest.mark.integration

PGBOUNCER = "/usr/sbin/pgbouncer"
SERVER_CONNECTIONS = 2


def through(url: str, port: int) -> str:
    """``url`` with its host and port replaced by the local PgBouncer's."""
    parts = urlsplit(url)
    user = f"{parts.username}:{parts.password}@" if parts.password else f"{parts.username}@"
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}"))


@pytest.fixture(scope="module")
def bouncer(migrated: Settings) -> Iterator[int]:
    """A PgBouncer in transaction mode in front of the test database; yields its port."""
    if not Path(PGBOUNCER).exists():
        pytest.fail("pgbouncer is not installed: run scripts/bootstrap")
    database = urlsplit(migrated.database_url)
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    (folder / "users.txt").write_text(f'"{database.username}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={database.hostname} port={database.port or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = {SERVER_CONNECTIONS}
max_client_conn = 200
"""
    )
    # Readable by the postgres account PgBouncer runs as; nothing secret in them.
    os.chmod(folder, 0o755)  # noqa: S103
    for file in folder.iterdir():
        os.chmod(file, 0o644)
    # PgBouncer refuses to run as root; -u drops to the postgres account.
    as_user = ["-u", "postgres"] if os.geteuid() == 0 else []
    log = (folder / "pgbouncer.log").open("wb")
    process = subprocess.Popen(
        [PGBOUNCER, *as_user, str(folder / "pgbouncer.ini")], stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            assert process.poll() is None, (folder / "pgbouncer.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "pgbouncer did not listen"
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def bounced(migrated: Settings, bouncer: int) -> Settings:
    """Settings of an application process that reaches PostgreSQL only through PgBouncer."""
    return msgspec.structs.replace(
        migrated,
        database_url=through(migrated.database_url, bouncer),
        db_statement_cache_size=0,
        db_pool_size=10,
    )


@pytest.fixture
async def bounced_database(bounced: Settings) -> AsyncIterator[Database]:
    database = Database(bounced)
    yield database
    await database.dispose()


async def test_each_transaction_sees_only_its_tenant_when_server_connections_are_shared(
    bounced_database: Database, bounced: Settings
) -> None:
    store = make_store()
    tenants = [uuid4() for _ in range(4)]
    for tenant in tenants:
        await register(bounced_database, store, tenant)
        await add_notes(bounced_database, store, tenant, "person-bounced", 3)

    async def seen_by(tenant: UUID) -> tuple[UUID, set[UUID], int, str, str]:
        async with bounced_database.transaction(tenant) as tx:
            await tx.pg.execute("SELECT pg_sleep(0.01)")  # hold the server connection a moment
            rows = await tx.pg.fetch("SELECT DISTINCT tenant_id FROM events")
            return (
                tenant,
                {row["tenant_id"] for row in rows},
                len(await store.read_stream(tx, "person-bounced")),
                await tx.pg.fetchval(
                    "SELECT setting FROM pg_settings WHERE name = 'statement_timeout'"
                ),
                await tx.pg.fetchval("SELECT pg_backend_pid()::text"),
            )

    seen = await asyncio.gather(*(seen_by(tenants[i % 4]) for i in range(40)))

    for tenant, visible, events, timeout, _ in seen:
        assert visible == {tenant}
        assert events == 3
        assert timeout == str(bounced.db_statement_timeout_ms)  # in ms
    # More client transactions than server connections: each server backend served several
    # tenants, which is what makes a session-level tenant setting unsafe here.
    backends = {pid for *_, pid in seen}
    assert len(backends) <= SERVER_CONNECTIONS
    assert all(len({t for t, *_, pid in seen if pid == b}) > 1 for b in backends)


async def test_no_tenant_and_no_leftover_setting_after_a_tenant_transaction(
    bounced_database: Database,
) -> None:
    store = make_store()
    tenant = uuid4()
    await register(bounced_database, store, tenant)
    await add_notes(bounced_database, store, tenant, "person-bounced", 1)
    for _ in range(SERVER_CONNECTIONS * 3):
        async with bounced_database.transaction(tenant) as tx:
            assert await tx.pg.fetchval("SELECT count(*) FROM events") == 1
        async with bounced_database.transaction(None) as tx:
            assert await tx.pg.fetchval("SELECT count(*) FROM events") == 0


async def test_the_api_signs_up_and_records_a_credit_through_pgbouncer(
    bounced: Settings, bouncer: int
) -> None:
    async with connected_client(bounced) as client:
        await sign_up(client)
        person = await client.post("/api/v1/people", json={"full_name": "Ada Bouncer"})
        assert person.status_code == 201, person.text
        person_id = person.json()["person_id"]
        credit = await client.post(f"/api/v1/people/{person_id}/credits", json=CREDIT)
        assert credit.status_code == 201, credit.text
        listed = await client.get(f"/api/v1/people/{person_id}/credits")
        assert listed.status_code == 200, listed.text
        assert listed.json() == [credit.json()["credit"]]
