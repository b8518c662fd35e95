"""Starting a credit with its certificate, over HTTP: hostile files and fields are refused with a
readable page and change nothing; a kept file survives a refused form; a confirm sent twice
records one credit."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

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
