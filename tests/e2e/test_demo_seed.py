"""The demo organisation of ``cmeledger seed-demo``: about 40 staff across bodies, departments and
sites with every status, certificates (some honestly doubtful), four logins that sign in and do
their work, idempotence, and refusal in production."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import msgspec
import pytest
from pypdf import PdfReader

from domain.organisations.organisation import ChangeAuditorAccess
from services.core import demo_seed
from services.core.blobs import FilesystemBlobStore, blob_key
from services.core.db import Database
from services.core.eventsourcing.chain_check import verify_chain
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import EventStore, Metadata, utc_now
from services.core.organisation.handlers import change_organisation
from services.core.people import queries
from services.core.registry import build_event_store
from services.core.settings import Settings
from tests.conftest import ROOT, settings_env
from tests.e2e.conftest import connected_client

pytestmark = pytest.mark.e2e


class Demo(NamedTuple):
    settings: Settings
    """The test settings, with the blob directory the demo's certificates went to."""
    store: EventStore
    blobs: FilesystemBlobStore
    tenant_id: UUID


@pytest.fixture(scope="module")
async def demo(migrated: Settings, database: Database, demo_blob_dir: Path) -> Demo:
    blob_dir = demo_blob_dir
    settings = msgspec.structs.replace(migrated, blob_dir=str(blob_dir))
    store, blobs = build_event_store(), FilesystemBlobStore(blob_dir)
    await demo_seed.seed_demo(settings, database, store, blobs)
    async with database.transaction(None) as tx:
        tenant_id = await tx.pg.fetchval(
            "SELECT tenant_id FROM tenants WHERE slug = $1", demo_seed.DEMO_SLUG
        )
    return Demo(settings, store, blobs, tenant_id)


