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
        (  # the faculty printed under a title labelled without a colon
            "ACTIVITY Renal Artery Duplex and\nHypertension\nFACULTY Owen Castellanos, RDMS",
            "Renal Artery Duplex and Hypertension",
        ),
        (
            "PROGRAM TITLE\nCT Dose Optimization for Pediatric Patients\nMODERATOR Priya Raman",
            "CT Dose Optimization for Pediatric Patients",
        ),
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


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        # the sentence under the name starts with its verb, without "has"
        ("Certificate of Completion\nTomás R. Rivera\n\nattended\nGrand Rounds", "Tomás R. Rivera"),
        (
            "CME Certificate\nAhmad Al-Rashidi\ncompleted on-site applications training",
            "Ahmad Al-Rashidi",
        ),
        ("Certificate\nTomás R. Rivera\nparticipated in the live activity", "Tomás R. Rivera"),
        # the name above its caption
        ("ACLS Provider\n\nAhmad Al-Rashidi\n\nName\n\nCourse Date Issue Date", "Ahmad Al-Rashidi"),
        ("Record\n\nBjörn Lindqvist RDMS\n\nName of participant Credential(s)", "Björn Lindqvist"),
        # a label glued to the name
        (
            "Course Completion Receipt\nLearnerZoë K. Van der Berg\nCourseContrast Media",
            "Zoë K. Van der Berg",
        ),
        ("This confirms that Siobhán Ní Bhriain completed\nVenous Mapping", "Siobhán Ní Bhriain"),
        # a name standing alone in its block under the certificate's heading
        (
            "Certificate of Completion\n\nFrançois Lefèvre\n\nPROVIDER\nBlue Ridge",
            "François Lefèvre",
        ),
        (
            "C E R T I F I C A T E\n\nof completion\n\nLucía B. Fernández, RDMS, RMSKS\n\nMRI",
            "Lucía B. Fernández",
        ),
        (
            "Certificate of Development\n\nWÓJCIK, Agnieszka\n\nfor the course Ergonomics",
            "Agnieszka WÓJCIK",
        ),
        (
            "Certificate of Completion\n\nDate\n30 September 2025\n\nCredit\n\nNGUYEN THI HOA\n\n2",
            "NGUYEN THI HOA",
        ),
    ],
)
def test_names_glued_to_labels_above_captions_or_standing_alone(printed: str, name: str) -> None:
    assert find_fields(printed).participant_name == name


def test_a_signature_is_not_taken_for_the_participant() -> None:
    printed = "Certificate of Completion\n\nCarotid Duplex\nLinda Cho, MS, RDMS\nCE Committee Chair"
    assert find_fields(printed).participant_name is None


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("ŞAHIN, Çağla M.", "Çağla M. ŞAHIN"),  # a middle initial keeps its full stop
        ("Lucia B FERNANDEZ", "Lucia B. FERNANDEZ"),  # OCR lost the initial's full stop
        ("VAN DER BERG, Zoë K.", "Zoë K. VAN DER BERG"),  # a family name of several words
        ("THI HOA, Nguyen", "Nguyen THI HOA"),
        ("Zoé K, Van der Berg", "Zoé K. Van der Berg"),  # OCR read the initial's stop as a comma
        ("Ahmad A]-Rashidi", "Ahmad Al-Rashidi"),  # one letter misread as a mark
        ("DEBORAH A. O'NEILL-HUGHES Oe ieees", "DEBORAH A. O'NEILL-HUGHES"),  # specks after it
    ],
)
def test_names_last_name_first_with_initials_and_ocr_noise(printed: str, name: str) -> None:
    assert (
        find_fields(f"This is to certify that\n{printed}\nhas completed").participant_name == name
    )


def test_a_title_standing_alone_is_not_taken_for_a_name() -> None:
    printed = "Certificate of Completion\n\nMRI Safety Zones and Screening Procedures\n\nNM1081"
    assert find_fields(printed).participant_name is None


