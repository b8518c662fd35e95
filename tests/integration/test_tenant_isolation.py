"""Tenant isolation by row-level security (eventstore.md §2, test 6).

Two tenants share one stream id. Each must see only its own rows, in both directions, through
every read path; a transaction without a tenant sees nothing; rows carrying another tenant's id
are refused on the way in; a pooled connection carries nothing from one tenant to the next; and
the catalogue shows the application role cannot step around the policies.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import asyncpg
import msgspec
import pytest

from services.core.db import Database
from services.core.eventsourcing.chain import GENESIS_HASH
from services.core.eventsourcing.store import EventStore, RecordedEvent, UnknownTenant
from services.core.settings import Settings
from tests.support import add_notes, as_app_then_roll_back, make_store, register

pytestmark = pytest.mark.integration

SHARED_STREAM = "person-shared"
TENANT_TABLES = ("event_heads", "events", "checkpoints", "stream_summaries")
NOT_ALLOWED = "row-level security"


class TenantView(msgspec.Struct, frozen=True, kw_only=True):
    """Everything one tenant's transaction can see of the event store."""

    stream: list[RecordedEvent]
    history: list[RecordedEvent]
    head: tuple[int, str]
    summaries: list[dict[str, object]]
    checkpoints: list[dict[str, object]]
    tenant_ids: dict[str, set[UUID]]


async def view(database: Database, store: EventStore, tenant: UUID) -> TenantView:
    async with database.transaction(tenant) as tx:
        return TenantView(
            stream=await store.read_stream(tx, SHARED_STREAM),
            history=await store.read_history(tx),
            head=await store.head(tx),
            summaries=[dict(r) for r in await tx.pg.fetch("SELECT * FROM stream_summaries")],
            checkpoints=[dict(r) for r in await tx.pg.fetch("SELECT * FROM checkpoints")],
            tenant_ids={
                table: {r[0] for r in await tx.pg.fetch(f"SELECT DISTINCT tenant_id FROM {table}")}
                for table in TENANT_TABLES
            },
        )


async def row_counts(database: Database, tenant: UUID | None) -> dict[str, int]:
    async with database.transaction(tenant) as tx:
        return {
            table: await tx.pg.fetchval(f"SELECT count(*) FROM {table}") for table in TENANT_TABLES
        }


async def two_tenants_sharing_a_stream(
    database: Database, store: EventStore
) -> tuple[UUID, UUID, list[RecordedEvent], list[RecordedEvent]]:
    """Tenants A (3 events) and B (2 events, in batches) on the same stream id."""
    a, b = uuid4(), uuid4()
    await register(database, store, a)
    await register(database, store, b)
    written_a = await add_notes(database, store, a, SHARED_STREAM, 3)
    written_b = await add_notes(database, store, b, SHARED_STREAM, 2, batch=2)
    return a, b, written_a, written_b


# -- reads -----------------------------------------------------------------------------------------


async def test_tenants_sharing_a_stream_id_see_only_their_own_events(database: Database) -> None:
    store = make_store()
    a, b, written_a, written_b = await two_tenants_sharing_a_stream(database, store)

    for tenant, written, other in [(a, written_a, b), (b, written_b, a)]:
        seen = await view(database, store, tenant)
        assert seen.stream == written
        assert seen.history == written
        assert [e.seq for e in seen.history] == list(range(1, len(written) + 1))
        assert {e.tenant_id for e in seen.history} == {tenant}
        assert seen.head == (len(written), written[-1].hash)
        assert [
            (s["tenant_id"], s["stream_id"], s["version"], s["event_count"]) for s in seen.summaries
        ] == [(tenant, SHARED_STREAM, len(written), len(written))]
        assert [(c["tenant_id"], c["name"], c["position"]) for c in seen.checkpoints] == [
            (tenant, "stream_summaries", len(written))
        ]
        for table, tenant_ids in seen.tenant_ids.items():
            assert tenant_ids == {tenant}, table
            assert other not in tenant_ids

    # The two streams are independent: same id, different events, separate chains.
    assert {e.event_id for e in written_a}.isdisjoint(e.event_id for e in written_b)
    assert written_a[0].prev_hash == written_b[0].prev_hash == GENESIS_HASH


