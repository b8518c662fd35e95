"""Certificates the reading rules of issue 13 must not verify for the wrong person or the wrong
amount, and their genuine twins: a name over a caption whose own name is printed under it, a
credit label running on to its colon."""

from __future__ import annotations

import pytest

from domain.credits.verification import Assessment, TextReading
from services.core.reading.fields import find_fields_in
from tests.verification_support import judged_for_dana_whitfield

pytestmark = pytest.mark.unit

HEADING = "Society of Diagnostic Medical Sonography\nCertificate of Completion\n"
DETAILS = (
    "Activity: Carotid duplex protocols\nDate of completion: April 14, 2026\n"
    "SDMS file number: 5012345\n"
    "This activity is approved by the Society of Diagnostic Medical Sonography for 2 SDMS "
    "CME credits.\nCredits awarded: 2\n"
)


def judge(text: str) -> Assessment:
    """What the worker concludes for Dana K. Whitfield declaring 2 credits for ``text``."""
    reading = TextReading(source="text_layer", confidence=1.0)
    return judged_for_dana_whitfield(reading, find_fields_in(text), "2")


@pytest.mark.parametrize(
    "above_caption",
    ["Faculty\nDana K. Whitfield", "Dana K. Whitfield, Course Director"],
)
def test_a_name_above_a_caption_whose_participant_is_printed_under_it_is_not_theirs(
    above_caption: str,
) -> None:
    """The faculty's or the director's name over "Participant Name", the participant's name
    under it: the certificate is the participant's, not the faculty member's."""
    text = f"{HEADING}{above_caption}\nParticipant Name\nJordan P. Smith\n{DETAILS}"
    assessment = judge(text)
    assert assessment.outcome != "verified"
    assert "made_out_to_another" in [reason.code for reason in assessment.reasons]


SDMS_ZERO = (
    "Society of Diagnostic Medical Sonography\nCertificate of Completion\nThis certifies that\n"
    "Dana K. Whitfield\nhas completed\nCarotid duplex protocols\n"
    "Date of completion: April 14, 2026\nSDMS file number: 5012345\n"
    "This activity is approved by the Society of Diagnostic Medical Sonography for 2 SDMS CME "
    "credits.\n{row}\n"
)


@pytest.mark.parametrize(
    "row",
    [
        "Credits earned by this learner (post-test): 0.00",
        "Credit hours earned by the participant on this date: 0.00",
        "Credits earned by this learner for this course: 0.00",
        "Credits earned by this learner - 0.00",
    ],
)
def test_a_zero_after_a_credit_label_running_on_is_not_replaced_by_the_statement(
    row: str,
) -> None:
    """A label running on in a bracket, five words or to a dash: the zero awarded is the
    amount, not the statement's 2."""
    assessment = judge(SDMS_ZERO.format(row=row))
    assert assessment.outcome == "rejected"
    assert "no_credit_awarded" in [reason.code for reason in assessment.reasons]
