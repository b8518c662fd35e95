"""assess(): a certificate is verified only when the reading, every field, the person, the
declared credit, the provider directory and a certifying body all agree; otherwise it goes to
review with every reason, and a readable file that is no certificate at all is rejected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.compliance.cycles import Window
from domain.credits.credit import CreditDetails
from domain.credits.fields import find_fields
from domain.credits.providers import ProviderDirectory
from domain.credits.verification import (
    Assessment,
    BodyAcceptance,
    CertificateRejected,
    ExtractedFields,
    ReviewReason,
    Signal,
    Signals,
    TextReading,
    Thresholds,
    assess,
    open_windows,
    text_signals,
)
from domain.people.credentials import Body
from domain.people.person import Credential, Person

pytestmark = pytest.mark.unit
TODAY = date(2026, 11, 26)
UPLOADED = TODAY
CYCLE = Window(start=date(2025, 1, 1), end=date(2026, 12, 31))
PERSON = "Dana K. Whitfield"
DIRECTORY = ProviderDirectory.with_tenant()
TEXT_LAYER = TextReading(source="text_layer", confidence=1.0)
DECLARED = CreditDetails(
    title="Carotid and Lower-Extremity Duplex Update",
    provider="Gulfcoast Ultrasound Institute",
    accrediting_organisation="ACCME",
    credit_types=("ama_pra_category_1",),
    completed_on=date(2026, 3, 14),
    credits=Decimal("3.25"),
    topics=("sonography", "vascular"),
)
FIELDS = ExtractedFields(
    participant_name="WHITFIELD, DANA",
    title="Carotid and Lower-Extremity Duplex Update",
    provider="Gulfcoast Ultrasound Institute, Inc.",
    accreditation_statement="Gulfcoast Ultrasound Institute designates this live activity for a "
    "maximum of 3.25 AMA PRA Category 1 Credits™.",
    credit_types=("ama_pra_category_1",),
    activity_date=date(2026, 3, 14),
    completed_on=date(2026, 3, 14),
    credits=Decimal("3.25"),
    certificate_number="GUI-26-88217",
)
SDMS_FIELDS = msgspec.structs.replace(
    FIELDS,
    provider="Society of Diagnostic Medical Sonography",
    accreditation_statement="This activity is approved by the SDMS for 3.25 SDMS CME credits.",
    credit_types=("sdms",),
    approval_number="SDMS 201934",
)

ASRT_FIELDS = msgspec.structs.replace(
    FIELDS,
    accreditation_statement="This activity is approved by the ASRT for 1.2 CEU (12 contact "
    "hours) of Category A credit.",
    credit_types=("arrt_category_a",),
    credits=Decimal("12"),
)
ASRT_DECLARED = msgspec.structs.replace(
    DECLARED, credit_types=("arrt_category_a",), credits=Decimal("12")
)


def judge(
    fields: ExtractedFields = FIELDS,
    *,
    bodies: tuple[Body, ...] = ("ARDMS",),
    **overrides: Any,
) -> Assessment:
    """assess() of ``fields`` as the worker would call it: the provider looked up in the seed
    directory, the declared credit ``DECLARED``, read from a PDF text layer."""
    arguments: dict[str, Any] = {
        "declared": DECLARED,
        "person_name": PERSON,
        "provider": DIRECTORY.find(fields.provider) if fields.provider else None,
        "thresholds": Thresholds(),
        "uploaded_on": TODAY,
        "windows": dict.fromkeys(bodies, (CYCLE,)),
        **overrides,
    }
    reading = arguments.pop("reading", TEXT_LAYER)
    return assess(reading, fields, bodies=bodies, **arguments)


def codes(assessment: Assessment) -> list[str]:
    return [reason.code for reason in assessment.reasons]


def acceptance_of(assessment: Assessment, body: str) -> BodyAcceptance:
    return next(a for a in assessment.acceptance if a.body == body)


def changed(**changes: Any) -> ExtractedFields:
    return msgspec.structs.replace(FIELDS, **changes)


def declared(**changes: Any) -> CreditDetails:
    return msgspec.structs.replace(DECLARED, **changes)


def judge_types(credit_types: tuple[str, ...], *bodies: Body) -> Assessment:
    """judge() of a certificate (with an approval number) and a declared credit, both of
    ``credit_types``, for ``bodies``."""
    fields = changed(credit_types=credit_types, approval_number="SDMS 201934")
    return judge(fields, bodies=bodies, declared=declared(credit_types=credit_types))


def signals(*found: Signal) -> Signals:
    return Signals(signals=found)


# --- outcomes ----------------------------------------------------------------------------------


def test_a_certificate_that_agrees_with_everything_is_verified() -> None:
    assessment = judge()
    assert (assessment.outcome, assessment.reasons) == ("verified", ())
    assert assessment.provider is not None
    assert assessment.provider.provider_id == "gulfcoast-ultrasound-institute"
    [ardms] = assessment.acceptance
    assert ardms.accepted
    assert ardms.rule == "approved sponsoring organisation pre-printed on the certificate"
    assert "[A7, A10]" in ardms.explanation
    assert ardms.audit_risks == ()


@pytest.mark.parametrize(
    ("fields", "overrides", "code", "says"),
    [
        (
            changed(participant_name="Dana Whitford"),
            {},
            "name_mismatch",
            "made out to 'Dana Whitford', not to 'Dana K. Whitfield'",
        ),
        (
            changed(title="Obstetric Ultrasound Essentials"),
            {},
            "title_mismatch",
            "title is 'Obstetric Ultrasound Essentials'; 'Carotid and Lower-Extremity Duplex "
            "Update' was declared",
        ),
        (changed(credits=Decimal("2.00")), {}, "credits_mismatch", "awards 2 credits; 3.25 were"),
        (
            changed(completed_on=date(2026, 3, 15), activity_date=None),
            {},
            "date_mismatch",
            "completion on 2026-03-15; 2026-03-14 was declared",
        ),
        (
            FIELDS,
            {"declared": msgspec.structs.replace(DECLARED, provider="SonoWorld")},
            "provider_mismatch",
            "provider is 'Gulfcoast Ultrasound Institute, Inc.'; 'SonoWorld' was declared",
        ),
        (
            changed(provider="Acme CE Academy"),
            {"declared": msgspec.structs.replace(DECLARED, provider="Acme CE Academy")},
            "provider_unknown",
            "'Acme CE Academy' is not in the provider directory",
        ),
        (changed(participant_name=None), {}, "missing_name", "no participant name"),
        (changed(title=None), {}, "missing_title", "no activity title"),
        (changed(provider=None), {}, "missing_provider", "no pre-printed provider"),
        (changed(accreditation_statement=None), {}, "missing_accreditation", "no sponsor"),
        (
            changed(completed_on=None, activity_date=None),
            {},
            "missing_dates",
            "no pre-printed activity or completion date",
        ),
        (changed(credits=None), {}, "missing_credits", "number of credits was not found"),
        (changed(credit_types=()), {}, "credit_type_unknown", "no credit type"),
        (
            msgspec.structs.replace(SDMS_FIELDS, approval_number=None),
            {"declared": msgspec.structs.replace(DECLARED, credit_types=("sdms",))},
            "missing_approval_number",
            "no SDMS file number",
        ),
        (
            FIELDS,
            {"declared": msgspec.structs.replace(DECLARED, credit_types=("arrt_category_a",))},
            "credit_type_mismatch",
            "declared as ARRT Category A, but the certificate shows AMA PRA Category 1",
        ),
        (FIELDS, {"declared": None}, "no_declared_credit", "not attached to a credit"),
        (FIELDS, {"bodies": ("ARRT",)}, "not_accepted", "ARRT accepts none of"),
        (FIELDS, {"bodies": ()}, "not_accepted", "holds no credential"),
        (
            FIELDS,
            {"reading": TextReading(source="ocr", confidence=0.52)},
            "low_confidence",
            "read by OCR with confidence 0.52, below the 0.70",
        ),
        (
            changed(activity_date=date(2026, 3, 16)),
            {},
            "date_mismatch",
            "activity date 2026-03-16 is after its completion date 2026-03-14",
        ),
        pytest.param(
            FIELDS,
            {
                "signals": signals(
                    Signal(
                        kind="font_mismatch",
                        description="the figure '8.25' is in Helvetica 11pt; its neighbours are "
                        "in DejaVuSans 10pt",
                        words="8.25",
                    )
                )
            },
            "altered",
            "may have been altered: the figure '8.25' is in Helvetica",
            id="font",
        ),
        pytest.param(
            FIELDS,
            {"signals": signals(Signal(kind="white_patch", description="a white patch"))},
            "altered",
            "a white patch",
            id="white-patch",
        ),
        pytest.param(
            changed(credits=Decimal(30)),
            {"declared": declared(credits=Decimal(30))},
            "implausible_credits",
            "30 credits for an activity of 1 day",
            id="implausible-days",
        ),
        pytest.param(
            changed(credits=Decimal(30), activity_date=None),
            {"declared": declared(credits=Decimal(30))},
            "implausible_credits",
            "activity of 1 day (a live activity on one date)",
            id="implausible-live-day",
        ),
        pytest.param(
            changed(title="Duplex Update: a 60-minute webinar"),
            {"declared": declared(title="Duplex Update: a 60-minute webinar")},
            "implausible_credits",
            "3.25 credits for an activity of 60 minute",
            id="implausible-duration",
        ),
        pytest.param(
            FIELDS,
            {"declared": declared(credits=Decimal("32.5"))},
            "credits_mismatch",
            "ten",
            id="ten-times",
        ),
        pytest.param(
            ASRT_FIELDS,
            {"declared": msgspec.structs.replace(ASRT_DECLARED, credits=Decimal("1.2"))},
            "credits_mismatch",
            "CEU typed as credits? 1 CEU is 10 contact hours",
            id="ceu-as-credits",
        ),
        pytest.param(
            changed(credits=Decimal(2)),
            {},
            "credits_mismatch",
            "the activity's maximum, not the amount awarded",
            id="maximum-typed",
        ),
        pytest.param(
            changed(
                accreditation_statement="Designated for 3.25 AMA PRA Category 1 Credits. This "
                "activity is not approved for SDMS credit.",
                credit_types=("ama_pra_category_1", "sdms"),
            ),
            {},
            "negated_approval",
            "says it is not approved for SDMS",
            id="negated-approval",
        ),
        pytest.param(
            FIELDS,
            {"windows": {}},
            "no_window",
            "has a CE period open on the upload day",
            id="no-window",
        ),
    ],
)
def test_each_doubt_sends_the_certificate_to_review_with_a_reason_naming_what_was_found(
    fields: ExtractedFields, overrides: dict[str, Any], code: str, says: str
) -> None:
    assessment = judge(fields, **overrides)
    assert assessment.outcome == "needs_review"
    [reason] = [r for r in assessment.reasons if r.code == code]
    assert says in reason.message


def test_every_reason_is_listed_not_just_the_first() -> None:
    forged = changed(participant_name="Dana Whitford", credits=Decimal("1"), title=None)
    assert codes(judge(forged)) == ["missing_title", "name_mismatch", "credits_mismatch"]
    other = changed(participant_name="Robert Haynes", credits=Decimal("1"), title=None)
    assert codes(judge(other)) == ["made_out_to_another", "missing_title", "credits_mismatch"]


@pytest.mark.parametrize(
    ("fields", "person"),
    [
        (changed(participant_name="Robert Haynes"), PERSON),
        (changed(participant_name="D. Whitfield"), PERSON),
        (changed(participant_name="Dana Whitfield"), "Dana Whitford"),
        (changed(participant_name="Donna Whitfield"), PERSON),
    ],
    ids=["other-person", "initial-only", "other-surname", "other-first-name"],
)
def test_a_certificate_made_out_to_someone_else_is_never_verified(
    fields: ExtractedFields, person: str
) -> None:
    """Another person altogether is rejected; a name merely not close enough is reviewed."""
    assessment = judge(fields, person_name=person)
    assert (assessment.outcome, codes(assessment)) in (
        ("needs_review", ["name_mismatch"]),
        ("rejected", ["made_out_to_another"]),
    )


@pytest.mark.parametrize(
    "provider",
    [
        "Acme Academy, SDMS approved",
        "American College of Cardiology",
        "Society for Vascular Surgery",
        "Arizona Society of Radiologic Technologists",
    ],
)
def test_a_provider_missing_from_the_directory_is_never_verified_even_if_declared(
    provider: str,
) -> None:
    declared = msgspec.structs.replace(DECLARED, provider=provider)
    assessment = judge(changed(provider=provider), declared=declared)
    assert (assessment.outcome, codes(assessment)) == ("needs_review", ["provider_unknown"])


@given(
    printed=st.integers(min_value=1, max_value=200),
    excess=st.integers(min_value=1, max_value=40),
)
def test_declaring_more_credits_than_the_certificate_awards_is_never_verified(
    printed: int, excess: int
) -> None:
    awarded = Decimal(printed) / 4
    declared = msgspec.structs.replace(DECLARED, credits=awarded + Decimal(excess) / 4)
    assessment = judge(changed(credits=awarded), declared=declared)
    assert assessment.outcome == "needs_review"
    assert "credits_mismatch" in codes(assessment)


@pytest.mark.parametrize(
    "statement",
    [
        "Gulfcoast Ultrasound Institute designates this live activity for a maximum of 3.25 AMA "
        "PRA Category 1 Credits™.",
        "This activity is approved by the SDMS for 3.25 SDMS CME credits.",
        "Approved by the ASRT for 3.25 Category A continuing education credits.",
    ],
)
def test_a_credit_line_raised_above_the_accreditation_statement_is_never_verified(
    statement: str,
) -> None:
    altered = changed(accreditation_statement=statement, credits=Decimal("5"))
    declared = msgspec.structs.replace(DECLARED, credits=Decimal("5"))
    assessment = judge(altered, declared=declared)
    assert assessment.outcome == "needs_review"
    assert codes(assessment) == ["credits_mismatch"]
    assert "more than the 3.25 its accreditation statement approves" in (
        assessment.reasons[0].message
    )


def test_the_credit_row_read_into_the_statement_is_not_an_amount_the_statement_approves() -> None:
    """OCR on a photo may glue the row holding the (altered) credit figure to the approval
    sentence below it: that figure is the one judged, not one the statement approves, and the
    certificate number before "Credit" is no amount at all."""
    statement = (
        "Certificate # 23008357 Credit 7.5 ARRT Category A This activity has been approved by "
        "the American Society "
        "of Radiologic Technologists (ASRT) for 2.5 Category A credits."
    )
    altered = changed(
        accreditation_statement=statement,
        credits=Decimal("7.5"),
        evidence={
            "certificate_number": "Certificate # 23008357",
            "credits": "Credit 7.5 ARRT Category A",
        },
    )
    declared = msgspec.structs.replace(DECLARED, credits=Decimal("7.5"))
    assessment = judge(altered, declared=declared)
    assert assessment.outcome == "needs_review"
    assert "more than the 2.5 its accreditation statement approves" in (
        assessment.reasons[0].message
    )


@pytest.mark.parametrize("field", ["approval_number", "provider", "title", "credits"])
def test_a_field_read_from_the_statement_leaves_its_amount_to_check(field: str) -> None:
    """Fields are read with their whole line as evidence; where that line is the statement (an
    approval number, a provider or a title inside it, or the credits read from it), the amount
    the statement approves still caps the credit figure."""
    statement = (
        "This activity has been approved by the ASRT (approval number ASRT-123456) for 2.5 "
        "ARRT Category A credits."
    )
    altered = changed(
        accreditation_statement=statement, credits=Decimal("7.5"), evidence={field: statement}
    )
    declared = msgspec.structs.replace(DECLARED, credits=Decimal("7.5"))
    assessment = judge(altered, declared=declared)
    assert assessment.outcome == "needs_review"
    assert "credits_mismatch" in codes(assessment)


def test_awarding_less_than_the_designated_maximum_is_fine() -> None:
    partial = changed(credits=Decimal("2"))
    assert judge(
        partial, declared=msgspec.structs.replace(DECLARED, credits=Decimal("2"))
    ).outcome == ("verified")


def test_declaring_fewer_credits_than_awarded_is_reviewed_and_tolerance_allows_rounding() -> None:
    """A declared figure that disagrees with the printed one either way is never verified."""
    claimed_less = msgspec.structs.replace(DECLARED, credits=Decimal("2"))
    assert codes(judge(declared=claimed_less)) == ["credits_mismatch"]
    rounded = changed(credits=Decimal("3"))
    assert codes(judge(rounded)) == ["credits_mismatch"]
    tolerant = Thresholds(credits_tolerance=Decimal("0.25"))
    assert judge(rounded, thresholds=tolerant).outcome == "verified"


@pytest.mark.parametrize(
    "printed",
    [
        "Whitfield, Dana K.",
        "DANA WHITFIELD, RDMS, RVT",
        "Ms. Dana Kay Whitfield",
        "dana   k  whitfield",
    ],
)
def test_the_person_is_recognised_however_the_name_is_printed(printed: str) -> None:
    assert judge(changed(participant_name=printed)).outcome == "verified"


def test_a_letter_ocr_confuses_is_one_misread_not_none() -> None:
    """A "1" for an "l" is a misread OCR may make (one edit), not a letter in a text layer."""
    misread = changed(participant_name="Dana Whitfie1d")
    assert judge(misread, reading=OCR).outcome == "verified"
    assert codes(judge(misread, reading=TEXT_LAYER)) == ["name_mismatch"]


def test_the_declared_provider_may_be_an_alias_or_acronym_of_the_printed_one() -> None:
    for declared_provider in ("SDMS", "Society of Diagnostic Medical Sonography"):
        declared = msgspec.structs.replace(
            DECLARED, provider=declared_provider, credit_types=("sdms",)
        )
        assert judge(SDMS_FIELDS, declared=declared).outcome == "verified"


def test_a_title_differing_only_in_case_punctuation_or_ocr_noise_agrees() -> None:
    assert judge(changed(title="CAROTID & LOWER EXTREMITY DUPLEX UPDATE")).outcome == "verified"
    assert judge(changed(title="Carotid and Lower-Extremity Dup1ex Update")).outcome == "verified"


# --- reading -----------------------------------------------------------------------------------


def test_an_unreadable_or_encrypted_file_goes_to_review_with_only_that_reason() -> None:
    encrypted = ReviewReason(
        code="encrypted", message="the PDF is password-protected; upload an unprotected copy"
    )
    reading = TextReading(source="none", confidence=0.0, problem=encrypted)
    assessment = judge(ExtractedFields(), reading=reading)
    assert (assessment.outcome, assessment.reasons) == ("needs_review", (encrypted,))
    nothing = judge(ExtractedFields(), reading=TextReading(source="none", confidence=0.0))
    assert codes(nothing) == ["unreadable"]


def test_good_ocr_is_verified_and_poor_ocr_is_not() -> None:
    assert judge(reading=TextReading(source="ocr", confidence=0.91)).outcome == "verified"
    assert judge(reading=TextReading(source="ocr", confidence=0.69)).outcome == "needs_review"
    lenient = Thresholds(min_confidence=0.6)
    assert judge(
        reading=TextReading(source="ocr", confidence=0.69), thresholds=lenient
    ).outcome == ("verified")


OCR = TextReading(source="ocr", confidence=0.91)


@pytest.mark.parametrize(
    ("printed", "reading", "colleagues", "outcome"),
    [
        ("Dana Whitfeld", OCR, (), "verified"),
        ("Dana Whitfeld", TEXT_LAYER, (), "needs_review"),
        ("Dana Whitfeld", OCR, ("Dana Whitfeld",), "needs_review"),
        ("Dana Whitfeld", OCR, ("Dana K. Whitfeld", "Robert Haynes"), "needs_review"),
        ("Dana Whitfeld", OCR, ("Dana Whitfelt",), "needs_review"),
        ("Dana Whitfeld", OCR, ("Dena Whitfelt", "Dana Whitmore"), "verified"),
        ("Dana Whitfield", OCR, ("Dana Whitfeld",), "verified"),
        ("Dana Whitfeld", None, ("Dana Whitfeld",), "needs_review"),
        ("Dona Whitfeld", OCR, (), "needs_review"),
    ],
    ids=[
        "one-letter-by-ocr",
        "one-letter-in-a-text-layer",
        "a-colleague-exactly",
        "a-colleague-with-a-middle-initial",
        "a-colleague-as-close",
        "colleagues-further",
        "the-person-exactly",
        "entered-by-a-reviewer",
        "two-letters-by-ocr",
    ],
)
def test_a_name_one_letter_off_names_the_person_only_when_no_colleague_is_as_close(
    printed: str, reading: TextReading | None, colleagues: tuple[str, ...], outcome: str
) -> None:
    """One letter of a name OCR read may be misread, unless the name spells another active
    person of the organisation as closely: then a reviewer looks, told whom it names."""
    found = judge(changed(participant_name=printed), reading=reading, colleagues=colleagues)
    assert found.outcome == outcome
    assert codes(found) == ([] if outcome == "verified" else ["name_mismatch"])
    if colleagues and outcome == "needs_review" and reading == OCR:
        assert found.reasons[0].message == ANOTHER_AS_CLOSE
        assert colleagues[0] not in found.reasons[0].message


ANOTHER_AS_CLOSE = (
    "the printed name is as close to another person's name in your organisation as to yours"
)


@pytest.mark.parametrize(
    ("printed", "person", "colleague", "reading"),
    [
        ("Nell Whitfield", "Neil Whitfield", "Nell Whitfield", OCR),
        ("Lan Nguyen", "Ian Nguyen", "Lan Nguyen", OCR),
        ("Maria Garcia-Lopez", "Maria Garcia", "Maria Garcia-Lopez", TEXT_LAYER),
        ("Maria Garcia", "Maria Garcia-Lopez", "Maria Garcia", TEXT_LAYER),
        ("Anna Whitfield", "Anna Maria Whitfield", "Anna Whitfield", TEXT_LAYER),
        ("Anna Whitfield", "Anna Maria Whitfield", "Anna Whitfield", OCR),
    ],
)
def test_a_name_spelling_a_colleague_s_is_never_verified_for_the_holder(
    printed: str, person: str, colleague: str, reading: TextReading
) -> None:
    """A printed name that names a colleague at least as well as the holder (fewer or as few
    letters differing, or exactly where the holder's name fits only loosely) goes to review,
    told so without naming the colleague."""
    found = judge(
        changed(participant_name=printed),
        reading=reading,
        person_name=person,
        colleagues=(colleague,),
    )
    assert found.outcome == "needs_review"
    assert [(r.code, r.message) for r in found.reasons] == [("name_mismatch", ANOTHER_AS_CLOSE)]


@pytest.mark.parametrize(
    ("printed", "person"),
    [
        ("Nell Whitfield", "Neil Whitfield"),
        ("Clara Whitfield", "Dara Whitfield"),
        ("Mamie Whitfield", "Marnie Whitfield"),
        ("Lan Nguyen", "Ian Nguyen"),
        ("Anna Marie Whitfield", "Anna Marie Do"),
        ("Linh Thi Nguyen", "Linh Thi Do"),
    ],
)
def test_a_text_layer_s_name_differing_in_a_letter_or_a_surname_is_not_the_holder_s(
    printed: str, person: str
) -> None:
    """A text layer holds the letters printed, confusable or not; a surname spelt like a
    credential ("Do") is the holder's surname, not a credential to drop."""
    found = judge(changed(participant_name=printed), reading=TEXT_LAYER, person_name=person)
    assert found.outcome != "verified"
    assert codes(found) in (["name_mismatch"], ["made_out_to_another"])


@pytest.mark.parametrize(
    ("printed", "person"),
    [
        ("Carla Whitfield", "Maria Whitfield"),
        ("Karla Whitfield", "Karin Whitfield"),
        ("Maria Whitfield", "Karla Whitfield"),
        ("Jamie Whitfield", "Marnie Whitfield"),
    ],
)
def test_a_confusable_letter_and_another_are_not_one_misread(printed: str, person: str) -> None:
    found = judge(changed(participant_name=printed), reading=OCR, person_name=person)
    assert found.outcome == "needs_review"
    assert codes(found) == ["name_mismatch"]


def test_a_readable_file_that_is_no_certificate_is_rejected() -> None:
    letter = ExtractedFields(participant_name="Dana Whitfield", title="Holiday rota 2026")
    assessment = judge(letter)
    assert (assessment.outcome, codes(assessment)) == ("rejected", ["not_a_certificate"])


def test_a_poorly_read_or_person_entered_non_certificate_is_reviewed_not_rejected() -> None:
    letter = ExtractedFields(participant_name="Dana Whitfield", title="Holiday rota 2026")
    blurry = judge(letter, reading=TextReading(source="ocr", confidence=0.3))
    assert blurry.outcome == "needs_review"
    assert {"low_confidence", "missing_credits", "missing_provider"} <= set(codes(blurry))
    assert judge(letter, reading=None).outcome == "needs_review"


def test_fields_entered_by_a_reviewer_are_not_doubted_for_how_they_were_read() -> None:
    assessment = judge(reading=None)
    assert (assessment.outcome, assessment.reading) == ("verified", None)


# --- acceptance per body -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "credit_types", "rule"),
    [
        ("ARRT", ("arrt_category_a",), "Category A or A+ (approved by a RCEEM or RCEEM+)"),
        ("ARRT", ("arrt_category_a_plus",), "Category A or A+ (approved by a RCEEM or RCEEM+)"),
        (
            "ARDMS",
            ("ama_pra_category_1",),
            "approved sponsoring organisation pre-printed on the certificate",
        ),
        (
            "ARDMS",
            ("arrt_category_a",),
            "approved sponsoring organisation pre-printed on the certificate",
        ),
        ("ARDMS", ("sdms",), "CME Tracker partner"),
        ("CCI", ("ama_pra_category_1",), "sponsoring or accrediting body named on the certificate"),
        ("CCI", ("ase",), "direct transfer partner"),
        ("NMTCB", ("snmmi",), "SNM VOICE transcript"),
        ("ND", ("svu",), "registry-acceptable (RCEEM-approved or accepted by a national registry)"),
    ],
)
def test_a_body_accepts_a_credit_type_by_its_confirmed_rule(
    body: Body, credit_types: tuple[str, ...], rule: str
) -> None:
    acceptance = acceptance_of(judge_types(credit_types, body), body)
    assert (acceptance.accepted, acceptance.rule) == (True, rule)


