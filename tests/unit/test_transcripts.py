"""Transcript PDFs: any name prints with DejaVu Sans; without it the core font still renders."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from pypdf import PdfReader

from domain.people.person import Person
from services.core import documents
from services.core.documents import Verification
from services.core.people import transcripts

pytestmark = pytest.mark.unit

PERSON = Person(person_id=uuid4(), full_name="Zoë Łukasiewicz", employee_number="E-17")
AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def _pdf() -> bytes:
    return transcripts.to_pdf(
        PERSON,
        [],
        [],
        organisation="Riverside",
        generated_at=AT,
        verification=Verification(7, "ab" * 32),
    )


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.skipif(not documents.DEJAVU.exists(), reason="DejaVu Sans is not installed")
def test_dejavu_prints_any_name() -> None:
    text = _text(_pdf())
    assert "Zoë Łukasiewicz" in text
    assert "Employee number E-17" in text
    assert "No obligation for the chosen body and period." in text


def test_without_dejavu_the_core_font_replaces_what_latin_1_lacks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(documents, "DEJAVU", Path("/nonexistent/DejaVuSans.ttf"))
    text = _text(_pdf())
    assert "Zoë ?ukasiewicz" in text
    assert "26 Nov 2026, 09:30 UTC" in text
