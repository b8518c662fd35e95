"""Finding a certificate's fields in its text: wordings and layouts of real CE certificates,
OCR noise, and dates or numbers printed for other purposes that must not be taken."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.credits.fields import MAX_LINE_CHARS, MAX_TEXT_CHARS, find_fields
from domain.credits.verification import ExtractedFields

pytestmark = pytest.mark.unit

AMA_CERTIFICATE = """\
Gulfcoast Ultrasound Institute
4615 Gulf Boulevard, Suite 104, St. Petersburg, FL 33706
Certificate of Completion
This is to certify that
Jane A. Doe, RDMS, RVT
has successfully completed the live course
Vascular Ultrasound Registry Review and Hands-On
Scanning Workshop
held March 3-5, 2026 in St. Petersburg, Florida
and is awarded 24.0 AMA PRA Category 1 Credits™
Gulfcoast Ultrasound Institute is accredited by the Accreditation Council for Continuing
Medical Education (ACCME) to provide continuing medical education for physicians.
Gulfcoast Ultrasound Institute designates this live activity for a maximum of 24.0 AMA PRA
Category 1 Credits™. Physicians should claim only the credit commensurate with the extent of
their participation in the activity.
Certificate No. GUI-26-004512
Kathleen Ford, RDMS
Program Director
"""

SDMS_TABLE = """\
Society of Diagnostic Medical Sonography
CME Certificate
Participant | Robert Kowalski, RDCS
ARDMS number | 236253
Activity title | Sonographic Evaluation of Thyroid Nodules Using
TI-RADS
Date completed | 03/15/2026
Credits awarded | 1.5 SDMS CME
SDMS file number | 12345-07
Certificate number | SDMS-0012345
This activity has been approved by the SDMS for 1.5 SDMS CME credits.
"""


def test_a_diploma_style_ama_certificate_gives_every_field() -> None:
    assert find_fields(AMA_CERTIFICATE) == ExtractedFields(
        participant_name="Jane A. Doe",
        title="Vascular Ultrasound Registry Review and Hands-On Scanning Workshop",
        provider="Gulfcoast Ultrasound Institute",
        accreditation_statement=(
            "Gulfcoast Ultrasound Institute is accredited by the Accreditation Council for "
            "Continuing Medical Education (ACCME) to provide continuing medical education for "
            "physicians. Gulfcoast Ultrasound Institute designates this live activity for a "
            "maximum of 24.0 AMA PRA Category 1 Credits. Physicians should claim only the credit "
            "commensurate with the extent of their participation in the activity."
        ),
        credit_types=("ama_pra_category_1",),
        activity_date=date(2026, 3, 3),
        completed_on=date(2026, 3, 5),
        credits=Decimal("24.0"),
        certificate_number="GUI-26-004512",
    )


def test_a_label_value_table_gives_the_sdms_file_number_as_approval_number() -> None:
    fields = find_fields(SDMS_TABLE)
    assert fields.participant_name == "Robert Kowalski"
    assert fields.title == "Sonographic Evaluation of Thyroid Nodules Using TI-RADS"
    assert fields.provider == "Society of Diagnostic Medical Sonography"
    assert fields.completed_on == date(2026, 3, 15)
    assert fields.activity_date is None
    assert fields.credits == Decimal("1.5")
    assert fields.credit_types == ("sdms",)
    assert fields.certificate_number == "SDMS-0012345"
    assert fields.approval_number == "12345-07"


def test_a_letter_gives_the_name_after_dear_and_the_quoted_title_not_the_letter_date() -> None:
    letter = """\
Pegasus Lectures, Inc.
P.O. Box 157, Forney, Texas 75126
March 12, 2026
Dear Sean O'Connor,
Congratulations on successfully completing the home-study program "Ultrasound Physics and
Instrumentation, Volume I" on March 3, 2026. You have earned 12.0 SDMS-approved CME credits.
"""
    fields = find_fields(letter)
    assert fields.participant_name == "Sean O'Connor"
    assert fields.title == "Ultrasound Physics and Instrumentation, Volume I"
    assert fields.provider == "Pegasus Lectures, Inc."
    assert fields.completed_on == date(2026, 3, 3)
    assert fields.credits == Decimal("12.0")


def test_a_transcript_row_gives_title_completion_date_and_credits() -> None:
    transcript = """\