@pytest.mark.parametrize(
    ("body", "credit_types", "says"),
    [
        ("ARDMS", ("aium",), "sponsor widely described as accepted"),
        ("CCI", ("sdms",), "CCI's approved-provider list was not retrieved"),
        ("OR", ("arrt_category_a",), "Oregon licensee CE hours are unconfirmed"),
    ],
)
def test_unconfirmed_rules_are_shown_as_such_and_never_accept(
    body: Body, credit_types: tuple[str, ...], says: str
) -> None:
    assessment = judge_types(credit_types, body)
    acceptance = acceptance_of(assessment, body)
    assert not acceptance.accepted
    assert acceptance.rule is None
    assert acceptance.explanation.startswith("UNCONFIRMED: ")
    assert says in acceptance.explanation
    assert codes(assessment) == ["not_accepted"]


def test_one_accepting_body_is_enough_and_every_body_is_reported_in_order() -> None:
    assessment = judge(bodies=("ARRT", "CCI", "ARDMS"))
    assert assessment.outcome == "verified"
    assert [(a.body, a.accepted) for a in assessment.acceptance] == [
        ("ARDMS", True),
        ("ARRT", False),
        ("CCI", True),
    ]
    assert acceptance_of(assessment, "ARRT").explanation == (
        "ARRT accepts none of: AMA PRA Category 1"
    )


