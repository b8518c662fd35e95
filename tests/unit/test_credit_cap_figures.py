"""Altered credit figures that the accreditation statement must not vouch for: the figure's
other forms (a tenth, as CEU), a merged OCR line, a stray number above, a unit word taken for
a label. Each was verified by a cap that removed the first place the figure's number appears.
Then the statement's amount as certificates print it (a decimal comma, in words, beside a
conversion note) and the rows OCR glues to it (a certificate number misread or split): each
altered certificate was verified by the cap before, and its genuine twin must still verify."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.credits.verification import Assessment, TextReading
from services.core.reading.fields import find_fields_in
from tests.verification_support import SDMS_CERTIFICATE, judged_for_dana_whitfield

SDMS = "\n".join(SDMS_CERTIFICATE) + "\n"
APPROVED = "This activity is approved by the Society of Diagnostic Medical Sonography for"
STATEMENT = APPROVED + " {} SDMS CME credits."


def judge(text: str, credits: str) -> Assessment:
    """What the worker concludes for the certificate ``text`` declared with ``credits``."""
    reading = TextReading(source="text_layer", confidence=1.0)
    return judged_for_dana_whitfield(reading, find_fields_in(text), credits)


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
    assessment = judge(text, figure)
    assert assessment.outcome != "verified", assessment.reasons


GLUED_TO_STATEMENT = SDMS + "{row}\n{figure} SDMS CME Category A\n" + STATEMENT.format("2.5") + "\n"
"""A certificate number's row and the credit row OCR glued to the statement below them (a row
ending in "Category A" reads on into "This activity ...")."""
CERTIFICATE_IN_CEU = SDMS + APPROVED + " 0.2 CEU ({note}).\nCredits awarded: {figure}\n"


IN_WORDS = SDMS + APPROVED + " {amount}.\nCredits awarded: {figure}\n"


@pytest.mark.parametrize(
    ("text", "genuine", "altered"),
    [
        # OCR read an O for a 0 in the number: the rows set aside are the statement's cleaned
        # lines
        pytest.param(
            GLUED_TO_STATEMENT.replace("{row}", "Certificate #23O0 8357 Credit"),
            "2.5",
            "7.5",
            id="misread-number-row",
        ),
        pytest.param(
            SDMS + "Certificate # 23O08357 Credit {figure} SDMS CME Category A\n"
            f"{STATEMENT.format('2.5')}\n",
            "2.5",
            "7.5",
            id="misread-number-and-credit-row",
        ),
        pytest.param(
            GLUED_TO_STATEMENT.replace("{row}", "Certificate # 23008357").replace(
                "Category A\n", "Category A |\n"
            ),
            "2.5",
            "7.5",
            id="stray-mark-after-credit-row",
        ),
        # the certificate number's label lost or not one the finder knows: a digit group of
        # the split number stands before "Credit"
        pytest.param(
            GLUED_TO_STATEMENT.replace("{row}", "Certificate 2300 8357 Credit"),
            "2.5",
            "7.5",
            id="split-number-four-digits",
        ),
        pytest.param(
            GLUED_TO_STATEMENT.replace("{row}", "ID 23008 357 Credits"),
            "2.5",
            "7.5",
            id="split-number-three-digits",
        ),
        pytest.param(
            IN_WORDS.replace("{amount}", "1,5 SDMS CME credits"), "1,5", "3", id="decimal-comma"
        ),
        pytest.param(
            IN_WORDS.replace("{amount}", "1,5 contact hours"),
            "1,5",
            "2,5",
            id="decimal-comma-hours",
        ),
        pytest.param(
            CERTIFICATE_IN_CEU.replace("{note}", "1 CEU = 10 contact hours"),
            "2",
            "4",
            id="conversion-note",
        ),
        pytest.param(
            CERTIFICATE_IN_CEU.replace("{note}", "one CEU equals ten contact hours"),
            "2",
            "4",
            id="conversion-note-in-words",
        ),
        pytest.param(
            CERTIFICATE_IN_CEU.replace("{note}", "1 contact hour = 0.1 CEU"),
            "2",
            "7",
            id="conversion-note-reversed",
        ),
        pytest.param(
            IN_WORDS.replace("{amount}", "one and one-half (1.5) contact hours"),
            "1.5",
            "3",
            id="words-and-figure",
        ),
        pytest.param(
            IN_WORDS.replace("{amount}", "two SDMS CME credits"), "2", "4", id="words-only"
        ),
    ],
)
def test_an_amount_approved_as_certificates_print_it_caps_the_figure(
    text: str, genuine: str, altered: str
) -> None:
    declared = genuine.replace(",", ".")
    assert judge(text.replace("{figure}", genuine), declared).outcome == "verified"
    assessment = judge(text.replace("{figure}", altered), altered.replace(",", "."))
    assert assessment.outcome == "needs_review"
    assert [r.code for r in assessment.reasons] == ["credits_mismatch"]
    assert f"more than the {declared} its accreditation statement approves" in (
        assessment.reasons[0].message
    )


COUNTED_IN_CEUS = (
    SDMS + "{row}\n" + APPROVED + " {amount} SDMS CME credit. 1 CEU = 10 contact hours.\n"
)
"""The credit row above the statement, as the development set's CEU workshop prints it."""


@pytest.mark.parametrize(
    ("text", "genuine", "altered"),
    [
        pytest.param(COUNTED_IN_CEUS.format(row="CEUs {}", amount="1.0"), "10", "20", id="ceus"),
        pytest.param(
            COUNTED_IN_CEUS.format(row="CEUs {}", amount="2"),
            "2",
            "4",
            id="hours-printed-in-ceus",
        ),
        pytest.param(
            COUNTED_IN_CEUS.format(row="CEUs {}", amount="2"),
            "2",
            "20",
            id="ceus-as-many-as-the-amount-in-hours",
        ),
        pytest.param(
            COUNTED_IN_CEUS.format(row="Contact hours: {}", amount="1.5"), "1.5", "3", id="hours"
        ),
    ],
)
def test_a_conversion_note_counts_an_amount_in_ceus_only_where_the_figure_is_that_amount(
    text: str, genuine: str, altered: str
) -> None:
    """A statement approving "1.0 ... credit" with a note on CEUs, over a figure "CEUs 1.0", is
    counted in CEUs (10 contact hours): the figure in CEUs is the amount, and no more than the
    note's own 1 CEU. A figure in CEUs that is another amount or more than 1 CEU, or a figure
    in hours, is capped by the amount as printed. ``genuine`` and ``altered`` are contact
    hours."""

    def printed(hours: str) -> str:
        in_ceus = "CEUs {}" in text
        return text.replace("{}", f"{Decimal(hours) / 10:.1f}" if in_ceus else hours)

    assert judge(printed(genuine), genuine).outcome == "verified"
    assessment = judge(printed(altered), altered)
    assert assessment.outcome == "needs_review"
    assert [r.code for r in assessment.reasons] == ["credits_mismatch"]