Medical Professionals CE
Continuing Education Certificate
Learner: Zoe Papadopoulos Learner ID: MP-415942
Course title Completed Credit type Credits
Radiation Safety for the Imaging 09/29/2025 ASRT Category A 1.75
Professional
This course is approved by the ASRT for 1.75 Category A continuing education credits.
"""
    fields = find_fields(transcript)
    assert fields.participant_name == "Zoe Papadopoulos"
    assert fields.title == "Radiation Safety for the Imaging Professional"
    assert fields.completed_on == date(2025, 9, 29)
    assert fields.credits == Decimal("1.75")
    assert fields.credit_types == ("arrt_category_a",)


def test_a_flood_of_text_after_the_certificate_is_not_read() -> None:
    """A decompression bomb's text (millions of characters, thousands of amounts): only the
    first ``MAX_TEXT_CHARS`` are searched, and searching them is linear (before, the amounts
    were each checked against all the text before them and this took hours)."""
    flood = "Credits awarded 1.5 Category A certificate of completion\n" * 60_000
    fields = find_fields(AMA_CERTIFICATE + flood)
    assert len(flood) > 60 * MAX_TEXT_CHARS
    assert fields.participant_name == "Jane A. Doe"
    assert fields.credits == Decimal("24.0")
    assert fields.certificate_number == "GUI-26-004512"


def test_one_very_long_line_is_read_in_pieces() -> None:
    """A text layer without line breaks: 40 000 characters of transcript rows on one line are
    cut into lines of ``MAX_LINE_CHARS`` (the row pattern took time cubic in a line's length)."""
    line = "Radiation Safety for Imaging 09/29/2025 ASRT Category A 1.75 credits " * 570
    assert len(line) > 30 * MAX_LINE_CHARS
    fields = find_fields(line)
    assert (fields.completed_on, fields.credits) == (date(2025, 9, 29), Decimal("1.75"))
    assert fields.credit_types == ("arrt_category_a",)


def test_a_society_meeting_certificate_in_running_text_gives_its_fields() -> None:
    text = """\
SNMMI
Society of Nuclear Medicine and Molecular Imaging
Certificate of Attendance
This is to certify that Daniel Nakamura, CNMT
attended the 2026 SNMMI Annual Meeting, June 6-9, 2026, New Orleans, Louisiana
and earned 18.5 VOICE credits.
This activity has been approved for 18.5 Category A credits by the SNMMI-TS, a RCEEM of the ARRT.
"""
    fields = find_fields(text)
    assert fields.participant_name == "Daniel Nakamura"
    assert fields.title == "2026 SNMMI Annual Meeting"
    assert fields.provider == "Society of Nuclear Medicine and Molecular Imaging"
    assert (fields.activity_date, fields.completed_on) == (date(2026, 6, 6), date(2026, 6, 9))
    assert fields.credits == Decimal("18.5")
    assert fields.credit_types == ("arrt_category_a", "snmmi")
    assert fields.accreditation_statement == (
        "This activity has been approved for 18.5 Category A credits by the SNMMI-TS, a RCEEM "
        "of the ARRT."
    )


def test_a_life_support_card_gives_its_holder_issuer_and_type_but_no_completion_date() -> None:
    card = """\
American Heart Association
Advanced Cardiovascular Life Support
ACLS Provider
Priya Raghunathan
has successfully completed the cognitive and skills evaluations of the ACLS Program.
Issue Date: 02/14/2026
"""
    fields = find_fields(card)
    assert fields.participant_name == "Priya Raghunathan"
    assert fields.provider == "American Heart Association"
    assert fields.credit_types == ("aha_ashi",)
    assert fields.completed_on is None  # an issue date is not a completion date


@pytest.mark.parametrize(
    ("printed", "first", "last"),
    [
        ("March 3, 2026", date(2026, 3, 3), date(2026, 3, 3)),
        ("Mar. 3, 2026", date(2026, 3, 3), date(2026, 3, 3)),
        ("Sept 30, 2025", date(2025, 9, 30), date(2025, 9, 30)),
        ("March 3rd, 2026", date(2026, 3, 3), date(2026, 3, 3)),
        ("3 Mar 2026", date(2026, 3, 3), date(2026, 3, 3)),
        ("3 March 2026", date(2026, 3, 3), date(2026, 3, 3)),
        ("03/03/2026", date(2026, 3, 3), date(2026, 3, 3)),
        ("3/15/26", date(2026, 3, 15), date(2026, 3, 15)),
        ("15/03/2026", date(2026, 3, 15), date(2026, 3, 15)),
        ("2026-03-03", date(2026, 3, 3), date(2026, 3, 3)),
        ("March 3-5, 2026", date(2026, 3, 3), date(2026, 3, 5)),
        ("March 3 – 5, 2026", date(2026, 3, 3), date(2026, 3, 5)),
        ("March 30 - April 1, 2026", date(2026, 3, 30), date(2026, 4, 1)),
        ("3-5 March 2026", date(2026, 3, 3), date(2026, 3, 5)),
        ("03/03/2026 - 03/05/2026", date(2026, 3, 3), date(2026, 3, 5)),
        ("O3/O5/2O26", date(2026, 3, 5), date(2026, 3, 5)),
    ],
)
def test_dates_are_read_in_every_common_format(printed: str, first: date, last: date) -> None:
    fields = find_fields(f"Date(s) of activity: {printed}")
    assert fields.completed_on == last
    assert fields.activity_date == (first if first != last else None)


def test_a_completion_date_printed_apart_keeps_the_activity_date() -> None:
    fields = find_fields("Activity date: 01/29/2026\nDate completed: February 2, 2026")
    assert (fields.activity_date, fields.completed_on) == (date(2026, 1, 29), date(2026, 2, 2))


@pytest.mark.parametrize(
    "label",
    [
        "Release date:",
        "Expiration date:",
        "Approval valid through",
        "Date issued:",
        "Date of birth:",
        "Printed on",
        "Originally broadcast:",
        "Recommended renewal date:",
        "Card expires",
        "Issued",
    ],
)
def test_dates_printed_for_other_purposes_are_never_the_completion_date(label: str) -> None:
    fields = find_fields(f"Course: Ultrasound of the Appendix\n{label} June 1, 2026")
    assert (fields.activity_date, fields.completed_on) == (None, None)


@pytest.mark.parametrize(
    ("printed", "credits"),
    [
        ("and is awarded 2.5 credits", "2.5"),
        ("Contact hours: 1.75", "1.75"),
        ("1.75 contact hours", "1.75"),
        ("CME: 3.0", "3.0"),
        ("AMA PRA Category 1 Credits™: 2", "2"),
        ("Credits awarded 0.75 SDMS CME", "0.75"),
        ("Category A+ credits: 1.25", "1.25"),
        ("Credits: l.5", "1.5"),
        ("Credits: 1,5", "1.5"),
        ("You have earned 12 SDMS-approved CME credits.", "12"),
    ],
)
def test_credits_are_read_in_every_common_wording(printed: str, credits: str) -> None:
    assert find_fields(printed).credits == Decimal(credits)


def test_the_credits_awarded_win_over_the_designated_maximum() -> None:
    text = (
        "The AIUM designates this live activity for a maximum of 7.5 AMA PRA Category 1 "
        "Credits™.\nCredits claimed: 6.75"
    )
    assert find_fields(text).credits == Decimal("6.75")


def test_a_designated_maximum_alone_is_taken_for_the_credits() -> None:
    text = "The AIUM designates this live activity for a maximum of 7.5 AMA PRA Category 1 Credits."
    assert find_fields(text).credits == Decimal("7.5")


@pytest.mark.parametrize(
    ("printed", "types"),
    [
        ("designated for a maximum of 2 AMA PRA Category 1 Credits™", {"ama_pra_category_1"}),
        ("approved for 1.5 ASRT Category A credits", {"arrt_category_a"}),
        ("approved for 1.0 Category A+ credit by the ASRT", {"arrt_category_a_plus"}),
        ("Credit type: ARRT Category A and A+", {"arrt_category_a", "arrt_category_a_plus"}),
        ("This program has been approved by the SDMS for 3 SDMS CME credits", {"sdms"}),
        ("approved for 4 SVU CME credits", {"svu"}),
        ("This activity is AIUM-approved for 2 CME credits", {"aium"}),
        ("approved by the ASE for 3 ASE CE credits", {"ase"}),
        ("approved by the Institute for Advanced Medical Education (IAME)", {"iame"}),
        ("approved by Spectrum Health for 2 CE credits", {"spectrum_health"}),
        ("ASUM CPD points: 3", {"asum"}),
        ("accredited by the Canadian Medical Association (CMA)", {"cma"}),
        ("approved by the Canadian Society of Diagnostic Medical Sonography", {"csdms"}),
        ("This activity is approved for 1.5 SNMMI VOICE credits", {"snmmi"}),
        ("CCI-approved: 2 CEUs", {"cci_approved"}),
        ("American Heart Association ACLS Provider course", {"aha_ashi"}),
    ],
)
def test_credit_types_are_read_from_approvals_and_designations(
    printed: str, types: set[str]
) -> None:
    assert set(find_fields(printed).credit_types) == types


@pytest.mark.parametrize(
    "printed",
    [
        "American Institute of Ultrasound in Medicine",
        "The AIUM designates this activity for physicians",
        "ASE 2026 Scientific Sessions",
        "ARDMS number 123456",
        "through the joint providership of IAME and SonoWorld",
    ],
)
def test_an_organisation_merely_named_is_not_a_credit_type(printed: str) -> None:
    assert find_fields(printed).credit_types == ()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("This certifies that\nMaria Lopez, RDMS, RVT\nhas completed", "Maria Lopez"),
        ("Presented to: Anna-Lena Schmidt", "Anna-Lena Schmidt"),
        ("Awarded to: Kwame Mensah R.T.(R)(CT)", "Kwame Mensah"),
        ("Participant name\n\nJosé Martínez", "José Martínez"),
        ("| This is to certify that |\nDESHAWN WILLIAMS\nattended", "DESHAWN WILLIAMS"),
        ("Dear Dr. Rebecca St. James,", "Rebecca St. James"),
        (
            "Certificate of Completion\nEmily Chen\nhas successfully completed the course",
            "Emily Chen",
        ),
    ],
)
def test_the_participant_is_found_without_post_nominal_letters(text: str, name: str) -> None:
    assert find_fields(text).participant_name == name