def test_life_support_credit_counts_for_arrt_only_as_a_life_support_course() -> None:
    fields = changed(credit_types=("aha_ashi",), title="ACLS Provider")
    acls = msgspec.structs.replace(
        DECLARED, credit_types=("aha_ashi",), activity_kind="life_support"
    )
    assert acceptance_of(judge(fields, bodies=("ARRT",), declared=acls), "ARRT").rule == (
        "ACLS or PALS by AHA or ASHI"
    )
    standard = msgspec.structs.replace(acls, activity_kind="standard")
    assert not acceptance_of(judge(fields, bodies=("ARRT",), declared=standard), "ARRT").accepted


AHA_CURRICULUM = (
    "The above individual has successfully completed the cognitive and skills evaluations in "
    "accordance with the curriculum of the American Heart Association {} Program."
)


def life_support_card(title: str | None, course: str) -> ExtractedFields:
    """An AHA card of a training center the directory lists (its provider: the Heart
    Association itself), with ``title`` read from its heading and ``course`` in its statement."""
    return changed(
        title=title,
        provider="American Heart Association",
        accreditation_statement=AHA_CURRICULUM.format(course),
        credit_types=("aha_ashi",),
    )


LIFE_SUPPORT = declared(
    title="ACLS Provider",
    provider="American Heart Association",
    credit_types=("aha_ashi",),
    activity_kind="life_support",
)


