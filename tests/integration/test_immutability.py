"""Immutability and tamper evidence (eventstore.md §2, test 5).

The application role may not UPDATE, DELETE or TRUNCATE events; the owner, who could, is stopped
by triggers. Whoever gets past both (a superuser, or the owner disabling the trigger, which these
tests use in its place) leaves a trace: the chain verifier names the first broken link. Every
tampering is undone before the test ends, so the shared database keeps verifying.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec
import pytest

from services.core.db import Database
from services.core.eventsourcing.chain_check import ChainReport, recompute_hash, verify_chain
from services.core.eventsourcing.store import ANY_VERSION, EventStore, Metadata
from services.core.settings import Settings
from tests.conftest import run_cli
from tests.support import NoteAdded, append_one, as_app_then_roll_back, make_store, register

pytestmark = pytest.mark.integration

# Seq 3 and seq 4 belong to different streams, so a report naming the wrong event shows.
STREAMS = ["ledger-a", "ledger-b", "ledger-c", "ledger-a", "ledger-b", "ledger-c"]
SET_TENANT = "SELECT set_config('app.tenant_id', $1, true)"
Statement = tuple[str, ...]
UPDATE_SEQ_3 = 'UPDATE events SET data = \'{"text": "tampered"}\'::jsonb WHERE seq = 3'
DELETE_SEQ_3 = "DELETE FROM events WHERE seq = 3"


async def write_six(database: Database, store: EventStore, tenant: UUID) -> None:
    """Register ``tenant`` and append 6 events (seq 1..6), one per transaction."""
    await register(database, store, tenant)
    for number, stream in enumerate(STREAMS, start=1):
        async with database.transaction(tenant) as tx:
            note = NoteAdded(text=f"event {number}")
            tester = Metadata(actor_id="tester")
            await append_one(store, tx, stream, note, ANY_VERSION, metadata=tester)


async def verify(database: Database, store: EventStore, tenant: UUID) -> ChainReport:
    async with database.transaction(tenant) as tx:
        return await verify_chain(tx, store)


async def stored_rows(owner: asyncpg.Connection, tenant: UUID) -> list[asyncpg.Record]:
    """The tenant's event rows exactly as stored, read as the owner."""
    async with owner.transaction():
        await owner.execute(SET_TENANT, str(tenant))
        return await owner.fetch("SELECT * FROM events WHERE tenant_id = $1 ORDER BY seq", tenant)


async def as_owner_then_roll_back(owner: asyncpg.Connection, tenant: UUID, sql: str) -> None:
    """Run ``sql`` as the owner in ``tenant``'s scope, then roll back whatever happened."""
    transaction = owner.transaction()
    await transaction.start()
    try:
        await owner.execute(SET_TENANT, str(tenant))
        await owner.execute("SET LOCAL lock_timeout = '10s'")
        await owner.execute(sql)
    finally:
        await transaction.rollback()


async def tamper(owner: asyncpg.Connection, tenant: UUID, statements: Sequence[Statement]) -> None:
    """Commit raw changes to the tenant's events with the append-only trigger disabled.

    Each statement receives the tenant id as ``$1``. The trigger is enabled again before commit.
    """
    async with owner.transaction():
        await owner.execute(SET_TENANT, str(tenant))
        await owner.execute("SET LOCAL lock_timeout = '10s'")
        await owner.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        for sql, *args in statements:
            await owner.execute(sql, tenant, *args)
        await owner.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")


async def restore(owner: asyncpg.Connection, tenant: UUID, rows: list[asyncpg.Record]) -> None:
    """Put the tenant's events back exactly as they were in ``rows`` (generated columns are
    generated again)."""
    generated = await owner.fetch(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = 'events' AND is_generated = 'ALWAYS'"
    )
    skipped = {r["column_name"] for r in generated}
    columns = [c for c in list(rows[0].keys()) if c not in skipped]  # a Record iterates values
    insert = (
        f"INSERT INTO events ({', '.join(columns)})"
        f" VALUES ({', '.join(f'${i}' for i in range(1, len(columns) + 1))})"
    )
    async with owner.transaction():
        await owner.execute(SET_TENANT, str(tenant))
        await owner.execute("SET LOCAL lock_timeout = '10s'")
        await owner.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        await owner.execute("DELETE FROM events WHERE tenant_id = $1", tenant)
        await owner.executemany(insert, [tuple(row[c] for c in columns) for row in rows])
        await owner.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")


