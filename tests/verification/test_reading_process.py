"""Reading in a reader process: the reading and the fields come back, and the reader reads the
next file too; a reader over the time limit, or whose caller is cancelled (the worker shutting
down), is killed with whatever it runs, the file comes back unreadable with a reason for people,
and a new reader reads the next file."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Iterator

import pytest

from services.core.reading.process import read_in_child, stop_readers
from tests.certificate_files import pdf_bomb
from tests.fixtures.certificates.generate import build_corpus
from tests.fixtures.certificates.layouts import LAYOUTS

pytestmark = pytest.mark.ocr

[TEXT_PDF, PHOTO] = build_corpus(
    seed=11, count_per_layout=1, kinds=("text_pdf", "photo"), layouts=LAYOUTS[:1]
)


@pytest.fixture(autouse=True)
def no_readers_left() -> Iterator[None]:
    yield
    stop_readers()
    assert multiprocessing.active_children() == []


def readers() -> set[int | None]:
    """The reader processes alive."""
    return {child.pid for child in multiprocessing.active_children()}


async def test_the_reader_reads_file_after_file_and_finds_their_fields() -> None:
    reading = await read_in_child(TEXT_PDF.data, TEXT_PDF.media_type, limit_s=60)
    assert (reading.text.source, reading.text.problem) == ("text_layer", None)
    assert reading.fields.participant_name == TEXT_PDF.truth.participant_name
    assert reading.fields.evidence["participant_name"]
    [reader] = readers()
    again = await read_in_child(TEXT_PDF.data, TEXT_PDF.media_type, limit_s=60)
    assert again == reading
    assert readers() == {reader}, "the same reader read the second file"


async def test_two_pdfs_read_at_once_are_both_read() -> None:
    """The worker reads several files at once: each goes to a reader process of its own
    (PDFium, not thread-safe, runs single-threaded in each)."""
    readings = await asyncio.gather(
        *(read_in_child(TEXT_PDF.data, TEXT_PDF.media_type, limit_s=60) for _ in range(2))
    )
    for reading in readings:
        assert (reading.text.source, reading.text.problem) == ("text_layer", None)
        assert reading.fields.participant_name == TEXT_PDF.truth.participant_name


async def test_a_bomb_comes_back_unreadable_with_its_reason() -> None:
    reading = await read_in_child(pdf_bomb(), "application/pdf", limit_s=60)
    assert reading.text.source == "none"
    assert reading.text.problem is not None
    assert reading.text.problem.code == "unreadable"
    assert "more text than a certificate" in reading.text.problem.message


async def test_a_reading_over_the_limit_is_killed_and_the_file_is_unreadable() -> None:
    await read_in_child(TEXT_PDF.data, TEXT_PDF.media_type, limit_s=60)
    [idle] = readers()
    started = time.monotonic()
    reading = await read_in_child(PHOTO.data, PHOTO.media_type, limit_s=0.5)
    assert time.monotonic() - started < 5  # OCR of the photo takes seconds: it was stopped
    assert reading.text.source == "none"
    assert reading.text.problem is not None
    assert reading.text.problem.code == "unreadable"
    assert "longer than 0.5 seconds" in reading.text.problem.message
    assert readers() == set(), "the reader that was stopped is gone"
    after = await read_in_child(TEXT_PDF.data, TEXT_PDF.media_type, limit_s=60)
    assert after.fields.participant_name == TEXT_PDF.truth.participant_name
    assert readers(), "a reader reads the next file"
    assert readers() != {idle}, "a new reader took the stopped one's place"


async def test_a_cancelled_reading_kills_the_reader() -> None:
    await read_in_child(TEXT_PDF.data, TEXT_PDF.media_type, limit_s=60)
    [reader] = readers()
    reading = asyncio.create_task(read_in_child(PHOTO.data, PHOTO.media_type, limit_s=60))
    await asyncio.sleep(1)
    assert readers() == {reader}, "the idle reader reads the photo"
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    assert readers() == set()