@pytest.mark.parametrize(
    ("card", "accepted"),
    [
        (life_support_card("ACLS Provider", "Advanced Cardiovascular Life Support (ACLS)"), True),
        (life_support_card(None, "Advanced Cardiovascular Life Support"), True),
        (life_support_card("PALS Provider", "Pediatric Advanced Life Support (PALS)"), True),
        (life_support_card("BLS Provider", "Basic Life Support (CPR and AED)"), False),
        (life_support_card(None, "Basic Life Support (CPR and AED)"), False),
        (life_support_card("Heartsaver CPR AED", "Heartsaver CPR AED"), False),
    ],
    ids=["acls", "acls-statement-only", "pals", "bls", "bls-statement-only", "no-course-named"],
)
def test_arrt_accepts_a_life_support_card_only_for_an_acls_or_pals_course(
    card: ExtractedFields, accepted: bool
) -> None:  # [R1]; basic CPR/BLS is not accepted [R25]
    title = card.title or LIFE_SUPPORT.title
    honest = msgspec.structs.replace(LIFE_SUPPORT, title=title)
    assessment = judge(card, bodies=("ARRT",), declared=honest)
    assert acceptance_of(assessment, "ARRT").accepted is accepted
    verifies = accepted and card.title is not None  # a card without a title is looked at
    assert (assessment.outcome == "verified") is verifies, assessment.reasons