# -- the application role --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        UPDATE_SEQ_3,
        DELETE_SEQ_3,
        "TRUNCATE events",
    ],
    ids=["update", "delete", "truncate"],
)
async def test_application_role_may_not_change_events(
    database: Database, owner_connection: asyncpg.Connection, sql: str
) -> None:
    store, tenant = make_store(), uuid4()
    await write_six(database, store, tenant)
    before = await stored_rows(owner_connection, tenant)
    assert len(before) == 6
    assert (await verify(database, store, tenant)).ok

    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="permission denied"):
        await as_app_then_roll_back(database, tenant, sql)

    assert await stored_rows(owner_connection, tenant) == before
    assert (await verify(database, store, tenant)).ok


# -- the owner role --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "operation"),
    [
        (UPDATE_SEQ_3, "UPDATE"),
        (DELETE_SEQ_3, "DELETE"),
        ("TRUNCATE events", "TRUNCATE"),
    ],
    ids=["update", "delete", "truncate"],
)
async def test_trigger_stops_the_owner_from_changing_events(
    database: Database, owner_connection: asyncpg.Connection, sql: str, operation: str
) -> None:
    store, tenant = make_store(), uuid4()
    await write_six(database, store, tenant)
    before = await stored_rows(owner_connection, tenant)
    assert len(before) == 6

    # The owner holds the privileges; only the triggers stand in the way.
    assert await owner_connection.fetchval(
        "SELECT has_table_privilege(current_user, 'events', $1)", operation
    )
    with pytest.raises(asyncpg.exceptions.RestrictViolationError, match="append-only") as blocked:
        await as_owner_then_roll_back(owner_connection, tenant, sql)

    assert operation in str(blocked.value)
    assert await stored_rows(owner_connection, tenant) == before
    assert (await verify(database, store, tenant)).ok


async def test_owner_statements_reach_the_rows_once_the_trigger_is_off(
    database: Database, owner_connection: asyncpg.Connection
) -> None:
    """Control for the test above: with the trigger disabled (and rolled back) the same UPDATE
    and DELETE do reach seq 3, so the trigger, not row-level security hiding the rows, is what
    blocked them."""
    store, tenant = make_store(), uuid4()
    await write_six(database, store, tenant)
    before = await stored_rows(owner_connection, tenant)
    transaction = owner_connection.transaction()
    await transaction.start()
    try:
        await owner_connection.execute(SET_TENANT, str(tenant))
        await owner_connection.execute("SET LOCAL lock_timeout = '10s'")
        await owner_connection.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        updated = await owner_connection.execute(UPDATE_SEQ_3)
        deleted = await owner_connection.execute(DELETE_SEQ_3)
    finally:
        await transaction.rollback()
    assert (updated, deleted) == ("UPDATE 1", "DELETE 1")
    assert await stored_rows(owner_connection, tenant) == before
    assert (await verify(database, store, tenant)).ok


# -- tampering past the trigger --------------------------------------------------------------------

SWAP_3_AND_4: list[Statement] = [
    ("UPDATE events SET seq = 1000000 WHERE tenant_id = $1 AND seq = 3",),
    ("UPDATE events SET seq = 3 WHERE tenant_id = $1 AND seq = 4",),
    ("UPDATE events SET seq = 4 WHERE tenant_id = $1 AND seq = 1000000",),
]