async def test_reading_another_tenants_rows_by_id_returns_nothing(database: Database) -> None:
    store = make_store()
    a, b, written_a, _ = await two_tenants_sharing_a_stream(database, store)
    async with database.transaction(b) as tx:
        by_key = await tx.pg.fetch("SELECT * FROM events WHERE tenant_id = $1", a)
        by_event_id = await tx.pg.fetch(
            "SELECT * FROM events WHERE event_id = $1", written_a[0].event_id
        )
        head = await tx.pg.fetchrow("SELECT * FROM event_heads WHERE tenant_id = $1", a)
        summary = await tx.pg.fetchrow("SELECT * FROM stream_summaries WHERE tenant_id = $1", a)
    assert (by_key, by_event_id, head, summary) == ([], [], None, None)


async def test_transaction_without_tenant_sees_no_tenant_rows(database: Database) -> None:
    store = make_store()
    a, b, _, _ = await two_tenants_sharing_a_stream(database, store)
    # Control: the rows are there for their tenants.
    assert all((await row_counts(database, a)).values())
    assert all((await row_counts(database, b)).values())

    assert await row_counts(database, None) == dict.fromkeys(TENANT_TABLES, 0)
    async with database.transaction(None) as tx:
        assert await tx.pg.fetchval("SELECT current_tenant()") is None
        with pytest.raises(RuntimeError, match="tenant-scoped"):
            await store.read_history(tx)


async def test_other_tenants_head_is_invisible_even_when_locking(database: Database) -> None:
    store = make_store()
    a, b = uuid4(), uuid4()
    await register(database, store, a)  # B is never registered.
    await add_notes(database, store, a, SHARED_STREAM, 2)

    async with database.transaction(b) as tx:
        with pytest.raises(UnknownTenant):
            await store.head(tx)
        with pytest.raises(UnknownTenant):
            await store.lock_head(tx)

    async with database.transaction(b) as tx:
        locked = await tx.pg.fetchrow(
            "SELECT * FROM event_heads WHERE tenant_id = $1 FOR UPDATE", a
        )
        assert locked is None
        # B holds no lock on A's head: A appends while B's transaction is still open.
        appended = await asyncio.wait_for(add_notes(database, store, a, "other", 1), timeout=10)
        assert appended[0].seq == 3

    async with database.transaction(a) as tx:
        assert (await store.head(tx))[0] == 3


# -- writes ----------------------------------------------------------------------------------------

INSERT_EVENT = """
INSERT INTO events (tenant_id, seq, stream_id, stream_version, event_id, event_type,
                    schema_version, data, metadata, recorded_at, prev_hash, hash)
VALUES ($1, 1000, 'person-shared', 1000, $2, 'test.NoteAdded', 1, '{"text": "planted"}',
        '{}', now(), repeat('0', 64), repeat('0', 64))
"""
INSERT_SUMMARY = """
INSERT INTO stream_summaries (tenant_id, stream_id, version, event_count, first_recorded_at,
                              last_recorded_at, last_event_type)
VALUES ($1, 'planted', 1, 1, now(), now(), 'test.NoteAdded')
"""
INSERT_CHECKPOINT = "INSERT INTO checkpoints (tenant_id, name, position) VALUES ($1, 'planted', 1)"
# The registry is global (no RLS), so the tenant can be registered in the same statement; the
# head row is what the policy must refuse.
INSERT_HEAD = """
WITH registered AS (INSERT INTO tenants (tenant_id) VALUES ($1))
INSERT INTO event_heads (tenant_id, last_seq, last_hash) VALUES ($1, 0, $2)
"""


