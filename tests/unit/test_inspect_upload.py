"""Reading an upload once: hash, size and kind, a size limit that stops reading, and a rewind."""

from __future__ import annotations

import hashlib
import io

import pytest

from domain.credits.certificate import FileTooLarge, UnsupportedFileType
from services.core.blobs import CHUNK_BYTES
from services.core.certificates.handlers import inspect_file
from tests.certificate_files import ELF, pdf, png

pytestmark = pytest.mark.unit


def test_an_upload_is_hashed_counted_and_sniffed_and_left_rewound() -> None:
    data = pdf(padding=3 * CHUNK_BYTES)
    source = io.BytesIO(data)
    found = inspect_file(source, max_bytes=len(data))
    assert found == (hashlib.sha256(data).hexdigest(), len(data), "application/pdf")
    assert source.read() == data


def test_reading_stops_with_file_too_large_past_the_limit() -> None:
    data = pdf(padding=10 * CHUNK_BYTES)
    source = io.BytesIO(data)
    with pytest.raises(FileTooLarge, match=str(2 * CHUNK_BYTES)):
        inspect_file(source, max_bytes=2 * CHUNK_BYTES)
    assert source.tell() <= 3 * CHUNK_BYTES, "the rest of the file is never read"


def test_a_file_exactly_at_the_limit_passes() -> None:
    data = png()
    assert inspect_file(io.BytesIO(data), max_bytes=len(data)).size_bytes == len(data)


def test_content_refusals_come_through() -> None:
    with pytest.raises(UnsupportedFileType):
        inspect_file(io.BytesIO(ELF), max_bytes=10_000)
