"""Finding fields in laid-out text with the reading libraries: dates the pure finder's patterns
miss (dateparser), names with courtesy titles (nameparser), and the line each field came from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.core.reading.fields import find_fields_in
from services.core.reading.layout import Row, Word, page_text, rows

pytestmark = pytest.mark.unit

CERTIFICATE = """\
Saint Luke's Cardiovascular Center
Certificate of Completion
This is to certify that
Dr. José Martínez, MD
has successfully completed the on-demand webinar
Carotid Duplex: Plaque Characterisation
Completed this 17th of January, 2026
Issued 20th of January, 2026
Credits awarded: 1.5 contact hours
This activity is approved by the ASRT for 1.5 Category A credits.
Certificate #: SLCC-2026-0042
"""


def test_every_field_found_comes_with_the_line_it_was_read_from() -> None:
    fields = find_fields_in(CERTIFICATE)
    assert fields.participant_name == "José Martínez"
    assert fields.completed_on == date(2026, 1, 17)
    assert fields.credits == Decimal("1.5")
    assert fields.evidence["participant_name"] == "Dr. José Martínez, MD"
    assert fields.evidence["completed_on"] == "Completed this 17th of January, 2026"
    assert fields.evidence["credits"] == "Credits awarded: 1.5 contact hours"
    assert fields.evidence["certificate_number"] == "Certificate #: SLCC-2026-0042"
    assert fields.evidence["title"] == "Carotid Duplex: Plaque Characterisation"
    assert set(fields.evidence) <= {
        name for name in fields.__struct_fields__ if getattr(fields, name) not in (None, ())
    }


def test_a_date_printed_for_another_purpose_is_not_taken_for_completion() -> None:
    fields = find_fields_in("Certificate of Completion\nJane Doe\nIssued 20th of January, 2026")
    assert fields.completed_on is None


def word(text: str, left: float, top: float, size: float = 10) -> Word:
    return Word(text, left, top, left + 6 * len(text), top + size)


def placed(top: float, *words: tuple[str, float], size: float = 10) -> list[Word]:
    """Words printed at ``top``, each given as (text, left)."""
    return [word(text, left, top, size) for text, left in words]


def lines_read(*words: Word) -> list[str]:
    """The lines of a page where each word came in a row of its own, as a PDF often gives them."""
    return page_text(rows(Row([w]) for w in words)).splitlines()


def test_a_label_and_its_value_across_a_gap_share_a_line_and_fields_side_by_side_do_not() -> None:
    assert lines_read(
        *placed(10, ("AMERICAN", 100), ("SOCIETY", 160), ("OF", 210), size=20),
        *placed(32, ("ECHOCARDIOGRAPHY", 100), size=20),
        *placed(80, ("Participant", 40), ("Jane", 300), ("Doe", 330)),
        *placed(100, ("Date:", 40), ("June", 72), ("1,", 100), ("2026", 115)),
        *placed(100, ("Credits:", 300), ("2.0", 350)),
    ) == [
        "AMERICAN SOCIETY OF ECHOCARDIOGRAPHY",
        "",
        "Participant Jane Doe",
        "Date: June 1, 2026",
        "Credits: 2.0",
    ]


def test_a_field_with_its_own_label_across_a_gap_is_a_line_of_its_own() -> None:
    assert lines_read(
        *placed(10, ("Heartland", 40), ("Workshop,", 100), ("Inc.", 160)),
        *placed(10, ("No.", 400), ("HW14205", 430)),
        *placed(24, ("Participant", 40), ("Dr.", 300), ("Jane", 330), ("Doe", 360)),
    ) == [
        "Heartland Workshop, Inc.",
        "No. HW14205",
        "Participant Dr. Jane Doe",
    ]


def _placed(*lines: tuple[float, float, str]) -> list[Row]:
    """Rows of words from (left, top, text) lines, each word as wide as its letters."""
    words = []
    for left, top, text in lines:
        for piece in text.split():
            words.append(word(piece, left, top))
            left += 6 * len(piece) + 6
    return rows(Row([w]) for w in words)


def test_a_page_in_two_columns_is_read_a_column_at_a_time() -> None:
    page = _placed(
        (150, 10, "Certificate of Completion"),
        (150, 40, "François Lefèvre"),
        (40, 80, "PROVIDER"),
        (40, 94, "Blue Ridge Sonography"),
        (300, 94, "completed"),
        (40, 108, "Education Ctr"),
        (300, 108, "Fetal Echocardiography: Outflow Tracts"),
        (300, 122, "and the Three-Vessel View"),
        (40, 136, "DATE"),
        (40, 150, "February 14, 2025"),
        (300, 150, "This activity has been approved by"),
        (300, 164, "the SDMS for 1.5 SDMS CME credits."),
        (40, 178, "CREDITS"),
        (40, 192, "1.50 SDMS CME"),
    )
    lines = [line for line in page_text(page).splitlines() if line]
    assert lines == [
        "Certificate of Completion",
        "François Lefèvre",
        "PROVIDER",
        "Blue Ridge Sonography",
        "Education Ctr",
        "DATE",
        "February 14, 2025",
        "CREDITS",
        "1.50 SDMS CME",
        "completed",
        "Fetal Echocardiography: Outflow Tracts",
        "and the Three-Vessel View",
        "This activity has been approved by",
        "the SDMS for 1.5 SDMS CME credits.",
    ]


def test_labels_and_their_values_in_a_column_of_their_own_stay_paired() -> None:
    page = _placed(
        (40, 80, "Participant"),
        (200, 80, "Jane Doe"),
        (40, 94, "Course"),
        (200, 94, "Carotid Duplex: Plaque"),
        (200, 108, "Characterisation"),
        (40, 122, "Date"),
        (200, 122, "June 1, 2026"),
        (40, 136, "Credits"),
        (200, 136, "2.0"),
    )
    assert [line for line in page_text(page).splitlines() if line] == [
        "Participant Jane Doe",
        "Course Carotid Duplex: Plaque",
        "Characterisation",
        "Date June 1, 2026",
        "Credits 2.0",
    ]