@pytest.mark.parametrize(
    ("table", "sql"),
    [
        ("events", INSERT_EVENT),
        ("stream_summaries", INSERT_SUMMARY),
        ("checkpoints", INSERT_CHECKPOINT),
        ("event_heads", INSERT_HEAD),
    ],
    ids=["events", "stream_summaries", "checkpoints", "event_heads"],
)
async def test_insert_carrying_another_tenants_id_is_rejected(
    database: Database, table: str, sql: str
) -> None:
    store = make_store()
    a, b, _, _ = await two_tenants_sharing_a_stream(database, store)
    args: list[object] = {"events": [uuid4()], "event_heads": [GENESIS_HASH]}.get(table, [])
    # A head row needs a tenant without one; every other table takes B's existing id.
    target, control = (uuid4(), uuid4()) if table == "event_heads" else (b, a)
    before = [await view(database, store, tenant) for tenant in (a, b)]
    target_rows = await row_counts(database, target)

    # Control: the same statement for the transaction's own tenant passes the policy.
    await as_app_then_roll_back(database, control, sql, control, *args)

    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match=NOT_ALLOWED) as refused:
        await as_app_then_roll_back(database, a, sql, target, *args)
    assert f'"{table}"' in str(refused.value)
    assert [await view(database, store, tenant) for tenant in (a, b)] == before
    assert await row_counts(database, target) == target_rows


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE stream_summaries SET tenant_id = $1",
        # Forward, or the forward-only trigger (which runs first) would refuse it.
        "UPDATE checkpoints SET tenant_id = $1, position = position + 1",
        "UPDATE event_heads SET tenant_id = $1",
    ],
    ids=["stream_summaries", "checkpoints", "event_heads"],
)
async def test_moving_own_rows_to_another_tenant_is_rejected(database: Database, sql: str) -> None:
    store = make_store()
    a, b, _, _ = await two_tenants_sharing_a_stream(database, store)
    before_a, before_b = await view(database, store, a), await view(database, store, b)
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match=NOT_ALLOWED):
        await as_app_then_roll_back(database, a, sql, b)
    assert (await view(database, store, a), await view(database, store, b)) == (before_a, before_b)


async def test_changes_to_another_tenants_rows_touch_nothing(database: Database) -> None:
    store = make_store()
    a, b, _, _ = await two_tenants_sharing_a_stream(database, store)
    before_b = await view(database, store, b)
    async with database.transaction(a) as tx:
        summaries = await tx.pg.execute(
            "UPDATE stream_summaries SET event_count = 99 WHERE tenant_id = $1", b
        )
        checkpoints = await tx.pg.execute("DELETE FROM checkpoints WHERE tenant_id = $1", b)
        heads = await tx.pg.execute(
            "UPDATE event_heads SET last_seq = last_seq + 1 WHERE tenant_id = $1", b
        )
    assert (summaries, checkpoints, heads) == ("UPDATE 0", "DELETE 0", "UPDATE 0")
    assert await view(database, store, b) == before_b


# -- pooled connections ----------------------------------------------------------------------------


@pytest.fixture
async def single_connection_database(migrated: Settings) -> AsyncIterator[Database]:
    """A Database whose pool holds exactly one connection, so every transaction reuses it."""
    settings = msgspec.structs.replace(migrated, db_pool_size=1)
    database = Database(settings)
    yield database
    await database.dispose()


async def session_tenant_setting(database: Database) -> tuple[int, str | None]:
    """The backend pid and ``app.tenant_id`` as a fresh transaction (no set_config) sees them."""
    async with database.connection() as pg:
        return (
            await pg.fetchval("SELECT pg_backend_pid()"),
            await pg.fetchval("SELECT current_setting('app.tenant_id', true)"),
        )


