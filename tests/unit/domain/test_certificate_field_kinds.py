"""The kinds of wording unseen certificates use, each read right: dates in other forms, without
a label or next to distractor dates, titles after the kind of activity, credits in CEUs or zero,
names "LAST, First", certificate numbers under other labels, and denied approvals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.credits.fields import find_fields

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("printed", "day"),
    [
        ("Completed on the 4th day of February, 2026", date(2026, 2, 4)),
        ("Date of completion: 22-APR-2026", date(2026, 4, 22)),
        ("Completed: 22 APR 2026", date(2026, 4, 22)),
    ],
)
def test_dates_in_legal_and_military_forms_are_read(printed: str, day: date) -> None:
    assert find_fields(printed).completed_on == day


def test_an_unlabelled_date_range_under_the_title_is_the_activity() -> None:
    fields = find_fields(
        "Certificate of Attendance\nPulmonary Embolism Update\nMarch 5 \u2013 7, 2026\n"
        "Originally broadcast January 3, 2025\nIssued March 9, 2026"
    )
    assert (fields.activity_date, fields.completed_on) == (date(2026, 3, 5), date(2026, 3, 7))


def test_two_unlabelled_dates_are_not_guessed_between() -> None:
    fields = find_fields("Certificate\nMarch 5, 2026\nApril 9, 2026")
    assert fields.completed_on is None


@pytest.mark.parametrize(
    ("printed", "title"),
    [
        (
            "has completed the on-demand webinar\nUltrasound of the Appendix",
            "Ultrasound of the Appendix",
        ),
        ('completed the 3-day live seminar "Echo Board Review"', "Echo Board Review"),
        (
            "attended the on-site applications training\nACUSON Sequoia Basics",
            "ACUSON Sequoia Basics",
        ),
        ("ACTIVITY Carotid Duplex Basics\nCompleted 22-APR-2026", "Carotid Duplex Basics"),
    ],
)
def test_titles_after_the_kind_of_activity_or_an_uncoloned_label(printed: str, title: str) -> None:
    assert find_fields(printed).title == title


@pytest.mark.parametrize(
    ("printed", "credits"),
    [
        ("This course awards 0.3 CEUs", Decimal("3.0")),
        ("Continuing Education Units: 1.2", Decimal("12.0")),
        ("CCI-approved: 2 CEUs", Decimal("2")),
        ("Credits awarded: 0.00", Decimal("0.00")),
        ("This program awards 6 Professional Development Units", Decimal("6")),
    ],
)
def test_ceus_count_ten_hours_and_zero_is_an_amount(printed: str, credits: Decimal) -> None:
    assert find_fields(printed).credits == credits


def test_a_day_of_the_month_on_the_next_line_is_not_the_credit_figure() -> None:
    assert find_fields("Credits:\n15 March 2026").credits is None


def test_zero_awarded_is_kept_over_the_amount_the_approval_names() -> None:
    fields = find_fields(
        "Credits awarded: 0.00\nThis activity is approved by the ASRT for 1.5 Category A credits."
    )
    assert fields.credits == Decimal("0.00")


def test_a_denied_approval_is_no_credit_type_and_no_statement() -> None:
    fields = find_fields(
        "Certificate of Attendance\nThis activity is not approved for SDMS, ASRT or AMA PRA "
        "Category 1 credit."
    )
    assert (fields.credit_types, fields.accreditation_statement) == ((), None)


@pytest.mark.parametrize(
    ("printed", "number"),
    [
        ("Serial: XY99812", "XY99812"),
        ("eCard Code: 2231ABCD99", "2231ABCD99"),
        ("Transcript ID: MPCE-8715834", "MPCE-8715834"),
        ("Certificate of CompletionCertificate #: AB-12345", "AB-12345"),
    ],
)
def test_certificate_numbers_under_other_labels(printed: str, number: str) -> None:
    assert find_fields(printed).certificate_number == number


def test_a_name_printed_last_name_first_keeps_both_names() -> None:
    text = "This is to certify that\nKOWALSKI, Robert J., RDCS\nhas successfully completed"
    assert find_fields(text).participant_name == "Robert J. KOWALSKI"
