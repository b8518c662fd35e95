"""Altered credit figures that the accreditation statement must not vouch for: the figure's
other forms (a tenth, as CEU), a merged OCR line, a stray number above, a unit word taken for
a label. Each was verified by a cap that removed the first place the figure's number appears."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.compliance.cycles import Window
from domain.credits.providers import ProviderDirectory
from domain.credits.verification import TextReading, Thresholds, assess
from services.core.reading.fields import find_fields_in
from tests.builders import credit_details

SDMS = """Society of Diagnostic Medical Sonography
Certificate of Completion
This certifies that
Dana K. Whitfield
has completed
Carotid duplex protocols
Date of completion: April 14, 2026
SDMS file number: 5012345
"""
APPROVED = "This activity is approved by the Society of Diagnostic Medical Sonography for"
STATEMENT = APPROVED + " {} SDMS CME credits."


def outcome(text: str, credits: str) -> tuple[str, dict[str, str]]:
    fields = find_fields_in(text)
    assessment = assess(
        TextReading(source="text_layer", confidence=1.0),
        fields,
        declared=credit_details(credits=Decimal(credits), completed_on=date(2026, 4, 14)),
        person_name="Dana K. Whitfield",
        bodies=("ARDMS",),
        provider=ProviderDirectory.with_tenant().find(fields.provider or ""),
        thresholds=Thresholds(),
        uploaded_on=date(2026, 11, 26),
        windows={"ARDMS": (Window(start=date(2025, 1, 1), end=date(2026, 12, 31)),)},
    )
    return assessment.outcome, fields.evidence


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        # CEU form of the figure (20 -> "2") found first in the statement above the credit row
        (SDMS + STATEMENT.format("2") + "\nCredits awarded: 20\n", "20"),
        (SDMS + STATEMENT.format("0.5") + "\nCredits awarded: 5\n", "5"),
        # OCR merged the statement and the credit column on one line
        (SDMS + STATEMENT.format("1")[:-9] + "credit. Credits: 10\n", "10"),
        # a stray "2" (table cell, page number) on a line above
        (
            SDMS.replace("has completed\n", "has completed\n2\n")
            + "Credits awarded: 20\n"
            + STATEMENT.format("2")
            + "\n",
            "20",
        ),
        # label without colon after a number eats the statement's unit: "... for 1.5 credits 7.5"
        (
            SDMS + APPROVED + " 1.5 credits 7.5\n",
            "7.5",
        ),
    ],
)
def test_an_altered_figure_is_not_verified(text: str, figure: str) -> None:
    found, evidence = outcome(text, figure)
    assert found != "verified", evidence
