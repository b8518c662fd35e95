"""A credit figure raised on a text PDF in the certificate's own font, so that nothing but its
accreditation statement can tell: the statement's amount caps it however the statement prints
it (a decimal comma, in words, beside a conversion note) and whatever row is glued to it (a
certificate number in two digit groups, a separator mark). The genuine certificate of each kind
is verified, as the worker reads and judges it."""

from __future__ import annotations

import pytest

from domain.credits.verification import Assessment
from services.core.reading.process import read
from tests.fixtures.certificates.canvas import LETTER, Page, to_pdf
from tests.verification_support import SDMS_CERTIFICATE, judged_for_dana_whitfield

APPROVED = "This activity is approved by the Society of Diagnostic Medical Sonography for"


def certificate(*rows: str) -> bytes:
    """A one-page text PDF printing ``SDMS_CERTIFICATE`` and then ``rows``, each on its own
    line, in one font (a long row wraps)."""
    page = Page(*LETTER)
    y = 90.0
    for row in (*SDMS_CERTIFICATE, *rows):
        y = page.paragraph(72, y, 468, row, size=11) + 6
    return to_pdf(page)


def judged(data: bytes, credits: str) -> Assessment:
    reading = read(data, "application/pdf")
    return judged_for_dana_whitfield(reading.text, reading.fields, credits, reading.signals)


STATEMENT_OF_2_5 = f"{APPROVED} 2.5 SDMS CME credits."


@pytest.mark.parametrize(
    ("rows", "genuine", "altered"),
    [
        pytest.param(
            ("Certificate 2300 8357 Credit", "{figure} SDMS CME Category A", STATEMENT_OF_2_5),
            "2.5",
            "7.5",
            id="number-in-two-groups-glued-to-the-statement",
        ),
        pytest.param(
            ("Certificate # 23008357 | Credit {figure} SDMS CME Category A", STATEMENT_OF_2_5),
            "2.5",
            "7.5",
            id="separator-in-the-row-glued-to-the-statement",
        ),
        pytest.param(
            (f"{APPROVED} 1,5 contact hours.", "Credits awarded: {figure}"),
            "1,5",
            "3",
            id="decimal-comma",
        ),
        pytest.param(
            (f"{APPROVED} 0.2 CEU (1 CEU = 10 contact hours).", "Contact hours awarded: {figure}"),
            "2",
            "4",
            id="conversion-note",
        ),
        pytest.param(
            (f"{APPROVED} one and one-half (1.5) contact hours.", "Credits awarded: {figure}"),
            "1.5",
            "3",
            id="amount-in-words",
        ),
    ],
)
def test_a_figure_raised_above_its_statement_on_a_text_pdf_is_held_up(
    rows: tuple[str, ...], genuine: str, altered: str
) -> None:
    declared = genuine.replace(",", ".")
    printed = certificate(*(row.replace("{figure}", genuine) for row in rows))
    assert judged(printed, declared).outcome == "verified"
    raised = judged(certificate(*(row.replace("{figure}", altered) for row in rows)), altered)
    assert raised.outcome == "needs_review"
    assert [r.code for r in raised.reasons] == ["credits_mismatch"]
    assert f"more than the {declared} its accreditation statement approves" in (
        raised.reasons[0].message
    )
