"""Given/when/then tests for the credit and waiver aggregates (domain.credits)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
import pytest
from cme_builders import NOW, PERSON_ID, details, fixed_ids, waiver
from hypothesis import given as hypothesis_given
from hypothesis import strategies as st

from domain.credits import waiver as waivers
from domain.credits.credit import (
    CREDIT_EVENTS,
    AcademicCredits,
    AmendCredit,
    Credit,
    CreditAlreadyRecorded,
    CreditAmended,
    CreditIsRetracted,
    CreditNotRecorded,
    CreditRecorded,
    CreditRefused,
    CreditRetracted,
    CreditVerificationRecorded,
    InvalidCreditAmount,
    InvalidCreditDetails,
    NothingToAmend,
    ReasonRequired,
    RecordCredit,
    RecordVerification,
    RetractCredit,
    check_quarter_credits,
    decide_amend_credit,
    decide_record_credit,
    decide_record_verification,
    decide_retract_credit,
    evolve,
)
from domain.shared.event import Event, EventRegistry, fold

CREDIT_ID = UUID(int=42)
DETAILS = details(date(2025, 3, 1), "1.5", topics=("vascular", "sonography"))
RECORDED = CreditRecorded(
    credit_id=CREDIT_ID,
    person_id=PERSON_ID,
    details=msgspec.structs.replace(DETAILS, topics=("sonography", "vascular")),
    origin="self_reported",
)
RETRACTED = CreditRetracted(credit_id=CREDIT_ID, reason="duplicate upload")


def given(*events: Event) -> Credit | None:
    return fold(evolve, events)


def when(decide: Callable[..., list[Event]], state: Credit | None, command: Any) -> list[Event]:
    return decide(state, command, now=NOW, ids=fixed_ids())


def test_recording_a_credit_normalises_topics_and_starts_pending() -> None:  # [A9]
    events = when(
        decide_record_credit,
        None,
        RecordCredit(credit_id=CREDIT_ID, person_id=PERSON_ID, details=DETAILS),
    )
    assert events == [RECORDED]
    state = given(*events)
    assert state is not None
    assert state.verification == "pending"


def test_a_provider_transfer_arrives_verified() -> None:  # Tracker transfers are approved [A9]
    transferred = msgspec.structs.replace(RECORDED, origin="provider_transfer")
    state = given(transferred)
    assert state is not None
    assert state.verification == "verified"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "positive"),
        ("-1", "positive"),
        ("-0.25", "positive"),
        ("0.1", "quarter-credit"),
        ("1.3", "quarter-credit"),
        ("0.125", "quarter-credit"),
        ("NaN", "positive"),
        ("Infinity", "positive"),
        ("1000.25", "at most 1000"),
        ("1e999999999", "at most 1000"),
        ("1e-999999999", "quarter-credit"),
        ("0.2500000000000000000000000001", "quarter-credit"),
    ],
)
def test_credits_must_be_positive_quarter_steps(amount: str, message: str) -> None:  # [O19]
    bad = msgspec.structs.replace(DETAILS, credits=Decimal(amount))
    with pytest.raises(InvalidCreditAmount, match=message):
        when(
            decide_record_credit,
            None,
            RecordCredit(credit_id=CREDIT_ID, person_id=PERSON_ID, details=bad),
        )


@pytest.mark.parametrize("amount", ["0.25", "0.5", "0.75", "1", "1.50", "24", "1E+2"])
def test_quarter_steps_are_accepted(amount: str) -> None:
    check_quarter_credits(Decimal(amount))


@hypothesis_given(st.integers(min_value=1, max_value=4000))
def test_every_whole_number_of_quarters_is_accepted(quarters: int) -> None:
    check_quarter_credits(Decimal(quarters) / 4)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": " "}, "title"),
        ({"provider": ""}, "provider"),
        ({"accrediting_organisation": " "}, "accrediting organisation"),
        ({"credit_types": ()}, "credit type"),
        ({"completed_on": date(2026, 11, 27)}, "future"),
        ({"activity_kind": "academic_course"}, "academic credit units"),  # [R1]
        ({"academic": AcademicCredits(units=Decimal(3), term="semester")}, "only of one"),
    ],
)
def test_incomplete_details_are_refused(change: dict[str, Any], message: str) -> None:
    bad = msgspec.structs.replace(DETAILS, **change)
    with pytest.raises(InvalidCreditDetails, match=message):
        when(
            decide_record_credit,
            None,
            RecordCredit(credit_id=CREDIT_ID, person_id=PERSON_ID, details=bad),
        )


@pytest.mark.parametrize(
    ("units", "accepted"),
    [
        ("3", True),
        ("1.5", True),
        ("0.25", True),
        ("0", False),
        ("-1", False),
        ("0.1", False),
        ("1e999999999", False),
        ("1e-999999999", False),
    ],
)
def test_an_academic_course_records_its_academic_credit_units(units: str, accepted: bool) -> None:
    course = msgspec.structs.replace(
        DETAILS,
        activity_kind="academic_course",
        academic=AcademicCredits(units=Decimal(units), term="quarter"),
    )
    command = RecordCredit(credit_id=CREDIT_ID, person_id=PERSON_ID, details=course)
    if accepted:
        [recorded] = when(decide_record_credit, None, command)
        assert isinstance(recorded, CreditRecorded)
        assert recorded.details.academic == course.academic
    else:
        with pytest.raises(InvalidCreditAmount, match="academic credit units"):
            when(decide_record_credit, None, command)


def test_a_credit_is_recorded_once() -> None:
    with pytest.raises(CreditAlreadyRecorded):
        when(
            decide_record_credit,
            given(RECORDED),
            RecordCredit(credit_id=CREDIT_ID, person_id=PERSON_ID, details=DETAILS),
        )


def test_amending_replaces_details_and_restarts_verification() -> None:
    verified = CreditVerificationRecorded(credit_id=CREDIT_ID, status="verified", note="")
    new = msgspec.structs.replace(RECORDED.details, credits=Decimal("1.75"))
    events = when(
        decide_amend_credit,
        given(RECORDED, verified),
        AmendCredit(details=new, reason=" certificate says 1.75 "),
    )
    assert events == [
        CreditAmended(credit_id=CREDIT_ID, details=new, reason="certificate says 1.75")
    ]
    state = given(RECORDED, verified, *events)
    assert state is not None
    assert (state.details.credits, state.verification) == (Decimal("1.75"), "pending")


@pytest.mark.parametrize(
    ("history", "command", "error", "message"),
    [
        ((), AmendCredit(details=DETAILS, reason="x"), CreditNotRecorded, "never recorded"),
        (
            (RECORDED,),
            AmendCredit(details=RECORDED.details, reason="x"),
            NothingToAmend,
            "changes nothing",
        ),
        (
            (RECORDED,),
            AmendCredit(details=msgspec.structs.replace(DETAILS, credits=Decimal(2)), reason="  "),
            ReasonRequired,
            "needs a reason",
        ),
        (
            (RECORDED,),
            AmendCredit(
                details=msgspec.structs.replace(DETAILS, credits=Decimal("2.1")), reason="typo"
            ),
            InvalidCreditAmount,
            "quarter-credit",
        ),
        (
            (RECORDED, RETRACTED),
            AmendCredit(details=msgspec.structs.replace(DETAILS, credits=Decimal(2)), reason="x"),
            CreditIsRetracted,
            "amend a retracted credit",
        ),
    ],
)
def test_refused_amendments(
    history: tuple[Event, ...], command: AmendCredit, error: type[CreditRefused], message: str
) -> None:
    with pytest.raises(error, match=message):
        when(decide_amend_credit, given(*history), command)


def test_retracting_needs_a_reason_and_happens_once() -> None:
    events = when(decide_retract_credit, given(RECORDED), RetractCredit(reason="duplicate upload"))
    assert events == [RETRACTED]
    state = given(RECORDED, *events)
    assert state is not None
    assert state.retracted
    with pytest.raises(ReasonRequired, match="a retraction needs a reason"):
        when(decide_retract_credit, given(RECORDED), RetractCredit(reason=" "))
    with pytest.raises(CreditIsRetracted, match="retract a retracted credit"):
        when(decide_retract_credit, state, RetractCredit(reason="again"))


def test_verification_outcomes() -> None:
    assert when(
        decide_record_verification, given(RECORDED), RecordVerification(status="verified")
    ) == [CreditVerificationRecorded(credit_id=CREDIT_ID, status="verified", note="")]
    assert (
        when(decide_record_verification, given(RECORDED), RecordVerification(status="pending"))
        == []
    )
    with pytest.raises(ReasonRequired, match="why the credit is rejected"):
        when(decide_record_verification, given(RECORDED), RecordVerification(status="rejected"))
    with pytest.raises(CreditIsRetracted):
        when(
            decide_record_verification,
            given(RECORDED, RETRACTED),
            RecordVerification(status="verified"),
        )


def test_credit_events_round_trip_through_the_event_registry() -> None:
    registry = EventRegistry(CREDIT_EVENTS)
    for event in (RECORDED, RETRACTED):
        tag, version, data = registry.encode(event)
        assert registry.decode(tag, version, data) == event


def test_credits_are_stored_as_exact_decimal_text() -> None:
    _, _, data = EventRegistry(CREDIT_EVENTS).encode(RECORDED)
    assert data["details"]["credits"] == "1.5"


def test_a_waiver_is_recorded_once_and_not_in_the_future() -> None:  # [A1], [C3]
    granted = waiver("ARDMS", "new_credential_or_specialty", date(2024, 5, 1))
    events = waivers.decide_record_waiver(
        None, waivers.RecordWaiver(waiver=granted), now=NOW, ids=fixed_ids()
    )
    assert events == [waivers.WaiverRecorded(waiver=granted)]
    state = waivers.evolve(None, events[0])
    with pytest.raises(waivers.WaiverRefused, match="already recorded"):
        waivers.decide_record_waiver(
            state, waivers.RecordWaiver(waiver=granted), now=NOW, ids=fixed_ids()
        )
    future = msgspec.structs.replace(granted, granted_on=date(2027, 1, 1))
    with pytest.raises(waivers.WaiverRefused, match="future"):
        waivers.decide_record_waiver(
            None, waivers.RecordWaiver(waiver=future), now=NOW, ids=fixed_ids()
        )
