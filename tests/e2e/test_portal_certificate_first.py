"""Starting a credit with its certificate, over HTTP: hostile files and fields are refused with a
readable page and change nothing; a photo is read by the real worker (a ``cmeledger worker``
process on a queue of this module's own) and the form comes back prefilled; a photo chosen
twice sends one job; a reader that does not answer, or cannot be asked, leaves the form to fill
in by hand with the file kept; a kept file survives a refused form; a confirm sent twice
records one credit."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pika
import pytest
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from litestar.testing import AsyncTestClient

from domain.compliance.standing import day_text
from services.core.blobs import FilesystemBlobStore
from services.core.certificates import verification
from services.core.db import Database
from services.core.eventsourcing.commands import CommandContext
from services.core.reading.process import READER_VERSION
from services.core.registry import build_event_store
from services.core.settings import Settings
from services.worker.broker import build_broker
from tests.broker_support import delete_queue, relay_and_worker
from tests.certificate_files import pdf, pdf_bomb, png
from tests.e2e.conftest import connected_client, sign_up
from tests.e2e.test_portal_http import FORM_CREDIT, credits_of, is_page, own_record
from tests.fixtures.certificates.generate import Sample, build_corpus
from tests.live_server import free_port
from tests.verification_support import CORPUS_SEED, certificate_sample

pytestmark = pytest.mark.e2e
MAX_UPLOAD = 10 * 1024 * 1024


READ_WITHIN_S = 180
"""A bound for a hang: the worker's reading of a photo on a loaded machine."""


class Member(msgspec.Struct):
    client: AsyncTestClient[Any]
    person_id: str
    blobs: Path
    settings: Settings


@asynccontextmanager
async def member_of(settings: Settings) -> AsyncIterator[Member]:
    """A new organisation's owner with an own record, signed in to the app of ``settings``."""
    async with connected_client(settings) as client:
        me = await sign_up(client)
        yield Member(client, await own_record(client, me), Path(settings.blob_dir), settings)


@pytest.fixture
def queue(migrated: Settings) -> Iterator[str]:
    """A queue of the test's own (no worker takes from it), deleted afterwards."""
    name = f"reading-{uuid4().hex[:12]}"
    yield name
    broker = build_broker(migrated)
    assert isinstance(broker, RabbitmqBroker)
    delete_queue(broker, name)
    broker.close()


@pytest.fixture
async def member(migrated: Settings, tmp_path: Path, queue: str) -> AsyncIterator[Member]:
    settings = msgspec.structs.replace(
        migrated,
        blob_dir=str(tmp_path / "blobs"),
        max_upload_bytes=MAX_UPLOAD,
        broker_queue=queue,
    )
    async with member_of(settings) as found:
        yield found