def test_a_bls_card_of_a_listed_training_center_declared_as_bls_is_never_verified() -> None:
    card = life_support_card("BLS Provider", "Basic Life Support (CPR and AED)")
    assert DIRECTORY.find("American Heart Association") is not None
    assessment = judge(
        card, bodies=("ARRT",), declared=msgspec.structs.replace(LIFE_SUPPORT, title="BLS Provider")
    )
    assert assessment.outcome == "needs_review"
    assert "not_accepted" in codes(assessment)
    assert "BLS" in acceptance_of(assessment, "ARRT").explanation


@pytest.mark.parametrize(
    ("card", "shows"),
    [
        (life_support_card("BLS Provider", "Basic Life Support (CPR and AED)"), "BLS Provider"),
        (life_support_card(None, "Basic Life Support (CPR and AED)"), "Basic Life Support"),
        (life_support_card("PALS Provider", "Pediatric Advanced Life Support"), "PALS Provider"),
    ],
    ids=["bls-card", "bls-statement-only", "pals-card"],
)
def test_a_card_for_another_course_than_the_declared_one_is_rejected_and_never_verified(
    card: ExtractedFields, shows: str
) -> None:
    assessment = judge(card, bodies=("ARRT",), declared=LIFE_SUPPORT)
    assert assessment.outcome == "rejected"
    reason = assessment.reasons[0]
    assert reason.code == "type_contradiction"
    assert "declared as ACLS" in reason.message
    assert shows in reason.evidence
    assert judge(card, bodies=("ARRT",), declared=LIFE_SUPPORT, reading=None).outcome == (
        "needs_review"
    ), "a reviewer can reverse it"