@pytest.mark.parametrize(
    ("printed", "title"),
    [
        # an event's kind with its own label and colon before the title
        (
            "attended\nGrand Rounds: Strain Imaging in Cardio-Oncology\nMay 14, 2026",
            "Strain Imaging in Cardio-Oncology",
        ),
        # a list of sessions: the first item, not the next one
        (
            "attended the educational sessions listed below:\n• CT Dose Optimization\n"
            "• Exhibit Hall Poster Review (no credit)",
            "CT Dose Optimization",
        ),
        # the title above its caption
        (
            "Björn Lindqvist\n\nMRI Safety Zones\n\nProgram title\n\n1/14/26\n2.25",
            "MRI Safety Zones",
        ),
        # a label glued to the title
        (
            "LearnerZoë K. Van der Berg\nCourseContrast Media Reactions\nCompleted 08/28/2026",
            "Contrast Media Reactions",
        ),
        (
            "WÓJCIK, Agnieszka\n\nfor the course Ergonomics for Sonographers: Preventing\n"
            "Work-Related Injury\n\ncompleted 2026-04-23",
            "Ergonomics for Sonographers: Preventing Work-Related Injury",
        ),
        # a neighbouring column's label on the title's line
        (
            "Certificate\n\nLUCIA B. FERNANDEZ\n\n"
            "Radiation Safety in Fluoroscopy Approval\nMR3516012",
            "Radiation Safety in Fluoroscopy",
        ),
        # no label: the title is the first title-like line after the participant's name
        (
            "Certificate\n\nof completion\n\nTomas R. Rivera\n\n"
            "Ergonomics for Sonographers: Preventing\n"
            "Work-Related Injury\n\nApril 26-27,\n2026",
            "Ergonomics for Sonographers: Preventing Work-Related Injury",
        ),
        (
            "Certificate of Completion\n\nNGUYEN THI HOA\n\n"
            "2.50 Category A\nMRI Safety Zones\nApproval\nMR2085079",
            "MRI Safety Zones",
        ),
        # a transcript's row that starts with its date
        (
            "Completed Activity Approval # Category A\n\n"
            "12/08/2025 MRI Safety Zones and Screening RAD8158498 2.75",
            "MRI Safety Zones and Screening",
        ),
    ],
)
def test_titles_after_labels_captions_lists_and_names(printed: str, title: str) -> None:
    assert find_fields(printed).title == title


@pytest.mark.parametrize(
    ("printed", "title"),
    [
        ("Certificate\n\nDEBORAH A. O'NEILL\n\nMRI Safety Zones\nNM1081 132", "MRI Safety Zones"),
        ("CourseCT Dose Optimization\nCompleted 08/28/2026", "CT Dose Optimization"),
    ],
)
def test_titles_end_before_a_reference_number_and_after_a_glued_label(
    printed: str, title: str
) -> None:
    assert find_fields(printed).title == title


@pytest.mark.parametrize(
    ("printed", "number"),
    [
        ("SDMS File # 566341 Certificate W-52805912", "566341"),
        ("Approval SVU-9017-13 · Serial 782336", "SVU-9017-13"),
        ("APPROVAL NM0041127", "NM0041127"),
        ("ASRT approval: MR7394812", "MR7394812"),
        ("SDMS FILE\n525596", "525596"),
        ("2.50 Category A\nApproval\nMR2085079", "MR2085079"),
        ("SVU approval SVU-1277-67 · ref VLC25538", "SVU-1277-67"),
        ("ASRT # NM3365302", "NM3365302"),
        ("Approval code MR6446292", "MR6446292"),
        (
            "Completed Activity Approval # Category A\n12/08/2025 Carotid Basics RAD8158498 2.75",
            "RAD8158498",
        ),
    ],
)
def test_approval_numbers_under_their_labels_and_forms(printed: str, number: str) -> None:
    assert find_fields(printed).approval_number == number


