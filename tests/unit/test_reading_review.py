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


def judge(text: str, credits: str = "2") -> Assessment:
    """What the worker concludes for Dana K. Whitfield declaring ``credits`` for ``text``."""
    reading = TextReading(source="text_layer", confidence=1.0)
    return judged_for_dana_whitfield(reading, find_fields_in(text), credits)


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


@pytest.mark.parametrize(
    "row",
    [
        "Credits awarded: none",
        "CREDITS AWARDED: NONE",
        "Credits awarded: Nil",
        "CME credits earned by this learner - none",
        "Credits awarded: zero",
    ],
)
def test_no_credit_awarded_in_words_is_not_replaced_by_the_statement(row: str) -> None:
    """ "none" after a credit label awards nothing: the certificate is not verified on the
    statement's 2, it is rejected as awarding no credit."""
    assessment = judge(SDMS_ZERO.format(row=row))
    assert assessment.outcome == "rejected"
    assert "no_credit_awarded" in [reason.code for reason in assessment.reasons]


@pytest.mark.xfail(
    strict=True,
    reason="a name of two words and a one-word role after its comma reads as family name "
    "first, as 'Ní Bhriain, Siobhán' must: telling a role from a given name needs more than "
    "the name's shape",
)
@pytest.mark.parametrize(
    "printed",
    ["Dana Whitfield, Sonographer", "DANA WHITFIELD, SONOGRAPHER", "Dana Whitfield, Ohio"],
)
def test_a_name_in_its_natural_order_with_a_role_after_it_is_not_turned_around(
    printed: str,
) -> None:
    text = SDMS_ZERO.replace("Dana K. Whitfield", printed).format(row="Credits awarded: 2")
    assert find_fields_in(text).participant_name == printed.split(",")[0]
    assert judge(text).outcome == "verified"


SERIES = (
    "Society of Diagnostic Medical Sonography\nCertificate of Completion\nThis certifies that\n"
    "Dana K. Whitfield\nhas completed\nCarotid duplex protocols\n"
    "Date of completion: April 14, 2026\nSDMS file number: 5012345\n"
    "This webinar, one of {count} CME webinars in the series, is approved by the Society of "
    "Diagnostic Medical Sonography for 1 SDMS CME credit.\nCredits awarded: {figure}\n"
)


@pytest.mark.parametrize("count", ["six", "6"])
def test_a_count_of_activities_in_a_statement_is_no_amount_it_approves(count: str) -> None:
    """ "one of six CME webinars" counts webinars: a figure raised to 6 is more than the 1
    credit approved; the genuine 1 verifies."""
    assert judge(SERIES.format(count=count, figure="1"), "1").outcome == "verified"
    assessment = judge(SERIES.format(count=count, figure="6"), "6")
    assert [reason.code for reason in assessment.reasons] == ["credits_mismatch"]


@pytest.mark.xfail(
    strict=True,
    reason="a neighbour's label (FACULTY, PRESENTERS, Speaker:) ends a title also inside a "
    "title set in capitals or before the title's own colon",
)
@pytest.mark.parametrize(
    "title",
    [
        "SCANNING TIPS FOR NEW INSTRUCTORS",
        "ECHO FOR PRESENTERS AND FACULTY",
        "Becoming a Speaker: Presentation Skills for Sonographers",
    ],
)
def test_a_title_holding_a_neighbours_label_word_is_read_whole(title: str) -> None:
    text = SDMS_ZERO.replace("Carotid duplex protocols", title).format(row="Credits awarded: 2")
    assert find_fields_in(text).title == title