def test_new_mexico_accepts_what_the_persons_credentialing_organisation_accepts() -> None:
    nm = acceptance_of(judge_types(("sdms",), "ARDMS", "NM"), "NM")
    assert (nm.accepted, nm.rule) == (
        True,
        "NM as its credentialing organisation: CME Tracker partner",
    )
    assert nm.explanation.startswith("New Mexico licence")


def test_acceptance_follows_the_rules_in_force_on_the_completion_date() -> None:
    before = date(2019, 1, 10)
    fields = changed(completed_on=before, activity_date=before)
    declared = msgspec.structs.replace(DECLARED, completed_on=before)
    nm = acceptance_of(judge(fields, bodies=("ARDMS", "NM"), declared=declared), "NM")
    assert not nm.accepted
    assert "applies from 2019-07-01" in nm.explanation


# --- audit risks -------------------------------------------------------------------------------


def test_ardms_audit_risks_name_what_is_not_pre_printed() -> None:
    bare = changed(
        provider=None, accreditation_statement=None, completed_on=None, activity_date=None
    )
    risks = acceptance_of(judge(bare), "ARDMS").audit_risks
    assert len(risks) == 3
    assert all("[A7]" in risk for risk in risks)
    assert any("provider" in risk for risk in risks)
    assert any("sponsoring or accrediting organisation" in risk for risk in risks)
    assert any("activity date" in risk for risk in risks)


def test_an_sdms_certificate_without_its_file_number_is_an_audit_risk_for_ardms_and_arrt() -> None:
    fields = msgspec.structs.replace(SDMS_FIELDS, approval_number=None)
    assessment = judge(fields, bodies=("ARDMS", "ARRT", "CCI"))
    for body in ("ARDMS", "ARRT"):
        assert any("[A32]" in risk for risk in acceptance_of(assessment, body).audit_risks)
    assert acceptance_of(assessment, "CCI").audit_risks == ()
    assert acceptance_of(judge(SDMS_FIELDS, bodies=("ARDMS",)), "ARDMS").audit_risks == ()


def test_cci_audit_risks_list_the_certificate_content_it_needs() -> None:
    fields = changed(title=None, credits=None)
    [risk] = acceptance_of(judge(fields, bodies=("CCI",)), "CCI").audit_risks
    assert risk.endswith("[C7]; missing: course title, number of credit hours")


def test_arrt_needs_a_completion_date() -> None:
    fields = changed(completed_on=None, activity_date=None, credit_types=("arrt_category_a",))
    [risk] = acceptance_of(judge(fields, bodies=("ARRT",)), "ARRT").audit_risks
    assert "[R27]" in risk


EXACT_NAMES = (
    "Mary Ann O'Neil",
    "Anne-Marie Van Der Berg",
    "Anne-Marie van der Berg",
    "José De La Cruz",
    "Maria dos Santos",
    "Gina d'Angelo",
    "Ali al-Hassan",
    "Anna ten Have",
    "Drew Barrymore",
    "Mrinal Sen",
    "Msizi Dube",
    "Mxolisi Nkosi",
)
WORDINGS = (
    "This certifies that\n{name}\nhas successfully completed",
    "Participant: {name}\nCourse: Carotid Duplex",
    "Presented to {name}",
    "Dear {name},\nThank you for attending",
    "Learner: {name} Learner ID: MP-011524",
)


@pytest.mark.parametrize("case", [str, str.upper], ids=["as typed", "in capitals"])
@pytest.mark.parametrize("wording", WORDINGS)
@pytest.mark.parametrize("name", EXACT_NAMES)
def test_a_certificate_made_out_to_exactly_the_persons_name_is_never_a_name_mismatch(
    name: str, wording: str, case: Any
) -> None:
    printed = find_fields(wording.format(name=case(name))).participant_name
    found = codes(judge(changed(participant_name=printed), person_name=name))
    assert "name_mismatch" not in found, printed
    assert "missing_name" not in found, "the name is read"


# --- verified ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "overrides"),
    [
        (FIELDS, {}),
        (changed(participant_name="Dana Whitfield"), {}),
        (changed(participant_name="DANA K WHITFIELD, RDMS"), {}),
        (changed(participant_name="José Álvarez-Núñez"), {"person_name": "Jose Alvarez-Nunez"}),
        (changed(participant_name="Jose M. Alvarez"), {"person_name": "José Alvarez"}),
        (ASRT_FIELDS, {"declared": ASRT_DECLARED}),
    ],
    ids=["as-declared", "no-middle-initial", "last-first-postnominal", "folded", "middle", "ceu"],
)
def test_a_certificate_agreeing_with_everything_is_verified(
    fields: ExtractedFields, overrides: dict[str, Any]
) -> None:
    assessment = judge(fields, **overrides)
    assert (assessment.outcome, codes(assessment)) == ("verified", [])