def test_a_signature_under_the_certificate_is_not_the_participant() -> None:
    text = "Certificate of Completion\nUltrasound of the Appendix\nKathleen Ford, RDMS\nDirector"
    assert find_fields(text).participant_name is None


def test_ocr_noise_in_reference_numbers_and_symbols_is_repaired() -> None:
    fields = find_fields(
        "Certificate No.: GUI-26-0O4512\nSDMS File #: 2O26-0457\n"
        "for a maximum of 2 AMA PRA Category 1 CreditsTM."
    )
    assert fields.certificate_number == "GUI-26-004512"
    assert fields.approval_number == "2026-0457"
    assert fields.credit_types == ("ama_pra_category_1",)


def test_a_provider_is_never_guessed_where_none_is_printed() -> None:
    text = "Certificate of Completion\nThis activity has been approved for 2 SDMS CME credits."
    assert find_fields(text).provider is None


def test_text_that_is_no_certificate_gives_no_fields() -> None:
    assert find_fields("") == ExtractedFields()
    invoice = "INVOICE 2291\nQty 3 x toner cartridges\nTotal due: $182.40\nThank you"
    assert find_fields(invoice) == ExtractedFields()


# --- properties --------------------------------------------------------------------------------

FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%m/%d/%Y", "%Y-%m-%d")


