"""The certificate's verification: one worker outcome per certificate (a redelivered message
decides nothing), then reviewers approve or reject, correcting fields with a reason, and may
overturn an earlier outcome only with a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest

from domain.compliance.cycles import Window
from domain.credits.certificate import (
    AssessmentMismatch,
    Certificate,
    CertificateAlreadyDecided,
    CertificateNotUploaded,
    CertificateUploaded,
    FieldsRequired,
    OwnRecordReview,
    ReviewCertificate,
    ReviewDecision,
    ReviewReasonRequired,
    decide_review_certificate,
    decide_worker_outcome,
    evolve,
)
from domain.credits.credit import CreditDetails
from domain.credits.providers import ProviderDirectory
from domain.credits.verification import (
    Assessment,
    CertificateFieldsCorrected,
    CertificateNeedsReview,
    CertificateRejected,
    CertificateVerified,
    ExtractedFields,
    TextReading,
    Thresholds,
    assess,
)
from domain.shared.event import Event, fold

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
REVIEWER = UUID(int=7)
REVIEWER_PERSON = UUID(int=8)
UPLOADED = CertificateUploaded(
    certificate_id=UUID(int=11),
    person_id=UUID(int=1),
    credit_id=UUID(int=42),
    sha256="ab" * 32,
    media_type="image/jpeg",
    size_bytes=48_213,
    filename="svu-certificate.jpg",
)
DECLARED = CreditDetails(
    title="Vascular Doppler Update",
    provider="Society for Vascular Ultrasound",
    accrediting_organisation="SVU",
    credit_types=("svu",),
    completed_on=date(2026, 3, 14),
    credits=Decimal("3.25"),
)
AS_PRINTED = ExtractedFields(
    participant_name="Dana Whitfield",
    title="Vascular Doppler Update",
    provider="Society for Vascular Ultrasound",
    accreditation_statement="Approved by the Society for Vascular Ultrasound for 3.25 SVU-CME.",
    credit_types=("svu",),
    completed_on=date(2026, 3, 14),
    credits=Decimal("3.25"),
)
MISREAD = msgspec.structs.replace(AS_PRINTED, credits=Decimal("3.2"))
PHOTO = TextReading(source="ocr", confidence=0.81)


def assessment(fields: ExtractedFields, reading: TextReading | None = PHOTO) -> Assessment:
    provider = ProviderDirectory.with_tenant().find(fields.provider or "")
    return assess(
        reading,
        fields,
        declared=DECLARED,
        person_name="Dana Whitfield",
        bodies=("ARDMS",),
        provider=provider,
        thresholds=Thresholds(),
        uploaded_on=NOW.date(),
        windows={"ARDMS": (Window(start=date(2025, 1, 1), end=date(2026, 12, 31)),)},
    )


def given(*events: Event) -> Certificate | None:
    return fold(evolve, events)


def worker(state: Certificate | None, judged: Assessment) -> list[Event]:
    return decide_worker_outcome(state, judged, now=NOW, ids=uuid4)


def review(state: Certificate | None, **command: Any) -> list[Event]:
    reviewed = ReviewCertificate(
        reviewer_id=REVIEWER, reviewer_person_id=REVIEWER_PERSON, **command
    )
    return decide_review_certificate(state, reviewed, now=NOW, ids=uuid4)


def worker_outcome(fields: ExtractedFields) -> Event:
    [event] = worker(given(UPLOADED), assessment(fields))
    return event


# --- the worker --------------------------------------------------------------------------------


def test_the_worker_records_a_verified_certificate_with_how_it_was_read() -> None:
    event = worker_outcome(AS_PRINTED)
    assert isinstance(event, CertificateVerified)
    assert (event.decided_by, event.text_source, event.confidence) == (
        "worker",
        "ocr",
        Decimal("0.81"),
    )
    assert (event.certificate_id, event.credit_id) == (UPLOADED.certificate_id, UPLOADED.credit_id)
    assert event.provider is not None
    assert event.provider.provider_id == "svu"
    state = given(UPLOADED, event)
    assert state is not None
    assert (state.verification, state.decided_by, state.fields) == (
        "verified",
        "worker",
        AS_PRINTED,
    )


def test_the_worker_sends_a_doubtful_certificate_to_review_with_its_reasons() -> None:
    event = worker_outcome(MISREAD)
    assert isinstance(event, CertificateNeedsReview)
    assert [r.code for r in event.reasons] == ["credits_mismatch"]
    state = given(UPLOADED, event)
    assert state is not None
    assert (state.verification, state.reasons, state.fields) == (
        "needs_review",
        event.reasons,
        MISREAD,
    )


def test_the_worker_rejects_a_file_that_is_no_certificate() -> None:
    event = worker_outcome(ExtractedFields(title="Staff rota"))
    assert isinstance(event, CertificateRejected)
    assert (event.decided_by, [r.code for r in event.reasons]) == ("worker", ["not_a_certificate"])
    state = given(UPLOADED, event)
    assert state is not None
    assert state.verification == "rejected"


@pytest.mark.parametrize("fields", [AS_PRINTED, MISREAD, ExtractedFields(title="Staff rota")])
def test_a_redelivered_message_decides_nothing_once_the_worker_has_decided(
    fields: ExtractedFields,
) -> None:
    state = given(UPLOADED, worker_outcome(fields))
    assert worker(state, assessment(fields)) == []
    assert worker(state, assessment(AS_PRINTED)) == []


def test_the_worker_does_not_overrule_a_reviewer_who_decided_first() -> None:
    approved = review(
        given(UPLOADED),
        decision="approve",
        corrected_fields=AS_PRINTED,
        reason="checked the paper",
        assessment=assessment(AS_PRINTED, None),
    )
    state = given(UPLOADED, *approved)
    assert worker(state, assessment(MISREAD)) == []


def test_the_worker_needs_an_uploaded_certificate_and_an_assessment_of_a_reading() -> None:
    with pytest.raises(CertificateNotUploaded):
        worker(None, assessment(AS_PRINTED))
    with pytest.raises(AssessmentMismatch):
        worker(given(UPLOADED), assessment(AS_PRINTED, None))


# --- reviewers ---------------------------------------------------------------------------------


def test_a_reviewer_approves_a_certificate_whose_doubt_was_only_the_reading() -> None:
    blurry = TextReading(source="ocr", confidence=0.41)
    state = given(UPLOADED, *worker(given(UPLOADED), assessment(AS_PRINTED, blurry)))
    assert state is not None
    assert state.verification == "needs_review"
    [event] = review(state, decision="approve", assessment=assessment(AS_PRINTED, None))
    assert isinstance(event, CertificateVerified)
    assert (event.decided_by, event.reviewer_id, event.note) == ("reviewer", REVIEWER, "")
    assert (event.text_source, event.confidence) == ("ocr", Decimal("0.41"))


def test_a_reviewer_corrects_the_fields_and_approves_in_one_decision() -> None:
    state = given(UPLOADED, worker_outcome(MISREAD))
    events = review(
        state,
        decision="approve",
        corrected_fields=AS_PRINTED,
        reason="3.25 credits are printed; OCR read 3.2",
        assessment=assessment(AS_PRINTED, None),
    )
    corrected, verified = events
    assert isinstance(corrected, CertificateFieldsCorrected)
    assert (corrected.fields, corrected.reason) == (
        AS_PRINTED,
        "3.25 credits are printed; OCR read 3.2",
    )
    assert isinstance(verified, CertificateVerified)
    assert (verified.fields, verified.decided_by) == (AS_PRINTED, "reviewer")
    after = given(UPLOADED, worker_outcome(MISREAD), *events)
    assert after is not None
    assert (after.verification, after.fields, after.reasons) == ("verified", AS_PRINTED, ())


def test_approving_despite_remaining_doubts_needs_a_reason_that_is_kept() -> None:
    state = given(UPLOADED, worker_outcome(MISREAD))
    doubtful = assessment(MISREAD, None)
    with pytest.raises(
        ReviewReasonRequired, match=r"approved despite: the certificate awards 3\.2"
    ):
        review(state, decision="approve", assessment=doubtful)
    [event] = review(
        state, decision="approve", assessment=doubtful, reason="  provider confirmed 3.2 by phone "
    )
    assert isinstance(event, CertificateVerified)
    assert event.note == "provider confirmed 3.2 by phone"


def test_a_correction_needs_a_reason_and_an_unchanged_one_records_nothing() -> None:
    state = given(UPLOADED, worker_outcome(MISREAD))
    with pytest.raises(ReviewReasonRequired, match="why the fields are corrected"):
        review(
            state,
            decision="approve",
            corrected_fields=AS_PRINTED,
            assessment=assessment(AS_PRINTED, None),
        )
    events = review(
        state,
        decision="approve",
        corrected_fields=MISREAD,
        reason="as read",
        assessment=assessment(MISREAD, None),
    )
    assert [type(e) for e in events] == [CertificateVerified]


@pytest.mark.parametrize(
    ("command", "error"),
    [
        ({}, AssessmentMismatch),
        ({"assessment": assessment(AS_PRINTED, None)}, AssessmentMismatch),
        ({"assessment": assessment(MISREAD, PHOTO)}, AssessmentMismatch),
    ],
    ids=["missing", "other-fields", "not-by-a-person"],
)
def test_approval_rests_on_an_assessment_of_exactly_the_fields_approved(
    command: dict[str, Any], error: type[Exception]
) -> None:
    state = given(UPLOADED, worker_outcome(MISREAD))
    with pytest.raises(error):
        review(state, decision="approve", reason="ok", **command)


def test_a_reviewer_rejects_with_a_reason_the_person_sees() -> None:
    state = given(UPLOADED, worker_outcome(MISREAD))
    with pytest.raises(ReviewReasonRequired, match="rejected"):
        review(state, decision="reject", reason="   ")
    [event] = review(state, decision="reject", reason="made out to another sonographer")
    assert isinstance(event, CertificateRejected)
    assert (event.decided_by, event.reviewer_id) == ("reviewer", REVIEWER)
    assert [(r.code, r.message) for r in event.reasons] == [
        ("rejected_by_reviewer", "made out to another sonographer")
    ]
    after = given(UPLOADED, worker_outcome(MISREAD), event)
    assert after is not None
    assert (after.verification, after.reasons) == ("rejected", event.reasons)


def test_the_same_decision_twice_is_refused() -> None:
    verified = given(UPLOADED, worker_outcome(AS_PRINTED))
    with pytest.raises(CertificateAlreadyDecided, match="already verified"):
        review(verified, decision="approve", reason="x", assessment=assessment(AS_PRINTED, None))
    rejected = given(UPLOADED, worker_outcome(ExtractedFields(title="Staff rota")))
    with pytest.raises(CertificateAlreadyDecided, match="already rejected"):
        review(rejected, decision="reject", reason="still no certificate")


def test_overturning_an_outcome_needs_a_reason() -> None:
    verified = given(UPLOADED, worker_outcome(AS_PRINTED))
    with pytest.raises(ReviewReasonRequired, match="verified before, is now rejected"):
        review(verified, decision="reject")
    [event] = review(verified, decision="reject", reason="the provider says it never issued it")
    assert isinstance(event, CertificateRejected)


def test_approving_a_certificate_nothing_was_read_off_needs_its_fields() -> None:
    rejected = given(UPLOADED, worker_outcome(ExtractedFields(title="Staff rota")))
    with pytest.raises(FieldsRequired):
        review(rejected, decision="approve", reason="it is a certificate: page 2 of the scan")
    events = review(
        rejected,
        decision="approve",
        reason="it is a certificate: page 2 of the scan",
        corrected_fields=AS_PRINTED,
        assessment=assessment(AS_PRINTED, None),
    )
    assert [type(e) for e in events] == [CertificateFieldsCorrected, CertificateVerified]


def test_a_pending_certificate_can_be_decided_before_the_worker_reads_it() -> None:
    events = review(given(UPLOADED), decision="reject", reason="uploaded by mistake")
    assert [type(e) for e in events] == [CertificateRejected]


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_nobody_decides_a_certificate_of_their_own_record(decision: ReviewDecision) -> None:
    rejected = given(UPLOADED, worker_outcome(ExtractedFields(title="Staff rota")))
    own = ReviewCertificate(
        reviewer_id=REVIEWER,
        reviewer_person_id=UPLOADED.person_id,
        decision=decision,
        reason="it is mine and it is fine",
        corrected_fields=AS_PRINTED,
        assessment=assessment(AS_PRINTED, None),
    )
    with pytest.raises(OwnRecordReview):
        decide_review_certificate(rejected, own, now=NOW, ids=uuid4)


def test_reviewing_a_certificate_never_uploaded_is_refused() -> None:
    with pytest.raises(CertificateNotUploaded):
        review(None, decision="reject", reason="x")


def test_a_certificate_stream_must_start_with_the_upload() -> None:
    with pytest.raises(CertificateNotUploaded):
        evolve(None, worker_outcome(AS_PRINTED))
    with pytest.raises(TypeError, match="not a certificate event"):
        evolve(given(UPLOADED), Event())


def test_a_reviewer_can_reverse_the_workers_rejection_with_a_reason() -> None:
    """The worker's rejection keeps what it read, so a reviewer can approve it after all."""
    rejected = assessment(msgspec.structs.replace(AS_PRINTED, participant_name="Robert Haynes"))
    assert rejected.outcome == "rejected"
    uploaded = evolve(None, UPLOADED)
    [rejection] = decide_worker_outcome(uploaded, rejected, now=NOW, ids=uuid4)
    assert isinstance(rejection, CertificateRejected)
    state = evolve(uploaded, rejection)
    assert (state.verification, state.fields, state.reasons) == (
        "rejected",
        rejected.fields,
        rejected.reasons,
    )
    approve = ReviewCertificate(
        reviewer_id=REVIEWER,
        reviewer_person_id=REVIEWER_PERSON,
        decision="approve",
        reason="Robert Haynes is her name before marriage; ID checked",
        assessment=assessment(rejected.fields, reading=None),
    )
    [verified] = decide_review_certificate(state, approve, now=NOW, ids=uuid4)
    assert isinstance(verified, CertificateVerified)
    assert (verified.decided_by, verified.fields) == ("reviewer", rejected.fields)