@pytest.mark.parametrize(
    ("printed", "number"),
    [
        ("SDMS File # 566341 Certificate W-52805912", "W-52805912"),
        ("Completed 08/28/2026Certificate # 28620188", "28620188"),
        ("CERTIFICATE\nBR-493659", "BR-493659"),
        ("SVU approval SVU-1277-67 · ref VLC25538", "VLC25538"),
        ("Meeting Chair\nNo. 67555", "67555"),
        ("Credential ID ILA500064", "ILA500064"),
    ],
)
def test_certificate_numbers_under_short_labels(printed: str, number: str) -> None:
    assert find_fields(printed).certificate_number == number


def test_a_certificate_heading_is_no_certificate_number() -> None:
    fields = find_fields(
        "Certificate of Completion\nCertificate 12.0 credits\nCertificate\nMarch 5, 2026"
    )
    assert fields.certificate_number is None


@pytest.mark.parametrize(
    ("printed", "first", "last"),
    [
        # a range whose year went onto the next line
        (
            "Lucía B. Fernández\n\nShoulder Pathology\n\nAugust 24–25,\n2025\n\n8.50 credits",
            date(2025, 8, 24),
            date(2025, 8, 25),
        ),
        # a range split after its dash
        (
            "Strain Imaging\nMarch 27, 2026 –\nMarch 28, 2026\nKansas City",
            date(2026, 3, 27),
            date(2026, 3, 28),
        ),
        # OCR read the en dash as a tilde
        ("Annual Conference\nMay 2~4, 2025\nCertificate", date(2025, 5, 2), date(2025, 5, 4)),
    ],
)
def test_date_ranges_split_over_lines_or_with_other_dashes(
    printed: str, first: date, last: date
) -> None:
    fields = find_fields(printed)
    assert (fields.activity_date, fields.completed_on) == (first, last)


def test_dates_under_a_row_of_date_labels_are_told_apart_by_column() -> None:
    fields = find_fields(
        "ACLS Provider\nName\n\nCourse Date Issue Date Recommended Renewal Date\n"
        "09/29/2026 10/10/2026 09/29/2028\n\nTraining Center"
    )
    assert fields.completion_date == date(2026, 9, 29)


def test_a_report_date_is_not_the_completion_date() -> None:
    fields = find_fields(
        "Transcript ID: TR59302729\nName: LEFEVRE, Francois\nReport date: 04/09/2025\n\n"
        "04/07/2025 MRI Safety Zones and Screening Procedures MR7903516 2.25"
    )
    assert fields.completion_date == date(2025, 4, 7)


def test_credits_awarded_by_an_accreditor_not_known_are_of_another_type() -> None:
    fields = find_fields(
        "2.50 Professional Development Units (PDUs) are awarded for this program by Imaging\n"
        "Leadership Academy."
    )
    assert fields.credit_types == ("other",)


@pytest.mark.parametrize(
    "printed",
    [
        "This activity has been approved by the ASRT for 1.5 Category A credits.",
        "Certificate of Attendance\nNo credits are awarded for this session.",
        "Certificate of Attendance\n0 credits awarded",
    ],
)
def test_known_approvals_and_no_credit_are_not_of_another_type(printed: str) -> None:
    assert "other" not in find_fields(printed).credit_types


@pytest.mark.parametrize(
    ("printed", "credits"),
    [
        ("One and one-half (1.5) contact hours", Decimal("1.5")),
        ("is awarded One and one-half (1.5) AMA PRA Category 1 Credits", Decimal("1.5")),
        ("Credits: Two (2.0)", Decimal("2.0")),
        ("awarded two contact hours", Decimal("2")),
        ("This program awards three and one-half contact hours", Decimal("3.5")),
        ("designated for a maximum of five credits; credits awarded: four", Decimal("4")),
    ],
)
def test_credits_written_in_words(printed: str, credits: Decimal) -> None:
    assert find_fields(printed).credits == credits