async def test_pooled_connection_reused_across_tenants_leaks_nothing(
    database: Database, single_connection_database: Database
) -> None:
    store = make_store()
    a, b, written_a, written_b = await two_tenants_sharing_a_stream(database, store)
    pooled = single_connection_database
    pids: set[int] = set()

    async def seen_by(tenant: UUID | None) -> tuple[list[RecordedEvent], dict[str, int]]:
        async with pooled.transaction(tenant) as tx:
            pids.add(await tx.pg.fetchval("SELECT pg_backend_pid()"))
            history = await store.read_history(tx) if tenant else []
            counts = {
                table: await tx.pg.fetchval(f"SELECT count(*) FROM {table}")
                for table in TENANT_TABLES
            }
        pid, setting = await session_tenant_setting(pooled)
        pids.add(pid)
        assert setting in ("", None), f"app.tenant_id leaked out of the transaction: {setting}"
        return history, counts

    for tenant, written in [(a, written_a), (b, written_b), (None, []), (a, written_a)]:
        history, counts = await seen_by(tenant)
        assert history == written
        assert counts["events"] == len(written)
        assert counts["stream_summaries"] == counts["event_heads"] == (1 if tenant else 0)
        assert counts["checkpoints"] == (1 if tenant else 0)

    # A failed transaction must not leave its tenant behind either.
    with pytest.raises(asyncpg.exceptions.UndefinedTableError):
        async with pooled.transaction(b) as tx:
            await tx.pg.execute("SELECT * FROM no_such_table")
    _, counts = await seen_by(None)
    assert counts == dict.fromkeys(TENANT_TABLES, 0)

    assert len(pids) == 1, "the test must reuse one pooled connection"


# -- the catalogue ---------------------------------------------------------------------------------


async def test_application_role_is_not_superuser_bypassrls_or_owner(
    migrated: Settings, owner_connection: asyncpg.Connection
) -> None:
    role = await owner_connection.fetchrow(
        "SELECT oid, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1", migrated.app_role
    )
    assert role is not None, f"role {migrated.app_role!r} not found"
    assert role["rolsuper"] is False
    assert role["rolbypassrls"] is False
    owned = await owner_connection.fetch(
        "SELECT relname FROM pg_class WHERE relowner = $1", role["oid"]
    )
    assert owned == []
    # Control: the owner role does own the tables, so the query above can find ownership.
    assert await owner_connection.fetchval(
        "SELECT pg_get_userbyid(relowner) = current_user FROM pg_class"
        " WHERE oid = 'public.events'::regclass"
    )
    # Nor may the application role act as the owner.
    assert not await owner_connection.fetchval(
        "SELECT pg_has_role($1, current_user, 'MEMBER')", migrated.app_role
    )


# Read-only exceptions, each scoped to what the caller proves: a signed-in user lists their own
# memberships to pick an organisation; the holder of an invitation link reads that invitation;
# the holder of a calendar link reads that link (to learn its organisation).
SCOPED_READ_POLICIES = {
    ("memberships", "own_memberships"): "current_user_id()",
    ("invitations", "invitation_by_token"): "app.invitation_token_hash",
    ("api_tokens", "api_token_by_hash"): "app.api_token_hash",
    ("billing_accounts", "by_stripe_customer"): "app.stripe_customer_id",
    ("calendar_feeds", "calendar_feed_by_hash"): "app.calendar_token_hash",
}


async def test_every_tenant_table_forces_rls_with_using_and_with_check(
    owner_connection: asyncpg.Connection,
) -> None:
    tables = await owner_connection.fetch(
        """
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'tenants'
        ORDER BY c.relname
        """
    )
    names = [t["relname"] for t in tables]
    assert set(TENANT_TABLES) <= set(names)
    for table in tables:
        assert table["relrowsecurity"], f"{table['relname']}: RLS not enabled"
        assert table["relforcerowsecurity"], f"{table['relname']}: RLS not forced"
        policies = await owner_connection.fetch(
            "SELECT policyname, cmd, qual, with_check FROM pg_policies"
            " WHERE schemaname = 'public' AND tablename = $1",
            table["relname"],
        )
        complete = [p for p in policies if p["qual"] is not None and p["with_check"] is not None]
        assert complete, f"{table['relname']}: no policy with both USING and WITH CHECK"
        # A further permissive policy would widen access (policies are OR-ed): all must be
        # about the tenant, except the documented read-only ones scoped to the signed-in user.
        for policy in policies:
            if (table["relname"], policy["policyname"]) in SCOPED_READ_POLICIES:
                assert policy["cmd"] == "SELECT"
                assert policy["with_check"] is None
                scope = SCOPED_READ_POLICIES[table["relname"], policy["policyname"]]
                assert scope in policy["qual"]
                continue
            for expression in (policy["qual"], policy["with_check"]):
                assert expression is None or "tenant_id" in expression, (
                    f"{table['relname']}.{policy['policyname']}: {expression}"
                )
