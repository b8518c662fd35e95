"""Certificates: what a file is is decided by its content; the same file for the same person is
one certificate; file names are cleaned."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.credits.certificate import (
    SNIFF_BYTES,
    CertificateRefused,
    CertificateUploaded,
    EmptyFile,
    TruncatedFile,
    UnsupportedFileType,
    UploadCertificate,
    certificate_id_for,
    clean_filename,
    decide_upload_certificate,
    evolve,
    sniff_media_type,
)
from tests.certificate_files import ELF, PE, jpeg, pdf, png

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 26, tzinfo=UTC)


def sniff(data: bytes) -> str:
    return sniff_media_type(data[:SNIFF_BYTES], data[-SNIFF_BYTES:])


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (pdf(), "application/pdf"),
        (pdf(padding=5 * SNIFF_BYTES), "application/pdf"),
        (png(), "image/png"),
        (jpeg(), "image/jpeg"),
    ],
)
def test_complete_pdf_png_and_jpeg_files_are_recognised_by_content(
    data: bytes, media_type: str
) -> None:
    assert sniff(data) == media_type


@pytest.mark.parametrize(
    "data",
    [ELF, PE, b"GIF89a" + b"\x00" * 20, b"<html><body>certificate</body></html>", b"PK\x03\x04"],
    ids=["elf", "pe", "gif", "html", "zip"],
)
def test_anything_but_pdf_png_and_jpeg_is_refused_whatever_its_name(data: bytes) -> None:
    with pytest.raises(UnsupportedFileType, match="PDF, PNG and JPEG"):
        sniff(data)


@pytest.mark.parametrize(
    "data",
    [
        pdf()[: len(pdf()) // 2],
        pdf(padding=3 * SNIFF_BYTES)[: 2 * SNIFF_BYTES],
        png()[:-4],
        jpeg()[:-2],
    ],
    ids=["pdf-half", "pdf-eof-far-away", "png", "jpeg"],
)
def test_a_file_cut_short_is_refused(data: bytes) -> None:
    with pytest.raises(TruncatedFile, match="incomplete"):
        sniff(data)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(EmptyFile):
        sniff(b"")


def _upload(**changes: object) -> UploadCertificate:
    fields: dict[str, object] = {
        "person_id": uuid4(),
        "credit_id": None,
        "sha256": "ab" * 32,
        "media_type": "application/pdf",
        "size_bytes": 1200,
        "filename": "svu-certificate.pdf",
        **changes,
    }
    return UploadCertificate(**fields)


def test_an_upload_is_recorded_under_the_id_of_person_and_content() -> None:
    command = _upload()
    [event] = decide_upload_certificate(None, command, now=NOW, ids=uuid4)
    assert isinstance(event, CertificateUploaded)
    assert event.certificate_id == certificate_id_for(command.person_id, command.sha256)
    assert (event.sha256, event.size_bytes, event.filename) == (
        command.sha256,
        1200,
        "svu-certificate.pdf",
    )
    assert evolve(None, event).certificate_id == event.certificate_id


def test_the_same_file_for_the_same_person_is_one_certificate() -> None:
    person, other = uuid4(), uuid4()
    sha = "cd" * 32
    assert certificate_id_for(person, sha) == certificate_id_for(person, sha)
    assert certificate_id_for(person, sha) != certificate_id_for(other, sha)
    assert certificate_id_for(person, sha) != certificate_id_for(person, "ef" * 32)
    command = _upload(person_id=person, sha256=sha)
    state = evolve(None, decide_upload_certificate(None, command, now=NOW, ids=uuid4)[0])
    assert decide_upload_certificate(state, command, now=NOW, ids=uuid4) == []


@pytest.mark.parametrize(
    "changes", [{"sha256": "AB" * 32}, {"sha256": "ab" * 31}, {"size_bytes": 0}]
)
def test_an_upload_without_a_proper_hash_or_size_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(CertificateRefused):
        decide_upload_certificate(None, _upload(**changes), now=NOW, ids=uuid4)


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("certificate.pdf", "certificate.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\nia\\ARDMS 2026.pdf", "ARDMS 2026.pdf"),
        ("evil\r\nname.pdf", "evilname.pdf"),
        ("", "certificate"),
        ("x" * 300 + ".pdf", ("x" * 300 + ".pdf")[-200:]),
    ],
)
def test_file_names_lose_directories_and_control_characters(name: str, cleaned: str) -> None:
    assert clean_filename(name) == cleaned