def test_a_provider_missing_from_the_directory_is_noted_when_an_accreditor_vouches() -> None:
    vouched = changed(
        provider="Riverbend Imaging Society",
        accreditation_statement="Riverbend Imaging Society is accredited by the ACCME and "
        "designates this activity for a maximum of 3.25 AMA PRA Category 1 Credits.",
    )
    assessment = judge(vouched, declared=declared(provider="Riverbend Imaging Society"))
    assert (assessment.outcome, codes(assessment)) == ("verified", [])
    [note] = assessment.notes
    assert (note.code, note.evidence) == ("provider_not_listed", "Riverbend Imaging Society")


def test_a_bls_card_of_an_unlisted_training_center_is_held_up() -> None:
    """The Heart Association's curriculum vouches for a training center only where a body
    accepts the course: ARRT takes no BLS card."""
    card = changed(
        provider="Riverside Resuscitation Training Ctr",
        title="BLS Provider",
        accreditation_statement=AHA_CURRICULUM.format("Basic Life Support (CPR and AED)"),
        credit_types=("aha_ashi",),
    )
    assessment = judge(
        card,
        bodies=("ARRT",),
        declared=msgspec.structs.replace(
            LIFE_SUPPORT, provider="Riverside Resuscitation Training Ctr", title="BLS Provider"
        ),
    )
    assert assessment.outcome == "needs_review"
    assert "provider_unknown" in codes(assessment)


def test_an_acls_card_of_an_unlisted_training_center_is_verified_and_the_absence_noted() -> None:
    """The Heart Association's curriculum vouches for a card of a course a body accepts (ARRT:
    ACLS or PALS only), so an unlisted training center alone does not hold it up."""
    card = changed(
        provider="Riverside Resuscitation Training Ctr",
        title="ACLS Provider",
        accreditation_statement=AHA_CURRICULUM.format("Advanced Cardiovascular Life Support"),
        credit_types=("aha_ashi",),
    )
    honest = msgspec.structs.replace(LIFE_SUPPORT, provider="Riverside Resuscitation Training Ctr")
    assessment = judge(card, bodies=("ARRT",), declared=honest, provider=None)
    assert (assessment.outcome, codes(assessment)) == ("verified", [])
    [note] = assessment.notes
    assert note.code == "provider_not_listed"


def test_a_life_support_curriculum_vouches_for_nothing_but_its_course() -> None:
    """An in-service that follows the Heart Association's curriculum but awards AMA PRA credit
    is not vouched for by that sentence: only a life-support card of a course a body accepts."""
    in_service = changed(
        provider="Quickstep Imaging Education LLC",
        accreditation_statement="This course follows the curriculum of the American Heart "
        "Association. It is designated for 3.25 AMA PRA Category 1 Credits.",
    )
    assessment = judge(in_service, declared=declared(provider="Quickstep Imaging Education LLC"))
    assert assessment.outcome == "needs_review"
    assert "provider_unknown" in codes(assessment)


def test_the_directory_still_holds_up_a_provider_no_accreditor_vouches_for() -> None:
    unvouched = changed(provider="Riverbend Imaging Society")  # Gulfcoast's statement
    assessment = judge(unvouched, declared=declared(provider="Riverbend Imaging Society"))
    assert (assessment.outcome, codes(assessment)) == ("needs_review", ["provider_unknown"])


# --- rejected ----------------------------------------------------------------------------------

ATTENDANCE = "This certificate documents attendance only. No CME credit is awarded."


@pytest.mark.parametrize(
    ("fields", "overrides", "code", "says"),
    [
        (
            changed(participant_name="Robert Haynes"),
            {},
            "made_out_to_another",
            "made out to 'Robert Haynes', another person than 'Dana K. Whitfield'",
        ),
        (
            changed(completed_on=date(2026, 12, 1), activity_date=None),
            {"declared": declared(completed_on=date(2026, 12, 1))},
            "dated_after_upload",
            "completion on 2026-12-01, after it was uploaded on 2026-11-26",
        ),
        (
            changed(completed_on=date(2024, 6, 3), activity_date=None),
            {"declared": declared(completed_on=date(2024, 6, 3))},
            "outside_window",
            "outside the current CE period (ARDMS 2025-01-01 to 2026-12-31",
        ),
        (
            changed(credits=Decimal(0)),
            {"declared": declared(credits=Decimal(0))},
            "no_credit_awarded",
            "awards 0 credits",
        ),
        (
            changed(accreditation_statement=ATTENDANCE, credits=None),
            {},
            "no_credit_awarded",
            "it certifies attendance only",
        ),
        (
            FIELDS,
            {"signals": signals(*text_signals("Post-test result: FAILED (score 52%)"))},
            "no_credit_awarded",
            "the post-test was not passed",
        ),
        (
            changed(title="BLS Provider Course (AHA)"),
            {"declared": declared(title="ACLS Provider Course (AHA)")},
            "type_contradiction",
            "declared as ACLS, but the certificate is for BLS",
        ),
        (
            changed(
                accreditation_statement="This program is not approved for SDMS, ASRT or AMA PRA "
                "credit.",
                credit_types=("sdms",),
            ),
            {"declared": declared(credit_types=("sdms",))},
            "type_contradiction",
            "declared as SDMS, but the certificate says it is not approved for SDMS",
        ),
    ],
    ids=[
        "another-person",
        "after-upload",
        "outside-window",
        "zero-credits",
        "attendance-only",
        "post-test-failed",
        "bls-as-acls",
        "not-approved-for-sdms",
    ],
)
def test_a_certificate_that_cannot_support_the_claim_is_rejected_with_a_reason_for_the_person(
    fields: ExtractedFields, overrides: dict[str, Any], code: str, says: str
) -> None:
    assessment = judge(fields, **overrides)
    assert assessment.outcome == "rejected"
    assert assessment.reasons[0].code == code
    assert says in assessment.reasons[0].message
    assert assessment.reasons[0].evidence, "the words that caused it are shown"
    doubtful = judge(fields, **overrides, reading=TextReading(source="ocr", confidence=0.5))
    assert doubtful.outcome == "needs_review", "a doubtful reading rejects nothing"
    assert code in codes(doubtful)
    assert judge(fields, **overrides, reading=None).outcome == "needs_review"