@pytest.fixture(scope="module")
def worker_settings(
    migrated: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """The settings of apps whose readings a real worker (one process for the module) makes."""
    settings = msgspec.structs.replace(
        migrated,
        blob_dir=str(tmp_path_factory.mktemp("read-blobs")),
        max_upload_bytes=MAX_UPLOAD,
        broker_queue=f"reading-{uuid4().hex[:12]}",
    )
    logs = tmp_path_factory.mktemp("worker-logs")
    with relay_and_worker(
        settings, Path(settings.blob_dir), logs, queue=settings.broker_queue, relay=False
    ):
        yield settings


@pytest.fixture
async def read_by_worker(worker_settings: Settings) -> AsyncIterator[Member]:
    """A member whose scans and photos the module's worker reads."""
    async with member_of(worker_settings) as found:
        yield found


def photo() -> Sample:
    [found] = [s for s in build_corpus(CORPUS_SEED, 1, ("photo",)) if s.layout == "asrt"]
    return found


async def read_until_done(member: Member, answer: Any) -> Any:
    """Follow the reading's progress page (as its polling does) until the form comes."""
    deadline = time.monotonic() + READ_WITHIN_S
    while "Reading the certificate" in answer.text:
        assert time.monotonic() < deadline, "the reading never came"
        await asyncio.sleep(0.5)
        answer = await member.client.get(answer.url)
    return answer


def queued(settings: Settings) -> int:
    """Messages waiting on the queue of ``settings``."""
    broker = build_broker(settings)
    assert isinstance(broker, RabbitmqBroker)
    connection = pika.BlockingConnection(broker.parameters)
    try:
        declared = connection.channel().queue_declare(settings.broker_queue, passive=True)
        return int(declared.method.message_count)
    finally:
        connection.close()
        broker.close()


def kept_files(member: Member) -> list[Path]:
    return [path for path in member.blobs.rglob("*") if path.is_file()]


async def choose(member: Member, name: str, data: bytes, media_type: str) -> Any:
    return await member.client.post(
        "/credits/new/read",
        files={"certificate": (name, data, media_type)},
        follow_redirects=True,
    )


@pytest.mark.parametrize(
    ("name", "data", "media_type", "message"),
    [
        ("empty.pdf", b"", "application/pdf", "empty"),
        ("huge.pdf", pdf(padding=30 * 1024 * 1024), "application/pdf", ""),
        ("notes.txt", b"just some text, not a certificate", "text/plain", ""),
    ],
)
async def test_a_refused_file_is_a_readable_page_and_keeps_nothing(
    member: Member, name: str, data: bytes, media_type: str, message: str
) -> None:
    refused = await choose(member, name, data, media_type)
    assert refused.status_code in {413, 415, 422}, refused.status_code
    assert is_page(refused)
    assert message in refused.text.lower()
    assert "Traceback" not in refused.text
    assert kept_files(member) == []
    assert await credits_of(member.client, member.person_id) == []


@pytest.mark.parametrize(
    ("name", "data", "media_type"),
    [("bomb.pdf", pdf_bomb(), "application/pdf"), ("cat.png", png(64, 64), "image/png")],
)
async def test_a_file_with_nothing_to_read_opens_an_empty_form_to_check(
    read_by_worker: Member, name: str, data: bytes, media_type: str
) -> None:
    """A PDF bomb or a picture that is no certificate: the reader finds nothing (or stops), the
    form comes back with every field to check, and nothing is recorded."""
    member = read_by_worker
    answer = await read_until_done(member, await choose(member, name, data, media_type))
    assert answer.status_code == 200, answer.text
    if name == "bomb.pdf":
        assert "The certificate could not be read" in answer.text
    assert "Check what was read" in answer.text
    assert "Read from the certificate." not in answer.text
    assert "Please check" in answer.text
    assert await credits_of(member.client, member.person_id) == []


async def test_a_nul_in_a_field_is_refused_and_records_nothing(member: Member) -> None:
    refused = await member.client.post("/credits/new", data={**FORM_CREDIT, "title": "a\x00b"})
    assert refused.status_code == 400
    assert is_page(refused)
    assert await credits_of(member.client, member.person_id) == []


async def test_the_kept_file_survives_a_refused_form_and_a_double_confirm_records_once(
    member: Member,
) -> None:
    sample = certificate_sample()
    read = await choose(member, "asrt.pdf", sample.data, "application/pdf")
    assert "Check what was read" in read.text, read.text
    [upload] = re.findall(r'name="upload" value="([0-9a-f]{64})"', read.text)
    key = re.search(r'name="_idempotency_key" value="([^"]+)"', read.text)
    assert key
    form = {**FORM_CREDIT, "upload": upload, "upload_name": "asrt.pdf"}
    refused = await member.client.post("/credits/new", data={**form, "credits": "0.3"})
    assert refused.status_code == 422
    assert f'name="upload" value="{upload}"' in refused.text
    assert "Kept: <strong>asrt.pdf</strong>" in refused.text
    confirm = {**form, "_idempotency_key": key.group(1)}
    first = await member.client.post("/credits/new", data=confirm, follow_redirects=False)
    second = await member.client.post("/credits/new", data=confirm, follow_redirects=False)
    assert (first.status_code, second.status_code) == (303, 303), second.text
    assert first.headers["location"] == second.headers["location"]
    [credit] = await credits_of(member.client, member.person_id)
    files = await member.client.get(f"/api/v1/people/{member.person_id}/certificates")
    [certificate] = files.json()
    assert certificate["credit_id"] == credit["credit_id"]
    assert len(kept_files(member)) == 1, "stored once, by its hash"


async def test_the_worker_takes_the_reading_the_portal_made_and_reads_other_files(
    member: Member, migrated: Settings, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A certificate read while the person filled in the form is verified without reading it
    again; a file sent through the API, never read before, is read by the verification."""
    reads: list[str] = []
    reader = verification.read_in_child

    async def counted(data: bytes, media_type: Any, *, limit_s: float) -> Any:
        reads.append(media_type)
        return await reader(data, media_type, limit_s=limit_s)

    monkeypatch.setattr(verification, "read_in_child", counted)
    tenant = UUID((await member.client.get("/api/v1/me")).json()["organisation_id"])
    settings = msgspec.structs.replace(migrated, blob_dir=str(member.blobs))

    async def verify(certificate_id: str) -> str:
        async with database.transaction(tenant) as tx:
            await verification.verify_certificate(
                CommandContext(tx, build_event_store(), uuid4()),
                FilesystemBlobStore(member.blobs),
                settings,
                UUID(certificate_id),
            )
        files = await member.client.get(f"/api/v1/people/{member.person_id}/certificates")
        [found] = [c for c in files.json() if c["certificate_id"] == certificate_id]
        return str(found["status"])

    read = await choose(member, "asrt.pdf", certificate_sample().data, "application/pdf")
    assert "Check what was read" in read.text, "a text PDF is read within the request"
    [upload] = re.findall(r'name="upload" value="([0-9a-f]{64})"', read.text)
    form = {**FORM_CREDIT, "upload": upload, "upload_name": "asrt.pdf"}
    saved = await member.client.post("/credits/new", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    [chosen] = (await member.client.get(f"/api/v1/people/{member.person_id}/certificates")).json()
    assert await verify(chosen["certificate_id"]) != "pending"
    assert reads == [], "the reading made for the form is used again"

    sent = await member.client.post(
        f"/api/v1/people/{member.person_id}/certificates",
        files={"file": ("other.pdf", certificate_sample("gulfcoast").data, "application/pdf")},
    )
    assert sent.status_code == 201, sent.text
    assert await verify(sent.json()["certificate"]["certificate_id"]) != "pending"
    assert reads == ["application/pdf"]


async def test_a_photo_is_read_by_the_worker_and_the_form_comes_back_prefilled(
    read_by_worker: Member, database: Database
) -> None:
    sample = photo()
    truth = sample.truth
    member = read_by_worker
    answer = await choose(member, "certificate.jpg", sample.data, sample.media_type)
    assert "Reading the certificate" in answer.text, "a photo is read by the worker"
    assert "Reading <strong>certificate.jpg</strong>" in answer.text
    answer = await read_until_done(member, answer)
    assert "Check what was read" in answer.text, answer.text
    assert f'value="{truth.title}"' in answer.text
    assert f'value="{truth.provider}"' in answer.text
    assert truth.completion_date is not None
    assert f'value="{day_text(truth.completion_date)}"' in answer.text
    assert "Read from the certificate." in answer.text
    [upload] = re.findall(r'name="upload" value="([0-9a-f]{64})"', answer.text)
    tenant = UUID((await member.client.get("/api/v1/me")).json()["organisation_id"])
    async with database.transaction(tenant) as tx:
        versions = await tx.pg.fetch(
            "SELECT reader_version FROM certificate_readings WHERE sha256 = $1", upload
        )
    assert [row["reader_version"] for row in versions] == [READER_VERSION]
    form = {**FORM_CREDIT, "upload": upload, "upload_name": "certificate.jpg"}
    saved = await member.client.post("/credits/new", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text


async def test_a_photo_chosen_twice_sends_one_reading_and_a_get_writes_nothing(
    member: Member, database: Database
) -> None:
    sample = photo()
    first, second = await asyncio.gather(
        choose(member, "certificate.jpg", sample.data, sample.media_type),
        choose(member, "certificate.jpg", sample.data, sample.media_type),
    )
    again = await choose(member, "again.jpg", sample.data, sample.media_type)
    for answer in (first, second, again):
        assert "Reading the certificate" in answer.text, answer.text
    assert queued(member.settings) == 1
    tenant = UUID((await member.client.get("/api/v1/me")).json()["organisation_id"])

    async def rows() -> list[int]:
        async with database.transaction(tenant) as tx:
            return [
                await tx.pg.fetchval(f"SELECT count(*) FROM {table}")
                for table in ("certificate_reading_jobs", "certificate_readings")
            ]

    before = await rows()
    assert before == [1, 0]
    await member.client.get(first.url)
    await member.client.get(str(first.url).replace("/credits/new?", "/credits/new/reading?"))
    assert await rows() == before


async def test_a_reader_that_does_not_answer_leaves_the_form_by_hand_with_the_file_kept(
    migrated: Settings, tmp_path: Path, queue: str
) -> None:
    settings = msgspec.structs.replace(
        migrated, blob_dir=str(tmp_path / "blobs"), broker_queue=queue, reading_wait_s=1
    )
    sample = photo()
    async with member_of(settings) as member:
        answer = await read_until_done(
            member, await choose(member, "certificate.jpg", sample.data, sample.media_type)
        )
    assert answer.status_code == 200, answer.text
    assert "The reader has not answered within 1 second" in answer.text
    assert "Kept: <strong>certificate.jpg</strong>" in answer.text
    assert 'name="upload" value="' in answer.text


async def test_a_broker_out_of_reach_leaves_the_form_by_hand_with_the_file_kept(
    migrated: Settings, tmp_path: Path
) -> None:
    closed = f"amqp://guest:guest@127.0.0.1:{free_port()}/"
    settings = msgspec.structs.replace(
        migrated, blob_dir=str(tmp_path / "blobs"), broker_url=closed
    )
    sample = photo()
    async with member_of(settings) as member:
        answer = await choose(member, "certificate.jpg", sample.data, sample.media_type)
    assert answer.status_code == 200, answer.text
    assert "could not be sent to the reader" in answer.text
    assert "Kept: <strong>certificate.jpg</strong>" in answer.text


async def test_a_reading_unanswered_for_the_wait_is_asked_again_once(
    migrated: Settings, tmp_path: Path, queue: str, database: Database
) -> None:
    """A job lost on the way (nobody takes from this queue) is asked again, as a new message,
    when the file is chosen after the reading wait (chosen twice within it, it is asked once:
    ``test_a_photo_chosen_twice_sends_one_reading_and_a_get_writes_nothing``)."""
    settings = msgspec.structs.replace(
        migrated, blob_dir=str(tmp_path / "blobs"), broker_queue=queue, reading_wait_s=1
    )
    sample = photo()
    async with member_of(settings) as member:
        first = await choose(member, "certificate.jpg", sample.data, sample.media_type)
        assert queued(settings) == 1
        silent = await read_until_done(member, first)
        assert "The reader has not answered within 1 second" in silent.text
        again = await choose(member, "certificate.jpg", sample.data, sample.media_type)
        assert "Reading the certificate" in again.text, again.text
        assert queued(settings) == 2, "asked again, as a new message"
        tenant = UUID((await member.client.get("/api/v1/me")).json()["organisation_id"])
    async with database.transaction(tenant) as tx:
        jobs = await tx.pg.fetchval("SELECT count(*) FROM certificate_reading_jobs")
    assert jobs == 1
