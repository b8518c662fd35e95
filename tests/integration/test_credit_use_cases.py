"""The ``record_credit`` use case with certificate files, on PostgreSQL: the API and the portal both
record through it, and the credit and its files are stored together or not at all."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO
from uuid import UUID, uuid4

import pytest

from domain.credits.credit import CreditDetails, InvalidCreditDetails
from domain.people.person import RegisterPerson
from services.core.application import AccessDenied, Actor, Application, UseCases
from services.core.blobs import BlobStore, FilesystemBlobStore, blob_key
from services.core.certificates.files import CertificateFile, CertificateFiles
from services.core.certificates.handlers import inspect_upload
from services.core.credits.use_cases import RecordNewCredit, record_credit
from services.core.db import Database
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import EventStore
from services.core.idempotency import command_sequence
from services.core.people import queries
from services.core.people.handlers import register_person
from services.core.projections.certificates import certificates_of
from services.core.settings import Settings
from tests.certificate_files import pdf
from tests.conftest import new_tenant
from tests.support import register

pytestmark = pytest.mark.integration


class UnwritableBlobStore:
    """A blob store whose disk fails on every write."""

    def put(self, key: str, source: IO[bytes]) -> None:
        raise OSError("disk full")

    def open(self, key: str) -> Iterator[bytes]:
        raise AssertionError("nothing is read")

    def exists(self, key: str) -> bool:
        return False


async def _member(
    database: Database, store: EventStore, settings: Settings
) -> tuple[UseCases, UUID]:
    """A new organisation with one employee who has a staff record, and their use-case runner."""
    tenant, person_id = new_tenant(), uuid4()
    await register(database, store, tenant)
    async with database.transaction(tenant) as tx:
        await register_person(
            CommandContext(tx, store, uuid4()), RegisterPerson(person_id=person_id, full_name="Ada")
        )
    actor = Actor(tenant_id=tenant, role="employee", user_id=uuid4(), person_id=person_id)
    application = Application(database=database, store=store, settings=settings)
    return application.use_cases(actor, command_sequence(uuid4())), person_id


def _details(completed_on: date = date(2026, 3, 1)) -> CreditDetails:
    return CreditDetails(
        title="Vascular update",
        provider="SDMS",
        accrediting_organisation="SDMS",
        credit_types=("sdms",),
        completed_on=completed_on,
        credits=Decimal("1.5"),
    )


async def _files(blobs: BlobStore, *contents: bytes) -> CertificateFiles:
    files = []
    for number, content in enumerate(contents):
        source = io.BytesIO(content)
        inspected = await inspect_upload(source, max_bytes=1_000_000)
        files.append(
            CertificateFile(
                filename=f"certificate-{number}.pdf", source=source, inspected=inspected
            )
        )
    return CertificateFiles(blobs=blobs, files=tuple(files))


async def test_a_credit_is_recorded_with_its_certificate_files_in_one_unit_of_work(
    database: Database, store: EventStore, migrated: Settings, tmp_path: Path
) -> None:
    use_cases, person_id = await _member(database, store, migrated)
    blobs = FilesystemBlobStore(tmp_path)
    files = await _files(blobs, pdf("first"), pdf("second"))

    recorded = await use_cases.run(
        record_credit,
        RecordNewCredit(person_id=person_id, details=_details(), certificates=files),
    )

    tenant = use_cases.actor.tenant_id
    async with database.transaction(tenant) as tx:
        stored = await certificates_of(tx, person_id)
    assert sorted(c.filename for c in stored) == ["certificate-0.pdf", "certificate-1.pdf"]
    assert {c.credit_id for c in stored} == {recorded.credit.credit_id}
    assert all(blobs.exists(blob_key(tenant, f.inspected.sha256)) for f in files.files)


@pytest.mark.parametrize(
    ("details", "blobs", "refusal"),
    [
        (_details(completed_on=date(2100, 1, 1)), None, InvalidCreditDetails),
        (_details(), UnwritableBlobStore(), OSError),
    ],
    ids=["credit refused", "file not stored"],
)
async def test_a_refused_credit_or_file_stores_neither(
    database: Database,
    store: EventStore,
    migrated: Settings,
    tmp_path: Path,
    details: CreditDetails,
    blobs: BlobStore | None,
    refusal: type[Exception],
) -> None:
    use_cases, person_id = await _member(database, store, migrated)
    written = FilesystemBlobStore(tmp_path)
    files = await _files(blobs or written, pdf())

    with pytest.raises(refusal):
        await use_cases.run(
            record_credit,
            RecordNewCredit(person_id=person_id, details=details, certificates=files),
        )

    async with database.transaction(use_cases.actor.tenant_id) as tx:
        assert await queries.my_credits(tx, person_id) == []
        assert await certificates_of(tx, person_id) == []
    assert not written.exists(blob_key(use_cases.actor.tenant_id, files.files[0].inspected.sha256))


async def test_a_member_records_no_credit_with_files_on_anothers_record(
    database: Database, store: EventStore, migrated: Settings, tmp_path: Path
) -> None:
    use_cases, _ = await _member(database, store, migrated)
    files = await _files(FilesystemBlobStore(tmp_path), pdf())

    with pytest.raises(AccessDenied):
        await use_cases.run(
            record_credit,
            RecordNewCredit(person_id=uuid4(), details=_details(), certificates=files),
        )
