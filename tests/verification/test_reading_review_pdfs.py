"""Text PDFs, read as the worker reads them, of two certificates the reading rules of issue 13
verified for the wrong person or amount: a faculty member's name over the "Participant Name"
caption of someone else's certificate, and a count of webinars in the statement taken for the
amount approved."""

from __future__ import annotations

from domain.credits.verification import Assessment
from services.core.reading.process import read
from tests.fixtures.certificates.canvas import LETTER, Page, to_pdf
from tests.verification_support import judged_for_dana_whitfield

HEADING = ("Society of Diagnostic Medical Sonography", "Certificate of Completion")
DETAILS = (
    "Activity: Carotid duplex protocols",
    "Date of completion: April 14, 2026",
    "SDMS file number: 5012345",
)


def judged(rows: tuple[str, ...], credits: str) -> Assessment:
    """What the worker concludes for Dana K. Whitfield declaring ``credits`` for a one-page
    text PDF printing ``rows``, each on its own line."""
    page = Page(*LETTER)
    y = 90.0
    for row in rows:
        y = page.paragraph(72, y, 468, row, size=11) + 6
    reading = read(to_pdf(page), "application/pdf")
    return judged_for_dana_whitfield(reading.text, reading.fields, credits, reading.signals)


def test_a_faculty_members_name_over_the_participant_caption_does_not_make_it_theirs() -> None:
    rows = (
        *HEADING,
        "Faculty",
        "Dana K. Whitfield",
        "Participant Name",
        "Jordan P. Smith",
        *DETAILS,
        "This activity is approved by the Society of Diagnostic Medical Sonography for 2 SDMS"
        " CME credits.",
        "Credits awarded: 2",
    )
    assert "made_out_to_another" in [reason.code for reason in judged(rows, "2").reasons]


def test_a_figure_raised_to_the_count_of_webinars_in_the_statement_is_held_up() -> None:
    def rows(figure: str) -> tuple[str, ...]:
        return (
            *HEADING,
            "This certifies that",
            "Dana K. Whitfield",
            "has completed",
            *DETAILS,
            "This webinar, one of six CME webinars in the series, is approved by the Society of"
            " Diagnostic Medical Sonography for 1 SDMS CME credit.",
            f"Credits awarded: {figure}",
        )

    assert judged(rows("1"), "1").outcome == "verified"
    assert [reason.code for reason in judged(rows("6"), "6").reasons] == ["credits_mismatch"]