def seed_command(settings: Settings, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.main", "seed-demo"],
        env={**settings_env(settings), "CMELEDGER_BLOB_DIR": settings.blob_dir, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


async def head(database: Database, demo: Demo) -> tuple[int, str]:
    async with database.transaction(demo.tenant_id) as tx:
        return await demo.store.head(tx)


async def test_about_40_staff_hold_every_body_and_every_status_shows(
    demo: Demo, database: Database
) -> None:
    async with database.transaction(demo.tenant_id) as tx:
        summary = await queries.organisation_summary(tx, today=utc_now().date())
        chain = await verify_chain(tx, demo.store)
    assert 35 <= summary.people <= 45
    assert set(summary.by_body) == {"ARDMS", "ARRT", "CCI"}
    assert {"compliant", "on_track", "at_risk", "overdue"} <= set(summary.by_status)
    assert min(summary.by_status["compliant"], summary.by_status["overdue"]) >= 3
    assert len(summary.by_department) >= 4
    assert len(summary.by_site) == 3
    assert chain.ok


async def test_certificates_are_stored_and_only_the_review_cases_disagree_with_the_credit(
    demo: Demo, database: Database
) -> None:
    async with database.transaction(demo.tenant_id) as tx:
        rows = await tx.pg.fetch(
            "SELECT p.full_name, c.sha256, r.state::text AS credit FROM certificates c"
            " JOIN people p USING (tenant_id, person_id)"
            " JOIN credits r ON r.tenant_id = c.tenant_id AND r.credit_id = c.credit_id"
            " WHERE c.tenant_id = $1",
            demo.tenant_id,
        )
    assert len(rows) >= 10
    found = {}
    for row in rows:
        pdf = b"".join(demo.blobs.open(blob_key(demo.tenant_id, row["sha256"])))
        disagreements = _disagreements(
            PdfReader(io.BytesIO(pdf)).pages[0].extract_text(),
            row["full_name"],
            msgspec.json.decode(row["credit"])["details"],
        )
        if disagreements:
            found[row["full_name"]] = disagreements
    assert found == {demo_seed.NAMES[i]: [kind] for i, kind in demo_seed.REVIEW_CASES.items()}


def _disagreements(text: str, full_name: str, declared: dict[str, Any]) -> list[str]:
    """How a certificate's text differs from the person and the credit they declared."""
    lines = " ".join(text.split())
    printed = re.search(
        r"This certifies that (.+?) has completed .* Date of completion: (.+?) "
        r"Credits awarded: (\S+)",
        lines,
    )
    assert printed is not None, lines
    name, completed_on, credits = printed.groups()
    return [
        kind
        for kind, differs in (
            ("credits", Decimal(credits) != Decimal(declared["credits"])),
            (
                "date",
                datetime.strptime(completed_on, "%B %d, %Y").date().isoformat()
                != declared["completed_on"],
            ),
            ("name", name != full_name),
            ("accreditation", not re.search(r"approved by|designates", lines, re.IGNORECASE)),
        )
        if differs
    ]


async def test_each_persona_signs_in_and_does_their_work(demo: Demo, database: Database) -> None:
    async with database.transaction(demo.tenant_id) as tx:
        own_record = await tx.pg.fetchval(
            "SELECT person_id FROM people WHERE email = $1", demo_seed.EMPLOYEE.email
        )
    work: dict[str, tuple[str, Callable[[Any], bool]]] = {
        "owner": ("/api/v1/organisation/summary", lambda r: r.json()["people"] >= 35),
        "admin": ("/api/v1/staff?status=overdue", lambda r: len(r.json()["items"]) >= 3),
        "auditor": (
            "/api/v1/audit/bundle",
            lambda r: zipfile.ZipFile(io.BytesIO(r.content)).testzip() is None,
        ),
        "employee": (f"/api/v1/people/{own_record}/certificates", lambda r: len(r.json()) >= 1),
    }
    for login in demo_seed.LOGINS:
        async with connected_client(demo.settings) as client:
            signed_in = await client.post(
                "/api/v1/session", json={"email": login.email, "password": login.password}
            )
            assert signed_in.status_code == 200, (login.role, signed_in.text)
            assert (await client.get("/api/v1/me")).json()["role"] == login.role
            path, done = work[login.role]
            response = await client.get(path)
            assert response.status_code == 200, (login.role, response.text)
            assert done(response), login.role


async def test_seeding_again_changes_nothing_and_prints_the_logins(
    demo: Demo, database: Database
) -> None:
    before = await head(database, demo)
    again = seed_command(demo.settings)
    assert again.returncode == 0, again.stderr
    assert "already there" in again.stdout
    for login in demo_seed.LOGINS:
        assert re.search(
            rf"{login.role}\s+{re.escape(login.email)}\s+{login.password}", again.stdout
        )
    assert await head(database, demo) == before
    async with database.transaction(demo.tenant_id) as tx:
        assert await tx.pg.fetchval("SELECT count(*) FROM people") == len(demo_seed.NAMES)


async def test_an_auditor_window_about_to_end_is_extended(demo: Demo, database: Database) -> None:
    async with database.transaction(demo.tenant_id) as tx:
        auditor = await tx.pg.fetchval(
            "SELECT user_id FROM memberships WHERE email = $1", demo_seed.AUDITOR.email
        )
        await change_organisation(
            CommandContext(tx, demo.store, uuid4(), Metadata(actor_role="owner")),
            ChangeAuditorAccess(
                user_id=auditor, access_until=utc_now() + timedelta(days=2), by_role="owner"
            ),
        )
    assert await demo_seed.seed_demo(demo.settings, database, demo.store, demo.blobs)
    async with database.transaction(demo.tenant_id) as tx:
        until = await tx.pg.fetchval(
            "SELECT access_until FROM memberships WHERE user_id = $1", auditor
        )
    assert until - utc_now() > demo_seed.AUDITOR_WINDOW - timedelta(minutes=5)


async def test_seeding_is_refused_in_production(demo: Demo, database: Database) -> None:
    before = await head(database, demo)
    refused = seed_command(
        demo.settings, CMELEDGER_ENVIRONMENT="production", CMELEDGER_SECRET_KEY="s" * 40
    )
    assert refused.returncode != 0
    assert "never seeded in production" in refused.stderr
    assert "demo-owner-passphrase" not in refused.stdout
    assert await head(database, demo) == before
