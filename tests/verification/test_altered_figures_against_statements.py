"""A credit figure raised on a text PDF in the certificate's own font, so that nothing but its
accreditation statement can tell: the statement's amount caps it however the statement prints
it (a decimal comma, in words, beside a conversion note) and whatever row is glued to it (a
certificate number in two digit groups, a separator mark). The genuine certificate of each kind
is verified, as the worker reads and judges it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.compliance.cycles import Window
from domain.credits.providers import ProviderDirectory
from domain.credits.verification import Assessment, Thresholds, assess
from services.core.reading.process import read
from tests.builders import credit_details
from tests.fixtures.certificates.canvas import LETTER, Page, to_pdf

HEAD = (
    "Society of Diagnostic Medical Sonography",
    "Certificate of Completion",
    "This certifies that",
    "Dana K. Whitfield",
    "has completed",
    "Carotid duplex protocols",
    "Date of completion: April 14, 2026",
    "SDMS file number: 5012345",
)
APPROVED = "This activity is approved by the Society of Diagnostic Medical Sonography for"


def certificate(*rows: str) -> bytes:
    """A one-page text PDF printing ``HEAD`` and then ``rows``, each on its own line, in one
    font (a long row wraps)."""
    page = Page(*LETTER)
    y = 90.0
    for row in (*HEAD, *rows):
        y = page.paragraph(72, y, 468, row, size=11) + 6
    return to_pdf(page)


def judged(data: bytes, credits: str) -> Assessment:
    reading = read(data, "application/pdf")
    fields = reading.fields
    return assess(
        reading.text,
        fields,
        declared=credit_details(credits=Decimal(credits), completed_on=date(2026, 4, 14)),
        person_name="Dana K. Whitfield",
        bodies=("ARDMS",),
        provider=ProviderDirectory.with_tenant().find(fields.provider or ""),
        thresholds=Thresholds(),
        uploaded_on=date(2026, 11, 26),
        windows={"ARDMS": (Window(start=date(2025, 1, 1), end=date(2026, 12, 31)),)},
        signals=reading.signals,
    )


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
