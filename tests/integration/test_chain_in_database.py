"""The database links appends into the hash chain (``append_events``, PostgreSQL's sha256());
the Python verifier must compute the very same hashes, byte for byte, from what it reads back,
whatever the text holds."""

from __future__ import annotations

from uuid import uuid4

import pytest

from services.core.db import Database
from services.core.eventsourcing.chain_check import recompute_hash
from services.core.eventsourcing.store import Metadata, StreamAppend
from tests.support import NoteAdded, registered_tenant

pytestmark = pytest.mark.integration

AWKWARD_TEXTS = [
    "plain",
    'quote " and backslash \\ and slash /',
    "controls \n \r \t \b \f \x01 \x1f \x7f",
    "accents é ü ß, CJK 漢字, emoji 🩺, line separator \u2028, BOM \ufeff",
    "",
]


async def test_the_python_verifier_agrees_with_the_hashes_the_database_computed(
    database: Database,
) -> None:
    store, tenant = await registered_tenant(database)
    metadata = Metadata(actor_id='actör "1"\n', actor_role="owner", request_id="r/\\1")
    async with database.transaction(tenant) as tx:
        await store.append(
            tx,
            'stream "é\\\n🩺"',
            [NoteAdded(text=text) for text in AWKWARD_TEXTS],
            expected_version=0,
            event_ids=[uuid4() for _ in AWKWARD_TEXTS],
            metadata=metadata,
        )
        await store.append_many(
            tx,
            [
                StreamAppend(f"batch-{n}\t{text[:8]}", [NoteAdded(text=text)], 0, [uuid4()])
                for n, text in enumerate(AWKWARD_TEXTS)
            ],
        )
    async with database.transaction(tenant) as tx:
        stored = await store.read_history(tx)

    assert len(stored) == 2 * len(AWKWARD_TEXTS)
    assert [recompute_hash(event) for event in stored] == [event.hash for event in stored]
