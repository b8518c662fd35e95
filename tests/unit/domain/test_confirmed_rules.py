"""Confirmed rules modelled after issue 3 (cme-rules.md §1.8, §2.4, §2.6, §4.4).

ARRT full attendance [R12], [R13]; ARDMS audit reinstatement [A5]-[A7]; New Mexico licence term
and limited-radiography licence [O6], [O7]; ARRT CQR [R10], [R11], [R8]. Each case id starts
with the source ids it encodes.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import msgspec
import pytest
from cme_builders import (
    NOW,
    changed,
    credential,
    credit,
    day,
    fixed_ids,
    line,
    obligations,
    person,
    spans,
)

from domain.compliance.cycles import Anchor, windows_through
from domain.compliance.evaluation import Obligation, QualificationStatus, unchanged_through
from domain.compliance.packs import NM_LICENCE_TERM, RULE_PACKS
from domain.credits.credit import CreditDetails, CreditType
from domain.people.credentials import Body, CredentialStatus
from domain.people.person import (
    AddCredential,
    CqrCompleted,
    Credential,
    CredentialAdded,
    InvalidCredential,
    InvalidPersonData,
    Person,
    PersonRegistered,
    RecordCqrCompletion,
    decide_add_credential,
    decide_record_cqr_completion,
    evolve,
)

_CATEGORY_A: tuple[CreditType, ...] = ("arrt_category_a",)
_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"


def _one(found: list[Obligation], body: Body, period: str = "current") -> Obligation:
    [match] = [o for o in found if o.body == body and o.period == period and o.mirrors is None]
    return match


# --- ARRT: no partial credit from 2022 [R12], [R13] --------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "completed_on", "partial", "counted", "reason"),
    [
        pytest.param(
            "ARRT", "S", date(2021, 12, 31), True, Decimal(3), None, id="R12-partial-before-2022"
        ),
        pytest.param(
            "ARRT",
            "S",
            date(2022, 1, 1),
            True,
            Decimal(0),
            "partial_attendance",
            id="R12-R13-partial-from-2022-not-accepted",
        ),
        pytest.param(
            "ARRT", "S", date(2022, 6, 1), False, Decimal(3), None, id="R12-full-attendance-counts"
        ),
        pytest.param(
            "ARDMS", "RDMS", date(2022, 6, 1), True, Decimal(3), None, id="A7-ardms-states-no-rule"
        ),
    ],
)
def test_partial_attendance(
    body: Body,
    code: str,
    completed_on: date,
    partial: bool,
    counted: Decimal,
    reason: str | None,
) -> None:
    # ARRT biennium 2021-04-01..2023-03-31 holds both dates; ARDMS period 2020-06-10..2023-12-31
    holder = person(credential(body, code, date(2020, 6, 10)), birth_month=4)
    attended = credit(completed_on, "3", types=_CATEGORY_A, partial_attendance=partial)
    found = _one(obligations(holder, [attended], today=date(2023, 3, 1)), body)
    assert line(found)[1] == counted
    assert [(x.reason, x.credits) for x in found.not_used] == (
        [(reason, Decimal(3))] if reason else []
    )
    if reason:
        assert found.not_used[0].sources == ("R12", "R13")


def test_r12_partial_attendance_is_judged_by_completion_date_in_a_biennium_begun_before_2022() -> (
    None
):
    holder = person(credential("ARRT", "S", date(2019, 6, 10)), birth_month=4)  # 2020-04..2022-03
    early = credit(date(2021, 6, 1), "3", types=_CATEGORY_A, partial_attendance=True)
    late = credit(date(2022, 1, 15), "3", types=_CATEGORY_A, partial_attendance=True)
    found = _one(obligations(holder, [early, late], today=date(2022, 3, 1)), "ARRT")
    assert found.window.start == date(2020, 4, 1)
    assert [u.credit_id for u in found.used] == [early.credit_id]
    assert [x.credit_id for x in found.not_used] == [late.credit_id]


def test_credits_stored_before_partial_attendance_existed_were_attended_in_full() -> None:
    stored = json.loads((_FIXTURES / "credits.CreditRecorded" / "v1.json").read_text())
    assert "partial_attendance" not in stored["details"]
    details = msgspec.convert(stored["details"], CreditDetails)
    assert details.partial_attendance is False


# --- ARDMS: reinstatement after a failed audit [A5]-[A7] -----------------------------------------

_RDMS_EARNED = date(2019, 6, 10)  # first period 2019-06-10..2022-12-31


def _revoked(
    code_sets: tuple[str, ...], on: date | None, status: CredentialStatus = "revoked"
) -> Person:
    held = [credential("ARDMS", code, _RDMS_EARNED) for code in code_sets]
    if on is not None:
        held = [changed(c, (on, status)) for c in held]
    return person(*held)


@pytest.mark.parametrize(
    ("codes", "credits", "expected"),
    [
        pytest.param(("RDMS",), "35", (40, 35, 5), id="A5-A7-requirement-30-needs-40"),
        pytest.param(("RPVI", "RMSK"), "35", (80, 35, 45), id="A5-A7-requirement-60-needs-80"),
        pytest.param(("RDMS",), "40", (40, 40, 0), id="A5-forty-inside-the-period-suffice"),
    ],
)
def test_ardms_audit_reinstatement(
    codes: tuple[str, ...], credits: str, expected: tuple[int, int, int]
) -> None:
    """Revoked on 2023-05-15 after a failed audit, looked at on 2023-06-01."""
    who = _revoked(codes, date(2023, 5, 15))
    topics = ("sonography", "vascular") if "RPVI" in codes else ()
    cmes = [credit(date(2022, 3, 1), credits, topics=topics)]
    [previous] = [o for o in obligations(who, cmes, today=date(2023, 6, 1)) if o.body == "ARDMS"]
    assert previous.period == "previous"
    assert previous.window.end == date(2022, 12, 31)
    assert previous.reinstatement is not None
    assert previous.reinstatement.due == date(2023, 8, 1)
    assert previous.reinstatement.sources[:3] == ("A5", "A6", "A7")
    assert line(previous, previous.lines[-1].label) == tuple(map(Decimal, expected))
    assert previous.lines[-1].label.startswith("audit reinstatement")
    assert previous.status == ("overdue" if expected[2] else "compliant")


@pytest.mark.parametrize(
    ("status_on", "status", "today"),
    [
        pytest.param(
            "2023-05-15", "revoked", "2023-08-02", id="A5-after-aug-1-permanently-revoked"
        ),
        pytest.param(
            "2023-09-01",
            "revoked",
            "2023-09-02",
            id="A5-revoked-after-aug-1-not-an-audit-reinstatement",
        ),
        pytest.param(
            "2023-01-01", "lapsed", "2023-06-01", id="A13-lapsed-renewal-is-not-an-audit-failure"
        ),
    ],
)
def test_ardms_no_audit_reinstatement(status_on: str, status: CredentialStatus, today: str) -> None:
    who = _revoked(("RDMS",), day(status_on), status)
    cmes = [credit(date(2022, 3, 1), "35")]
    assert [o for o in obligations(who, cmes, today=day(today)) if o.body == "ARDMS"] == []


def test_a5_reinstatement_cmes_must_fall_inside_the_period() -> None:
    who = _revoked(("RDMS",), date(2023, 5, 15))
    cmes = [credit(date(2022, 3, 1), "30"), credit(date(2023, 3, 1), "10")]
    [previous] = obligations(who, cmes, today=date(2023, 6, 1))
    assert line(previous, previous.lines[-1].label) == (Decimal(40), Decimal(30), Decimal(10))


def test_a5_reinstatement_result_expires_on_aug_1() -> None:
    who = _revoked(("RDMS",), date(2023, 5, 15))
    found = obligations(who, today=date(2023, 6, 1))
    assert unchanged_through(
        who, [], [], found, evaluated_on=date(2023, 6, 1), rule_packs=RULE_PACKS
    ) == date(2023, 8, 1)


# --- New Mexico: licence term [O7] and limited radiography [O6] ----------------------------------


@pytest.mark.parametrize(
    ("issued", "terms", "flagged"),
    [
        pytest.param(
            "2023-02-10",
            "2023-02-10..2025-02-28 2025-03-01..2027-02-28",
            False,
            id="O7-before-the-15th-ends-with-the-month-of-issue",
        ),
        pytest.param(
            "2023-02-20",
            "2023-02-20..2025-03-31 2025-04-01..2027-03-31",
            False,
            id="O7-after-the-15th-ends-with-the-following-month",
        ),
        pytest.param(
            "2023-02-15",
            "2023-02-15..2025-02-28 2025-03-01..2027-02-28",
            True,
            id="O7-on-the-15th-unstated-shorter-term-flagged",
        ),
        pytest.param(
            "2022-12-31",
            "2022-12-31..2025-01-31 2025-02-01..2027-01-31",
            False,
            id="O7-after-the-15th-of-december-rolls-into-january",
        ),
    ],
)
def test_nm_licence_terms(issued: str, terms: str, flagged: bool) -> None:
    windows, flags = windows_through(
        NM_LICENCE_TERM, Anchor(first_credential_on=day(issued)), date(2026, 1, 1)
    )
    assert [(w.start, w.end) for w in windows] == spans(terms)
    assert (NM_LICENCE_TERM.on_mid_month in flags) is flagged
    assert NM_LICENCE_TERM.renewals in flags


@pytest.mark.parametrize(
    ("licensed", "ardms_end", "term_end"),
    [
        pytest.param(
            date(2023, 2, 1), date(2025, 12, 31), date(2027, 2, 28), id="O7-term-after-period"
        ),
        pytest.param(
            date(2023, 12, 20), date(2025, 12, 31), date(2026, 1, 31), id="O7-term-ending-next"
        ),
    ],
)
def test_o6_o7_nm_repeated_obligation_reports_at_the_licence_term_end(
    licensed: date, ardms_end: date, term_end: date
) -> None:
    who = person(credential("ARDMS", "RDMS", date(2019, 6, 10)), credential("NM", "DMS", licensed))
    [nm] = [o for o in obligations(who, today=date(2024, 6, 1)) if o.body == "NM"]
    assert (nm.mirrors, nm.window.end, nm.deadline) == ("ARDMS", ardms_end, ardms_end)
    assert nm.reporting is not None
    assert (nm.reporting.due, nm.reporting.sources) == (term_end, ("O7",))
    assert NM_LICENCE_TERM.renewals in nm.flags


def _limited(*extra: Credential) -> Person:
    return person(*extra, credential("NM", "LR", date(2023, 2, 10)))


@pytest.mark.parametrize(
    ("credits", "counted", "status"),
    [
        pytest.param([("20", _CATEGORY_A)], Decimal(20), "at_risk", id="O6-short-of-24-category-a"),
        pytest.param(
            [("20", _CATEGORY_A), ("4", ("arrt_category_a_plus",))],
            Decimal(24),
            "compliant",
            id="O6-category-a-and-a-plus-count",
        ),
        pytest.param(
            [("20", _CATEGORY_A), ("10", ("ama_pra_category_1",))],
            Decimal(20),
            "at_risk",
            id="O6-other-credit-types-do-not-count",
        ),
    ],
)
def test_o6_nm_limited_radiography_needs_24_category_a_per_term(
    credits: list[tuple[str, tuple[CreditType, ...]]], counted: Decimal, status: str
) -> None:
    earned = [credit(date(2024, 1, 10), amount, types=types) for amount, types in credits]
    [nm] = [o for o in obligations(_limited(), earned, today=date(2025, 1, 1)) if o.body == "NM"]
    assert nm.mirrors is None
    assert (nm.window.start, nm.window.end) == (date(2023, 2, 10), date(2025, 2, 28))
    assert line(nm)[:2] == (Decimal(24), counted)
    assert nm.reporting is not None
    assert nm.reporting.due == date(2025, 2, 28)
    assert nm.status == status


def test_o6_nm_limited_radiography_does_not_repeat_the_registry_obligations() -> None:
    who = _limited(credential("ARDMS", "RDMS", date(2019, 6, 10)))
    nm = [o for o in obligations(who, today=date(2024, 6, 1)) if o.body == "NM"]
    assert [(o.mirrors, o.credentials) for o in nm] == [(None, ("LR",))]


def test_o6_limited_radiography_licence_needs_no_national_credential() -> None:
    state = evolve(None, PersonRegistered(person_id=person().person_id, full_name="Lee Tech"))
    licence = AddCredential(body="NM", code="LR", earned_on=date(2023, 2, 1))
    [added] = decide_add_credential(state, licence, now=NOW, ids=fixed_ids(UUID(int=7)))
    assert isinstance(added, CredentialAdded)
    assert added.credential.code == "LR"
    imaging = AddCredential(body="NM", code="DMS", earned_on=date(2023, 2, 1))
    with pytest.raises(InvalidCredential, match="national credential"):
        decide_add_credential(state, imaging, now=NOW, ids=fixed_ids(UUID(int=8)))


# --- ARRT CQR [R10], [R11], [R8] -----------------------------------------------------------------


def _arrt(code: str, earned_on: date, *completed: date) -> Person:
    held = credential("ARRT", code, earned_on)
    held = msgspec.structs.replace(held, qualifications_completed=completed)
    return person(held, birth_month=4)


@pytest.mark.parametrize(
    ("code", "earned_on", "completed", "today", "expected"),
    [
        pytest.param(
            "S",
            date(2015, 3, 2),
            (),
            date(2021, 6, 1),
            ((date(2022, 3, 2), date(2025, 3, 1)), date(2026, 3, 1), "upcoming", None),
            id="R10-window-is-the-last-3-of-10-years",
        ),
        pytest.param(
            "S",
            date(2015, 3, 2),
            (),
            date(2023, 6, 1),
            ((date(2022, 3, 2), date(2025, 3, 1)), date(2026, 3, 1), "open", None),
            id="R10-R11-open-in-the-window",
        ),
        pytest.param(
            "S",
            date(2015, 3, 2),
            (date(2023, 1, 10),),
            date(2023, 6, 1),
            (
                (date(2022, 3, 2), date(2025, 3, 1)),
                date(2026, 3, 1),
                "completed",
                date(2023, 1, 10),
            ),
            id="R10-completed-in-the-window",
        ),
        pytest.param(
            "S",
            date(2015, 3, 2),
            (date(2021, 1, 10),),
            date(2023, 6, 1),
            ((date(2022, 3, 2), date(2025, 3, 1)), date(2026, 3, 1), "open", None),
            id="R10-completion-before-the-window-does-not-count",
        ),
        pytest.param(
            "S",
            date(2011, 1, 1),
            (),
            date(2024, 6, 1),
            ((date(2018, 1, 1), date(2020, 12, 31)), date(2021, 12, 31), "missed", None),
            id="R10-R8-missed-stays-shown-with-a-year-to-reinstate",
        ),
        pytest.param(
            "S",
            date(2011, 1, 1),
            (date(2021, 6, 1),),
            date(2024, 6, 1),
            ((date(2028, 1, 1), date(2030, 12, 31)), date(2031, 12, 31), "upcoming", None),
            id="R8-completed-in-the-reinstatement-year-moves-on",
        ),
        pytest.param(
            "S",
            date(2011, 1, 1),
            (date(2019, 5, 1),),
            date(2024, 6, 1),
            ((date(2028, 1, 1), date(2030, 12, 31)), date(2031, 12, 31), "upcoming", None),
            id="R10-next-ten-year-period-after-a-completed-one",
        ),
        pytest.param(
            "RRA",
            date(2005, 5, 1),
            (),
            date(2019, 6, 1),
            ((date(2018, 1, 1), date(2020, 12, 31)), date(2021, 12, 31), "open", None),
            id="R10-R11-rra-before-2011-counted-from-2011",
        ),
    ],
)
def test_arrt_cqr(
    code: str,
    earned_on: date,
    completed: tuple[date, ...],
    today: date,
    expected: tuple[tuple[date, date], date, QualificationStatus, date | None],
) -> None:
    found = _one(obligations(_arrt(code, earned_on, *completed), today=today), "ARRT")
    [step] = found.qualifications
    window, reinstate_until, status, completed_on = expected
    assert (step.window.start, step.window.end) == window
    assert step.period.end == window[1]
    assert (step.reinstate_until, step.status, step.completed_on) == (
        reinstate_until,
        status,
        completed_on,
    )
    assert step.sources == ("R10", "R11", "R8")
    assert not any(f.confidence == "not_modelled" for f in found.flags)
    assert any("CQR window" in f.note for f in found.flags)
    assert any("before 2011" in f.note for f in found.flags) is (earned_on.year < 2011)


def test_r10_credentials_earned_before_2011_have_no_cqr() -> None:
    found = _one(obligations(_arrt("S", date(2010, 12, 31)), today=date(2024, 6, 1)), "ARRT")
    assert found.qualifications == ()
    assert not any("CQR" in f.note for f in found.flags)


def test_r10_cqr_is_per_credential_and_only_for_credentials_held_in_the_cycle() -> None:
    holder = person(
        credential("ARRT", "R", date(2009, 3, 2)),
        credential("ARRT", "CT", date(2012, 9, 1)),
        credential("ARRT", "MR", date(2024, 5, 1)),
        birth_month=4,
    )
    found = obligations(holder, today=date(2024, 6, 1))
    assert [q.code for q in _one(found, "ARRT", "previous").qualifications] == ["CT"]
    current = _one(found, "ARRT").qualifications
    assert [(q.code, q.window.start) for q in current] == [
        ("CT", date(2019, 9, 1)),
        ("MR", date(2031, 5, 1)),
    ]


def test_r10_cqr_status_changes_end_the_stored_result() -> None:
    who = _arrt("S", date(2015, 3, 2))  # window opens 2022-03-02; biennium ends 2023-03-31
    found = obligations(who, today=date(2022, 1, 1))
    valid = unchanged_through(
        who, [], [], found, evaluated_on=date(2022, 1, 1), rule_packs=RULE_PACKS
    )
    assert valid == date(2022, 3, 1)


# --- CQR completion: command, decider, event --------------------------------------------------


def _registered(*held: Credential) -> Person:
    state = evolve(None, PersonRegistered(person_id=person().person_id, full_name="Dana"))
    return msgspec.structs.replace(state, credentials=held, birth_month=4)


@pytest.mark.parametrize(
    ("code", "earned_on", "completed_on"),
    [
        pytest.param("S", "2015-03-02", "2023-01-10", id="R10-recorded"),
        pytest.param("RRA", "2005-05-01", "2019-01-10", id="R10-every-rra"),
    ],
)
def test_record_cqr_completion(code: str, earned_on: str, completed_on: str) -> None:
    held = credential("ARRT", code, day(earned_on))
    state = _registered(held)
    command = RecordCqrCompletion(credential_id=held.credential_id, completed_on=day(completed_on))
    [event] = decide_record_cqr_completion(state, command, now=NOW, ids=fixed_ids())
    assert event == CqrCompleted(
        person_id=state.person_id, credential_id=held.credential_id, completed_on=day(completed_on)
    )
    after = evolve(state, event)
    assert after.credential(held.credential_id).qualifications_completed == (day(completed_on),)
    assert decide_record_cqr_completion(after, command, now=NOW, ids=fixed_ids()) == []


@pytest.mark.parametrize(
    ("body", "code", "earned_on", "completed_on", "refusal"),
    [
        pytest.param(
            "ARRT", "S", "2010-12-31", "2023-01-10", InvalidCredential, id="R10-not-time-limited"
        ),
        pytest.param("ARDMS", "RDMS", "2015-03-02", "2023-01-10", InvalidCredential, id="R10-arrt"),
        pytest.param("ARRT", "S", "2015-03-02", "2027-01-01", InvalidPersonData, id="future"),
        pytest.param(
            "ARRT", "S", "2015-03-02", "2015-03-01", InvalidPersonData, id="before-earned"
        ),
    ],
)
def test_record_cqr_completion_refused(
    body: Body, code: str, earned_on: str, completed_on: str, refusal: type[Exception]
) -> None:
    held = credential(body, code, day(earned_on))
    command = RecordCqrCompletion(credential_id=held.credential_id, completed_on=day(completed_on))
    with pytest.raises(refusal):
        decide_record_cqr_completion(_registered(held), command, now=NOW, ids=fixed_ids())


def test_cqr_completed_golden_fixture_folds_into_the_person() -> None:
    stored = json.loads((_FIXTURES / "people.CqrCompleted" / "v1.json").read_text())
    event = msgspec.convert(stored, CqrCompleted)
    held = msgspec.structs.replace(
        credential("ARRT", "S", date(2015, 3, 2)), credential_id=event.credential_id
    )
    state = msgspec.structs.replace(_registered(held), person_id=event.person_id)
    after = evolve(state, event)
    assert after.credential(event.credential_id).qualifications_completed == (date(2024, 3, 14),)