@given(
    day=st.dates(min_value=date(1995, 1, 1), max_value=date(2060, 12, 31)),
    form=st.sampled_from(FORMATS),
    label=st.sampled_from(("Date completed:", "Completion date", "Completed on", "Date:")),
)
def test_any_completion_date_in_any_format_is_read_back(day: date, form: str, label: str) -> None:
    assert find_fields(f"{label} {day.strftime(form)}").completed_on == day


@given(
    quarters=st.integers(min_value=1, max_value=400),
    form=st.sampled_from(("{:.2f}", "{:.1f}", "{}")),
    ocr=st.booleans(),
)
def test_any_quarter_credit_amount_is_read_back_even_with_ocr_lookalikes(
    quarters: int, form: str, ocr: bool
) -> None:
    amount = Decimal(quarters) / 4
    printed = form.format(amount) if form != "{:.1f}" or quarters % 2 == 0 else str(amount)
    if ocr:  # some digits misread, not all of them
        printed = printed.replace("0", "O").replace("1", "l")
        assume(any(ch.isdigit() for ch in printed) or "." in printed)
    assert find_fields(f"Credits awarded: {printed}").credits == amount


NAME_PART = st.from_regex(r"[A-Z][a-z]{2,11}", fullmatch=True)


@given(first=NAME_PART, last=NAME_PART, letters=st.sampled_from(("", ", RDMS", ", RT(R)(S)")))
def test_any_participant_name_is_read_back(first: str, last: str, letters: str) -> None:
    text = f"This is to certify that\n{first} {last}{letters}\nhas successfully completed"
    assert find_fields(text).participant_name == f"{first} {last}"


@given(st.text(max_size=400))
def test_any_text_at_all_gives_fields_and_never_an_error(text: str) -> None:
    assert isinstance(find_fields(text), ExtractedFields)


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 1, 1)), days=st.integers(1, 4)
)
def test_a_range_gives_its_first_and_last_day(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    if end.month != start.month:
        printed = f"{start:%B} {start.day} - {end:%B} {end.day}, {end.year}"
    else:
        printed = f"{start:%B} {start.day}-{end.day}, {start.year}"
    fields = find_fields(f"held {printed} in Chicago")
    assert (fields.activity_date, fields.completed_on) == (start, end)
