"""How certificates print people and credits, each read right: a name family first in capitals
or of several words, with its post-nominal letters; a name over its caption line; a
statement approving the CEU the credit line prints."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from domain.credits.fields import find_fields
from tests.unit.domain.test_certificate_assessment import DECLARED, changed, codes, judge

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("O'NEILL-HUGHES, DEBORAH A., R.T.(R)(CT)", "DEBORAH A. O'NEILL-HUGHES"),
        ("ŞAHIN, ÇAĞLA M., RDCS", "ÇAĞLA M. ŞAHIN"),
        ("VAN DER BERG, ZOË K.", "ZOË K. VAN DER BERG"),
        ("Van der Berg, Zoë K.", "Zoë K. Van der Berg"),
        ("Ní Bhriain, Siobhán, RDMS, RVT", "Siobhán Ní Bhriain"),
        ("Thi Hoa, Nguyen, BS, RDMS", "Nguyen Thi Hoa"),
    ],
)
def test_a_name_family_first_keeps_every_name_whatever_its_case(printed: str, name: str) -> None:
    text = f"This certifies that\n{printed}\nparticipated in the live activity"
    assert find_fields(text).participant_name == name


@pytest.mark.parametrize(
    "printed",
    [
        "Siobhán Ní Bhriain, RDMS, RVT",
        "LUCÍA B. FERNÁNDEZ, RDMS, RMSKS",
        "Marcus J. Washington, RCS",
        "Dana K. Whitfield, Sonographer",  # an initial inside: given names first already
    ],
)
def test_a_name_with_post_nominal_letters_or_a_role_is_not_turned_around(printed: str) -> None:
    text = f"This certifies that\n{printed}\nparticipated in the live activity"
    assert find_fields(text).participant_name == printed.split(",")[0]


def test_a_name_over_its_caption_line_is_the_participant_not_the_line_under_the_caption() -> None:
    printed = (
        "Harbor Vascular Laboratory\nContinuing Education Verification\n"
        "Zoë K. Van der Berg, RDMS\nParticipant Name\nCarotid Plaque Characterisation\n"
        "Activity Title\n1.5 SVU-CME\nCredits"
    )
    fields = find_fields(printed)
    assert fields.participant_name == "Zoë K. Van der Berg"
    assert fields.title == "Carotid Plaque Characterisation"  # the form's captions are under


def _ceu_certificate(credit_line: str, hours: str) -> list[str]:
    """The reasons a certificate whose credit line reads ``credit_line`` (``hours`` contact
    hours, as declared) and whose ASRT statement approves "0.5 Category A credits" gets."""
    fields = changed(
        accreditation_statement="This activity has been approved by the American Society of "
        "Radiologic Technologists (ASRT) for 0.5 Category A credits.",
        credits=Decimal(hours),
        evidence={"credits": credit_line},
    )
    return codes(judge(fields, declared=msgspec.structs.replace(DECLARED, credits=Decimal(hours))))


@pytest.mark.parametrize("credit_line", ["0.5 CEU (5.0 contact hours)", "0.50 CEU (5 hours)"])
def test_a_statement_approving_the_ceu_the_credit_line_prints_is_no_mismatch(
    credit_line: str,
) -> None:
    assert "credits_mismatch" not in _ceu_certificate(credit_line, "5.0")


@pytest.mark.parametrize(
    ("credit_line", "hours"),
    [("1.0 CEU (10 contact hours)", "10"), ("5 contact hours", "5"), ("CEUs 5", "50")],
)
def test_a_credit_line_above_the_statement_in_any_unit_is_still_held_up(
    credit_line: str, hours: str
) -> None:
    assert "credits_mismatch" in _ceu_certificate(credit_line, hours)


@pytest.mark.parametrize(
    ("printed", "credits"),
    [
        ("Credits earned by this learner: 0.00", Decimal("0.00")),
        ("Contact hours for this activity: 1.5", Decimal("1.5")),
    ],
)
def test_a_credit_label_of_several_words_before_its_colon_is_read_before_the_statement(
    printed: str, credits: Decimal
) -> None:
    statement = "This activity has been approved by the SDMS for 2.5 SDMS CME credits."
    assert find_fields(f"{statement}\n{printed}\nSDMS file no. 123456").credits == credits