@pytest.mark.parametrize(
    ("statements", "break_seq", "stream_from_seq", "reason"),
    [
        pytest.param(
            [
                (
                    "UPDATE events SET data = jsonb_set(data, '{text}', '\"tampered\"')"
                    " WHERE tenant_id = $1 AND seq = 3",
                )
            ],
            3,
            3,
            "hash does not match the event's content",
            id="alter-data",
        ),
        pytest.param(
            [("UPDATE events SET metadata = '{}'::jsonb WHERE tenant_id = $1 AND seq = 3",)],
            3,
            3,
            "hash does not match the event's content",
            id="alter-metadata",
        ),
        pytest.param(
            [("DELETE FROM events WHERE tenant_id = $1 AND seq = 3",)],
            3,
            None,
            "event 3 is missing",
            id="delete",
        ),
        pytest.param(SWAP_3_AND_4, 3, 4, "prev_hash does not match", id="reorder"),
        pytest.param(
            [("DELETE FROM events WHERE tenant_id = $1 AND seq = 6",)],
            6,
            None,
            "head records event 6",
            id="delete-last",
        ),
    ],
)
async def test_verifier_reports_first_broken_link(
    database: Database,
    owner_connection: asyncpg.Connection,
    statements: list[Statement],
    break_seq: int,
    stream_from_seq: int | None,
    reason: str,
) -> None:
    store, tenant = make_store(), uuid4()
    await write_six(database, store, tenant)
    original = await stored_rows(owner_connection, tenant)
    intact = await verify(database, store, tenant)
    assert intact.ok, intact.first_break
    assert (intact.checked, intact.head_seq, intact.head_hash) == (6, 6, original[-1]["hash"])

    try:
        await tamper(owner_connection, tenant, statements)
        assert await stored_rows(owner_connection, tenant) != original
        report = await verify(database, store, tenant)
    finally:
        await restore(owner_connection, tenant, original)

    assert not report.ok
    assert report.first_break is not None
    assert report.first_break.seq == break_seq
    expected_stream = None if stream_from_seq is None else STREAMS[stream_from_seq - 1]
    assert report.first_break.stream_id == expected_stream
    assert reason in report.first_break.reason
    assert report.checked == break_seq - 1

    assert await stored_rows(owner_connection, tenant) == original
    assert (await verify(database, store, tenant)).ok


async def test_rehashing_an_altered_event_moves_the_break_to_the_next_link(
    database: Database, owner_connection: asyncpg.Connection
) -> None:
    """A forger who also rewrites seq 3's own hash is still caught: seq 4 links to the old one."""
    store, tenant = make_store(), uuid4()
    await write_six(database, store, tenant)
    original = await stored_rows(owner_connection, tenant)
    assert (await verify(database, store, tenant)).ok

    async with database.transaction(tenant) as tx:
        [third] = await store.read_history(tx, after_seq=2, limit=1)
    forged = msgspec.structs.replace(third, data={"text": "forged"})
    try:
        await tamper(
            owner_connection,
            tenant,
            [
                (
                    "UPDATE events SET data = $2::jsonb, hash = $3"
                    " WHERE tenant_id = $1 AND seq = 3",
                    json.dumps(forged.data),
                    recompute_hash(forged),
                )
            ],
        )
        report = await verify(database, store, tenant)
    finally:
        await restore(owner_connection, tenant, original)

    assert report.first_break is not None
    assert (report.first_break.seq, report.first_break.stream_id) == (4, STREAMS[3])
    assert "prev_hash does not match" in report.first_break.reason
    assert (await verify(database, store, tenant)).ok


# -- the verify-chain command ----------------------------------------------------------------------


def reports(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


async def test_verify_chain_command_exits_1_and_names_the_broken_seq(
    migrated: Settings, database: Database, owner_connection: asyncpg.Connection
) -> None:
    store, tenant = make_store(), uuid4()
    await write_six(database, store, tenant)
    original = await stored_rows(owner_connection, tenant)

    intact = run_cli(migrated, "verify-chain", "--tenant", str(tenant))
    assert intact.returncode == 0, intact.stderr
    [report] = reports(intact.stdout)
    assert report["tenant_id"] == str(tenant)
    assert (report["head_seq"], report["head_hash"], report["checked"]) == (
        6,
        original[-1]["hash"],
        6,
    )
    assert report["first_break"] is None

    try:
        await tamper(
            owner_connection,
            tenant,
            [
                (
                    "UPDATE events SET data = jsonb_set(data, '{text}', '\"tampered\"')"
                    " WHERE tenant_id = $1 AND seq = 3",
                )
            ],
        )
        broken = run_cli(migrated, "verify-chain", "--tenant", str(tenant))
    finally:
        await restore(owner_connection, tenant, original)

    assert broken.returncode == 1, broken.stdout + broken.stderr
    [report] = reports(broken.stdout)
    assert report["first_break"]["seq"] == 3
    assert report["first_break"]["stream_id"] == STREAMS[2]
    assert "hash" in report["first_break"]["reason"]

    repaired = run_cli(migrated, "verify-chain", "--tenant", str(tenant))
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
