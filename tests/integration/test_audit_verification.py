"""The verification script printed in docs/audit-verification.md verifies a real export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.core.db import Database
from services.core.eventsourcing.chain_check import export_line
from tests.documented_scripts import documented_script, run_script
from tests.support import CounterSet, add_notes, append_one, registered_tenant

pytestmark = pytest.mark.integration


async def test_documented_script_verifies_an_export_and_catches_tampering(
    database: Database, tmp_path: Path
) -> None:
    store, tenant = await registered_tenant(database)
    await add_notes(database, store, tenant, "person-ü", 4, batch=2)
    async with database.transaction(tenant) as tx:
        await append_one(store, tx, "credit-1", CounterSet(value=2, unit="credits"))
        history = await store.read_history(tx)
        head_seq, head_hash = await store.head(tx)

    script = tmp_path / "verify.py"
    script.write_text(documented_script("Verify it yourself"))
    export = tmp_path / "history.jsonl"
    lines = [export_line(event) for event in history]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")

    intact = run_script(script, export)
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.strip() == f"chain intact: {head_seq} events, head {head_hash}"

    altered = json.loads(lines[2])
    altered["data"]["text"] = "rewritten"
    export.write_text("\n".join([*lines[:2], json.dumps(altered), *lines[3:]]) + "\n")
    assert "broken at seq 3: content" in run_script(script, export).stderr

    export.write_text("\n".join([*lines[:1], *lines[2:]]) + "\n")
    assert "broken at seq 2: event missing" in run_script(script, export).stderr
