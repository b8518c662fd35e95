"""Starting a credit with its certificate, over HTTP: hostile files and fields are refused with a
readable page and change nothing; a kept file survives a refused form; a confirm sent twice
records one credit."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from services.core.blobs import FilesystemBlobStore
from services.core.certificates import verification
from services.core.db import Database
from services.core.registry import build_event_store
from services.core.settings import Settings
from tests.certificate_files import pdf, pdf_bomb, png
from tests.e2e.conftest import connected_client, sign_up
from tests.e2e.test_portal_http import FORM_CREDIT, credits_of, is_page, own_record
from tests.verification_support import certificate_sample

pytestmark = pytest.mark.e2e
MAX_UPLOAD = 10 * 1024 * 1024


class Member(msgspec.Struct):
    client: AsyncTestClient[Any]
    person_id: str
    blobs: Path


@pytest.fixture
async def member(migrated: Settings, tmp_path: Path) -> AsyncIterator[Member]:
    settings = msgspec.structs.replace(
        migrated, blob_dir=str(tmp_path / "blobs"), max_upload_bytes=MAX_UPLOAD
    )
    async with connected_client(settings) as client:
        me = await sign_up(client)
        yield Member(client, await own_record(client, me), tmp_path / "blobs")


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
    member: Member, name: str, data: bytes, media_type: str
) -> None:
    """A PDF bomb or a picture that is no certificate: the reader finds nothing (or stops), the
    form comes back with every field to check, and nothing is recorded."""
    answer = await choose(member, name, data, media_type)
    while "Reading the certificate" in answer.text:  # a picture is read in the background
        answer = await member.client.get(answer.url)
    assert answer.status_code == 200, answer.text
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
                tx,
                build_event_store(),
                FilesystemBlobStore(member.blobs),
                settings,
                UUID(certificate_id),
                command_id=uuid4(),
            )
        files = await member.client.get(f"/api/v1/people/{member.person_id}/certificates")
        [found] = [c for c in files.json() if c["certificate_id"] == certificate_id]
        return str(found["status"])

    read = await choose(member, "asrt.pdf", certificate_sample().data, "application/pdf")
    while "Reading the certificate" in read.text:  # a busy machine reads after the request
        read = await member.client.get(read.url)
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
