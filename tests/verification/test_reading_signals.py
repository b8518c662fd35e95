"""The reader inspects the file it has open: a reading carries what the file shows of alteration
(found on the pages as they were read, a text PDF parsed once) and what its words say of its
credit, in text, scan and photo form alike."""

from __future__ import annotations

import pytest

from services.core.reading import process, tamper
from tests.fixtures.certificates import KINDS, Kind
from tests.fixtures.certificates.tampered import tampered

pytestmark = pytest.mark.ocr


def test_a_figure_in_another_font_is_found_while_the_text_layer_is_read() -> None:
    sample = tampered("font", "text_pdf")
    reading = process.read(sample.data, sample.media_type)
    assert "font_mismatch" in [s.kind for s in reading.signals.signals]


@pytest.mark.parametrize("kind", KINDS)
def test_a_white_patch_and_an_online_editor_are_found_in_every_form(kind: Kind) -> None:
    for tampering in ("white_patch", "online_editor"):
        sample = tampered(tampering, kind)
        reading = process.read(sample.data, sample.media_type)
        assert tampering in [s.kind for s in reading.signals.signals]


@pytest.mark.parametrize("kind", KINDS)
def test_attendance_only_words_reach_the_signals_in_every_form(kind: Kind) -> None:
    sample = tampered("attendance_only", kind)
    reading = process.read(sample.data, sample.media_type)
    assert "attendance_only" in [s.kind for s in reading.signals.signals]


@pytest.mark.parametrize("kind", KINDS)
def test_the_genuine_certificate_reads_with_no_signal(kind: Kind) -> None:
    sample = tampered("genuine", kind)
    assert process.read(sample.data, sample.media_type).signals.signals == ()


def test_a_text_pdf_is_parsed_once() -> None:
    assert not hasattr(tamper, "pdfplumber"), "the tamper pass parses PDFs with the reader's PDFium"
