"""Transcript PDFs: any name prints with DejaVu Sans; without it the core font still renders."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from pypdf import PdfReader

from domain.people.person import Person
from services.core import documents
from services.core.documents import Verification
from services.core.people import transcripts
from tests.unit.domain.cme_builders import credential, credit, obligations, person

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


def test_a_credit_without_a_certificate_is_said_so_not_awaiting_a_check() -> None:
    holder = person(credential("ARDMS", "RDMS", date(2021, 6, 10)))
    with_file = credit(date(2025, 5, 1), "3", types=("sdms",), title="Course with a file")
    without = credit(date(2025, 6, 1), "2", types=("sdms",), title="Course without one")
    found = obligations(holder, [with_file, without], today=date(2026, 6, 1))
    text = _text(
        transcripts.to_pdf(
            holder,
            [with_file, without],
            found,
            organisation="Riverside",
            generated_at=AT,
            verification=Verification(7, "ab" * 32),
            certified=frozenset({with_file.credit_id}),
        )
    )
    assert text.count("Awaiting check") == 1
    assert text.count("No certificate") == 1


def test_the_csv_says_no_certificate_for_a_pending_credit_without_one() -> None:
    holder = person(credential("ARDMS", "RDMS", date(2021, 6, 10)))
    with_file = credit(date(2025, 5, 1), "3", types=("sdms",), title="Course with a file")
    without = credit(date(2025, 6, 1), "2", types=("sdms",), title="Course without one")
    found = obligations(holder, [with_file, without], today=date(2026, 6, 1))
    table = transcripts.to_csv(
        holder, [with_file, without], found, certified=frozenset({with_file.credit_id})
    )
    states = {
        row["title"]: row["verification"]
        for row in csv.DictReader(io.StringIO(table))
        if row["record"] == "credit"
    }
    assert states == {"Course with a file": "pending", "Course without one": "no_certificate"}