def test_a_life_support_card_is_titled_by_its_course_not_by_its_sentence() -> None:
    fields = find_fields(
        "American Heart Association ACLS Provider\n\nAhmad Al-Rashidi\n\nName\n\n"
        "The above individual has successfully completed the cognitive and skills evaluations in "
        "accordance with the curriculum of the American Heart Association Advanced Cardiovascular "
        "Life Support (ACLS) Program."
    )
    assert fields.title == "ACLS Provider"


def test_a_row_of_labels_after_the_name_is_no_title() -> None:
    fields = find_fields(
        "Certificate\n\nLucia B. Fernandez\n\nName\n\n"
        "Course Date Issue Date Recommended Renewal Date\n01/13/2025 01/20/2025 01/13/2027"
    )
    assert fields.title is None


def test_the_statement_starts_at_its_own_sentence_after_labels_without_colons() -> None:
    fields = find_fields(
        "Awarded to Ingrid Halvorsen\n\nCourse Ultrasound of the Appendix\n\n"
        "Credits 7.75 AMA PRA Category 1 Credits\nCertificate # SW-918857\n\n"
        "This activity has been planned and implemented in accordance with the accreditation "
        "requirements of the ACCME.\nIAME designates this enduring material for a maximum of "
        "2.75 AMA PRA Category 1 Credits."
    )
    assert fields.accreditation_statement is not None
    assert fields.accreditation_statement.startswith("This activity has been planned")


def test_the_statement_starts_at_its_own_sentence_after_labels_alone_on_their_lines() -> None:
    fields = find_fields(
        "Continuing Education Certificate\n\nDeborah A. O'Neill-Hughes\n\nProgram:\n\n"
        "Radiation Safety in Fluoroscopy\n\nDate:\n\nSeptember 29, 2026\n\nCredits:\n\n"
        "8.0 Category A\n\nThis activity has been approved by the American Society of "
        "Radiologic Technologists (ASRT) for 3.0\n\nCategory A credits."
    )
    assert fields.accreditation_statement == (
        "This activity has been approved by the American Society of Radiologic Technologists "
        "(ASRT) for 3.0 Category A credits."
    )
    assert fields.credits == Decimal("8.0")


def test_a_life_support_card_s_curriculum_sentence_is_its_statement() -> None:
    fields = find_fields(
        "American Heart Association ACLS Provider\n\nAhmad Al-Rashidi\n\nName\n\n"
        "Training Center\nRiverside Resuscitation Training Ctr\nCE: 8.75 contact hours\n"
        "The above individual has successfully completed the cognitive and skills evaluations in "
        "accordance with the\ncurriculum of the American Heart Association Advanced "
        "Cardiovascular Life Support (ACLS) Program."
    )
    assert fields.accreditation_statement is not None
    assert "curriculum of the American Heart Association" in fields.accreditation_statement


def test_a_provider_under_its_label_alone_runs_on_to_its_second_line() -> None:
    fields = find_fields(
        "Certificate of Completion\n\nFrançois Lefèvre\n\nPROVIDER\nBlue Ridge Sonography\n"
        "Education Ctr\n\nDATE\nFebruary 14, 2025"
    )
    assert fields.provider == "Blue Ridge Sonography Education Ctr"


@pytest.mark.parametrize("verb", ["is", "1s", "ls"])
def test_an_accreditation_sentence_whose_verb_ocr_misread_still_opens_the_statement(
    verb: str,
) -> None:
    """OCR reads the i of "is" as a one or an l; the accreditor's sentence it opens is still
    the statement's first (it names the ACCME, which vouches for the provider)."""
    fields = find_fields(
        "Lakeshore Imaging Academy\n\ncertifies that\n\nIngrid Halvorsen\n\n"
        f"Lakeshore Imaging Academy {verb} accredited by the Accreditation Council for "
        "Continuing Medical Education (ACCME) to provide continuing medical education for "
        "physicians. Lakeshore Imaging Academy designates this live activity for a maximum of "
        "1.00 AMA PRA Category 1 Credits."
    )
    assert fields.accreditation_statement is not None
    assert "(ACCME)" in fields.accreditation_statement