def test_the_statement_cap_counts_a_ceu_as_ten_contact_hours() -> None:
    assert judge(ASRT_FIELDS, declared=ASRT_DECLARED).outcome == "verified"
    beyond = msgspec.structs.replace(ASRT_FIELDS, credits=Decimal(13))
    assessment = judge(beyond, declared=msgspec.structs.replace(ASRT_DECLARED, credits=13))
    assert "more than the 12 its accreditation statement approves" in assessment.reasons[0].message


def test_a_negated_approval_is_not_taken_for_an_approval() -> None:
    only_negated = changed(
        accreditation_statement="This program is not approved for SDMS, ASRT or AMA PRA credit.",
    )
    assessment = judge(only_negated)
    assert (assessment.outcome, codes(assessment)) == ("rejected", ["type_contradiction"])
    assert all(not a.accepted for a in assessment.acceptance)
    unattached = judge(only_negated, declared=None)
    assert unattached.outcome == "needs_review"
    assert "negated_approval" in codes(unattached)


@pytest.mark.parametrize("read_as", ["SDMS", "SOMS", "S0MS"])
def test_a_negated_sdms_approval_misread_by_ocr_still_contradicts_a_declared_sdms_credit(
    read_as: str,
) -> None:
    """OCR reads the D of "SDMS" as an O or a zero; in a sentence that denies approval the
    misread name still names SDMS, so a certificate declared as SDMS is not verified."""
    negated = changed(
        accreditation_statement=None,
        credit_types=(),
        evidence={
            "title": f"This program has not been submitted for, and is not approved for, {read_as}"
            ", ASRT or AMA PRA Category 1 credit."
        },
    )
    assessment = judge(
        negated,
        declared=declared(credit_types=("sdms",)),
        reading=TextReading(source="ocr", confidence=0.95),
    )
    assert (assessment.outcome, codes(assessment)[0]) == ("rejected", "type_contradiction")


# --- evidence ----------------------------------------------------------------------------------


def test_each_reason_carries_the_words_on_the_certificate_that_caused_it() -> None:
    with_evidence = changed(
        credits=Decimal(2),
        evidence={"credits": "awarded 2.0 AMA PRA Category 1 Credits", "title": "ignored"},
    )
    [reason] = judge(with_evidence).reasons
    assert (reason.code, reason.evidence) == (
        "credits_mismatch",
        "awarded 2.0 AMA PRA Category 1 Credits",
    )
    [without] = judge(changed(credits=Decimal(2))).reasons
    assert without.evidence == "2", "without the reader's words, the value as read"
    tampered = judge(
        signals=signals(Signal(kind="white_patch", description="a patch", words="3.25"))
    )
    assert [(r.code, r.evidence) for r in tampered.reasons] == [("altered", "3.25")]


def test_old_events_without_evidence_or_notes_still_decode() -> None:
    old = (
        b'{"type":"credits.CertificateRejected","certificate_id":"00000000-0000-0000-0000-'
        b'000000000003","credit_id":null,"reasons":[{"code":"name_mismatch","message":"m"}],'
        b'"decided_by":"worker"}'
    )
    decoded = msgspec.json.decode(old, type=CertificateRejected)
    assert decoded.reasons[0].evidence == ""
    fields = msgspec.json.decode(b'{"participant_name":"A B"}', type=ExtractedFields)
    assert fields.evidence == {}


# --- the words: no credit, denied approvals ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Certificate of Attendance. For attendance purposes only.", ["attendance_only"]),
        ("Post-test: not passed", ["post_test_failed"]),
        ("The participant did not pass the post-test.", ["post_test_failed"]),
        ("No continuing education credit is awarded for this session.", ["no_credit"]),
        ("Not approved for SDMS, ASRT or AMA PRA credit.", ["negated_approval"]),
        ("Certificate of Attendance: 3.25 AMA PRA Category 1 Credits awarded.", []),
        ("Approved by the SDMS for 3.25 SDMS CME credits.", []),
    ],
)
def test_the_words_saying_no_credit_or_no_approval_are_found(text: str, kinds: list[str]) -> None:
    assert [s.kind for s in text_signals(text)] == kinds


def test_negated_approvals_name_each_type_denied() -> None:
    [denied] = text_signals("This activity has not been approved for SDMS, ASRT or AMA PRA credit")
    assert set(denied.credit_types) == {"sdms", "arrt_category_a", "ama_pra_category_1"}


@pytest.mark.parametrize(
    "text",
    [
        "This program has not been submitted for, and is not approved for, SDMS, ASRT or AMA PRA "
        "Category 1 credit.",
        "This activity is not approved\nfor SDMS, ASRT or AMA PRA credit.",
        "This activity is NOT APPROVED FOR: SDMS, ASRT or AMA PRA credit.",
        "This activity is not approved for\u2014SDMS, ASRT or AMA PRA credit.",
        "This activity is not approved, for SDMS, ASRT or AMA PRA credit.",
    ],
    ids=["comma-after-for", "broken-line", "colon-after-for", "dash-after-for", "comma-before-for"],
)
def test_a_denial_is_found_whatever_punctuation_follows_its_verb(text: str) -> None:
    [denied] = text_signals(text)
    assert set(denied.credit_types) == {"sdms", "arrt_category_a", "ama_pra_category_1"}


# --- windows -----------------------------------------------------------------------------------


def test_the_windows_open_on_the_upload_day_are_the_current_ones() -> None:
    person = Person(
        person_id=UUID(int=1),
        full_name=PERSON,
        birth_month=5,
        credentials=(
            Credential(
                credential_id=UUID(int=2), body="ARRT", code="R", earned_on=date(2015, 7, 1)
            ),
        ),
    )
    windows = open_windows(person, UPLOADED)
    assert set(windows) == {"ARRT"}
    assert any(UPLOADED in window for window in windows["ARRT"])
    assert all(window.start <= UPLOADED for window in windows["ARRT"])
    old = changed(completed_on=date(2015, 8, 1), activity_date=None)
    assessment = judge(
        old,
        declared=declared(completed_on=date(2015, 8, 1)),
        bodies=("ARRT",),
        windows=windows,
    )
    assert (assessment.outcome, codes(assessment)[0]) == ("rejected", "outside_window")
