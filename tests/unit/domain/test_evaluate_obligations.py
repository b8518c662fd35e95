"""evaluate(): counting, reasons, caps, waivers, grace and status, with boundary dates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from cme_builders import changed, credential, credit, line, obligations, only, person, waiver

from domain.compliance.evaluation import Obligation
from domain.credits.credit import (
    AcademicCredits,
    AcademicTerm,
    ActivityKind,
    Credit,
    VerificationStatus,
)
from domain.people.credentials import CredentialStatus
from domain.people.person import Person

RDMS_HOLDER = person(credential("ARDMS", "RDMS", date(2021, 6, 10)))
# ARDMS period: 2021-06-10 .. 2024-12-31, then 2025-01-01 .. 2027-12-31 [A5]
ARRT_S_HOLDER = person(credential("ARRT", "S", date(2015, 3, 2)), birth_month=4)
# ARRT bienniums: ... 2021-04-01 .. 2023-03-31, 2023-04-01 .. 2025-03-31 [R4], [R5]


def _reasons(obligation: Obligation) -> list[tuple[str, Decimal]]:
    return [(x.reason, x.credits) for x in obligation.not_used]


def _accounted(obligation: Obligation) -> Decimal:
    used = sum((u.credits_counted for u in obligation.used), Decimal(0))
    return used + sum((x.credits for x in obligation.not_used), Decimal(0))


# --- what counts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completed_on", "counts"),
    [
        pytest.param(date(2021, 6, 9), False, id="A3-day-before-first-credential"),
        pytest.param(date(2021, 6, 10), True, id="A3-first-day-of-window"),
        pytest.param(date(2024, 12, 31), True, id="A9-last-day-of-window"),
    ],
)
def test_credits_on_window_boundaries(completed_on: date, counts: bool) -> None:
    found = only(
        obligations(RDMS_HOLDER, [credit(completed_on, "2")], today=date(2024, 12, 31)), "ARDMS"
    )
    assert line(found)[1] == (Decimal(2) if counts else Decimal(0))


def test_a_credit_the_day_after_the_period_counts_for_the_next_one_only() -> None:  # [A1]
    after_end = credit(date(2025, 1, 1), "2")
    found = obligations(RDMS_HOLDER, [after_end], today=date(2025, 1, 2))
    assert _reasons(only(found, "ARDMS", "previous")) == [("outside_window", Decimal(2))]
    assert line(only(found, "ARDMS", "current"))[1] == Decimal(2)


def test_every_credit_not_used_says_why() -> None:
    credits = [
        credit(date(2022, 1, 5), "1", retraction_reason="duplicate"),
        credit(date(2022, 1, 6), "1", verification="rejected"),
        credit(date(2022, 1, 7), "1", types=("other",)),
        credit(date(2022, 1, 8), "1", types=("aium",)),  # acceptance unconfirmed [A7], [A10]
        credit(date(2024, 7, 1), "1"),  # after today
        credit(date(2022, 1, 9), "1.25", types=("sdms",), verification="needs_review"),
    ]
    found = only(obligations(RDMS_HOLDER, credits, today=date(2024, 6, 1)), "ARDMS")
    assert [x.reason for x in found.not_used] == [
        "retracted",
        "rejected",
        "type_not_accepted",
        "acceptance_unconfirmed",
        "after_evaluation_date",
    ]
    assert [(u.credits_counted, u.admitted_by, u.sources) for u in found.used] == [
        (Decimal("1.25"), "CME Tracker partner", ("A10", "A31", "A32"))
    ]
    assert {"A7", "A10"} <= {
        s for f in found.flags if f.confidence == "unconfirmed" for s in f.sources
    }


def test_quarter_credits_add_up_without_drift() -> None:  # [O19] 15-minute units
    quarters = [credit(date(2022, 1, 1) + timedelta(days=i), "0.25") for i in range(120)]
    found = only(obligations(RDMS_HOLDER, quarters, today=date(2024, 6, 1)), "ARDMS")
    assert line(found) == (Decimal(30), Decimal(30), Decimal(0))
    assert found.status == "compliant"


def test_one_credit_counts_for_every_body_that_accepts_it() -> None:  # [A7] and [R1]
    both = person(
        credential("ARDMS", "RDMS", date(2021, 6, 10)),
        credential("ARRT", "S", date(2015, 3, 2)),
        birth_month=4,
    )
    shared = credit(date(2024, 1, 10), "3", types=("arrt_category_a",), topics=("sonography",))
    found = obligations(both, [shared], today=date(2024, 6, 1))
    assert line(only(found, "ARDMS"))[1] == Decimal(3)
    assert line(only(found, "ARRT"), "sonography")[1] == Decimal(3)


def test_topic_minimums_need_every_topic_tag() -> None:  # "in MSK ultrasound" [A1]
    holder = person(credential("ARDMS", "RMSKS", date(2021, 6, 10)))
    credits = [
        credit(date(2022, 1, 1), "4", topics=("musculoskeletal", "sonography")),
        credit(date(2022, 1, 2), "3", topics=("musculoskeletal",)),  # MSK MRI, not ultrasound
    ]
    found = only(obligations(holder, credits, today=date(2024, 6, 1)), "ARDMS")
    assert line(found, "musculoskeletal ultrasound") == (Decimal(10), Decimal(4), Decimal(6))
    assert line(found) == (Decimal(30), Decimal(7), Decimal(23))


# --- caps --------------------------------------------------------------------------------------


def test_acls_pals_count_up_to_six_per_biennium() -> None:  # [R1]
    credits = [
        credit(date(2023, 10, 1), "4", types=("aha_ashi",), kind="life_support"),
        credit(date(2023, 11, 1), "4", types=("aha_ashi",), kind="life_support"),
    ]
    found = only(obligations(ARRT_S_HOLDER, credits, today=date(2024, 6, 1)), "ARRT")
    assert [u.credits_counted for u in found.used] == [Decimal(4), Decimal(2)]
    assert _reasons(found) == [("over_cap", Decimal(2))]
    assert line(found)[1] == Decimal(6)
    assert _accounted(found) == Decimal(8)


def test_life_support_without_aha_or_ashi_is_not_accepted_by_arrt() -> None:  # [R1], [R25]
    bls = credit(date(2023, 6, 1), "2", types=("other",), kind="life_support")
    found = only(obligations(ARRT_S_HOLDER, [bls], today=date(2024, 6, 1)), "ARRT")
    assert _reasons(found) == [("type_not_accepted", Decimal(2))]


@pytest.mark.parametrize(
    ("title", "counted"),
    [
        ("ACLS Provider", Decimal(4)),
        ("PALS Provider renewal", Decimal(4)),
        ("Life support renewal", Decimal(4)),
        ("BLS Provider", Decimal(0)),
        ("Basic Life Support for Healthcare Providers", Decimal(0)),
    ],
)
def test_arrt_counts_a_life_support_course_only_when_it_is_acls_or_pals(
    title: str, counted: Decimal
) -> None:  # [R1]; basic CPR/BLS is not accepted [R25]
    card = credit(date(2023, 6, 1), "4", types=("aha_ashi",), kind="life_support", title=title)
    found = only(obligations(ARRT_S_HOLDER, [card], today=date(2024, 6, 1)), "ARRT")
    assert sum((u.credits_counted for u in found.used), Decimal(0)) == counted


@pytest.mark.parametrize(
    ("today", "counted"),
    [
        pytest.param(date(2024, 6, 1), Decimal(10), id="R14-biennium-from-2023-no-cap"),
        pytest.param(date(2025, 6, 1), Decimal(8), id="R14-biennium-from-2025-capped-at-8"),
    ],
)
def test_applications_training_cap_from_2024(today: date, counted: Decimal) -> None:
    training = credit(
        today - timedelta(days=30), "10", types=("arrt_category_a",), kind="applications_training"
    )
    found = only(obligations(ARRT_S_HOLDER, [training], today=today), "ARRT")
    assert line(found)[1] == counted


# --- an ARRT activity counts once per biennium [R13] ---------------------------------------------


def _category_a(completed_on: date, **kwargs: Any) -> Credit:
    return credit(completed_on, "3", types=("arrt_category_a",), topics=("sonography",), **kwargs)


@pytest.mark.parametrize(
    ("first", "second", "repeat"),
    [
        pytest.param({"title": "Fetal echo"}, {"title": "Fetal echo"}, True, id="R13-same-title"),
        pytest.param(
            {"title": "Fetal Echo: basics"},
            {"title": "  fetal echo - BASICS "},
            True,
            id="R13-title-ignores-case-spacing-punctuation",
        ),
        pytest.param(
            {"title": "Fetal echo", "certificate_ref": "SDMS-12345"},
            {"title": "Fetal echocardiography", "certificate_ref": "sdms 12345"},
            True,
            id="R13-same-certificate-reference",
        ),
        pytest.param(
            {"title": "Fetal echo", "certificate_ref": "SDMS-1"},
            {"title": "Fetal echo II", "certificate_ref": "SDMS-2"},
            False,
            id="different-activities",
        ),
    ],
)
def test_an_arrt_activity_counts_once_per_biennium(
    first: dict[str, str], second: dict[str, str], repeat: bool
) -> None:
    original = _category_a(date(2023, 6, 1), **first)
    again = _category_a(date(2024, 2, 1), **second)
    found = only(obligations(ARRT_S_HOLDER, [again, original], today=date(2024, 6, 1)), "ARRT")
    assert [u.credit_id for u in found.used] == (
        [original.credit_id] if repeat else [original.credit_id, again.credit_id]
    )
    if repeat:
        (excluded,) = found.not_used
        assert (excluded.credit_id, excluded.reason, excluded.sources) == (
            again.credit_id,
            "duplicate_activity",
            ("R13",),
        )
        assert "2023-06-01" in excluded.detail
    assert _accounted(found) == Decimal(6)


def test_a_repeat_in_the_next_biennium_counts_again() -> None:  # [R13] "in a biennium"
    found = obligations(
        ARRT_S_HOLDER,
        [
            _category_a(date(2023, 3, 1), title="Fetal echo"),
            _category_a(date(2023, 4, 1), title="Fetal echo"),
        ],
        today=date(2023, 6, 1),
    )
    assert line(only(found, "ARRT", "previous"))[1] == Decimal(3)
    assert line(only(found, "ARRT", "current"))[1] == Decimal(3)


def test_a_repeat_counts_when_the_first_copy_does_not() -> None:
    retracted = _category_a(date(2023, 6, 1), title="Fetal echo", retraction_reason="typo")
    again = _category_a(date(2023, 7, 1), title="Fetal echo")
    found = only(obligations(ARRT_S_HOLDER, [retracted, again], today=date(2024, 6, 1)), "ARRT")
    assert [u.credit_id for u in found.used] == [again.credit_id]


def test_only_arrt_states_the_count_once_rule() -> None:  # [R13] is ARRT's
    both = person(
        credential("ARDMS", "RDMS", date(2021, 6, 10)),
        credential("ARRT", "S", date(2015, 3, 2)),
        birth_month=4,
    )
    twice = [
        _category_a(date(2023, 6, 1), title="Fetal echo"),
        _category_a(date(2023, 7, 1), title="Fetal echo"),
    ]
    found = obligations(both, twice, today=date(2024, 6, 1))
    assert line(only(found, "ARDMS"))[1] == Decimal(6)
    assert line(only(found, "ARRT"))[1] == Decimal(3)


# --- ARRT academic courses [R1] ------------------------------------------------------------------


def _course(
    units: str, term: AcademicTerm | None, kind: ActivityKind = "academic_course"
) -> Credit:
    course = credit(date(2023, 9, 1), "45", types=("other",), topics=("sonography",), kind=kind)
    academic = None if term is None else AcademicCredits(units=Decimal(units), term=term)
    return msgspec.structs.replace(
        course, details=msgspec.structs.replace(course.details, academic=academic)
    )


@pytest.mark.parametrize(
    ("units", "term", "counted"),
    [
        pytest.param("1", "semester", Decimal(16), id="R1-16-per-semester-credit"),
        pytest.param("1", "quarter", Decimal(12), id="R1-12-per-quarter-credit"),
        pytest.param("1.5", "semester", Decimal(24), id="R1-half-semester-credit"),
        pytest.param("2.25", "quarter", Decimal(27), id="R1-quarter-steps-stay-exact"),
    ],
)
def test_arrt_converts_academic_credit(units: str, term: AcademicTerm, counted: Decimal) -> None:
    course = _course(units, term)
    found = only(obligations(ARRT_S_HOLDER, [course], today=date(2024, 6, 1)), "ARRT")
    assert [(u.credits_counted, u.sources) for u in found.used] == [(counted, ("R1",))]
    assert line(found, "sonography")[1] == counted
    assert _accounted(found) == counted


def test_an_academic_course_without_units_or_not_flagged_as_one_does_not_count() -> None:  # [R1]
    legacy = _course("1", None)  # stored before units were recorded
    mislabelled = _course("1", None, kind="standard")  # not an academic course, type "other"
    found = only(obligations(ARRT_S_HOLDER, [legacy, mislabelled], today=date(2024, 6, 1)), "ARRT")
    assert _reasons(found) == [
        ("type_not_accepted", Decimal(45)),
        ("type_not_accepted", Decimal(45)),
    ]
    assert "academic credit units" in found.not_used[0].detail


def test_academic_credit_is_not_converted_by_bodies_that_state_no_rate() -> None:  # [A7]
    holder = person(credential("ARDMS", "RDMS", date(2021, 6, 10)))
    found = only(obligations(holder, [_course("1", "semester")], today=date(2024, 6, 1)), "ARDMS")
    assert _reasons(found) == [("type_not_accepted", Decimal(45))]


# --- rules shown but not evaluated ---------------------------------------------------------------


# ARRT CQR [R10], [R11] is evaluated: see test_confirmed_rules.py.


@pytest.mark.parametrize(("code", "flagged"), [("RCES", True), ("RCIS", False)])
def test_cci_rces_or_ces_naming_is_flagged_where_held(code: str, flagged: bool) -> None:  # [C1]
    holder = person(credential("CCI", code, date(2020, 2, 10)))
    found = only(obligations(holder, today=date(2023, 6, 1)), "CCI")
    assert any(f.confidence == "conflict" and "'CES'" in f.note for f in found.flags) is flagged
    assert line(found)[0] == Decimal(36)


# --- waivers -----------------------------------------------------------------------------------


def test_ardms_waives_15_credits_in_the_period_it_was_granted() -> None:  # [A1], [A2]
    granted = waiver("ARDMS", "new_credential_or_specialty", date(2023, 2, 1))
    found = obligations(
        RDMS_HOLDER, [credit(date(2022, 1, 1), "15")], [granted], today=date(2025, 3, 1)
    )
    previous, current = only(found, "ARDMS", "previous"), only(found, "ARDMS", "current")
    assert previous.lines[0].waived == Decimal(15)
    assert previous.status == "compliant"
    assert current.waivers == ()


def test_an_ardms_waiver_does_not_meet_topic_minimums_and_says_so() -> None:  # [A1] unconfirmed
    holder = person(credential("ARDMS", "RMSKS", date(2021, 6, 10)))
    granted = waiver("ARDMS", "new_credential_or_specialty", date(2023, 2, 1))
    found = only(obligations(holder, [], [granted], today=date(2024, 6, 1)), "ARDMS")
    assert [(entry.label, entry.waived) for entry in found.lines] == [
        ("total", Decimal(15)),
        ("musculoskeletal ultrasound", Decimal(0)),
    ]
    assert any("waiver counts toward the MSK" in f.note for f in found.flags)


def test_a_cci_registry_exam_waives_the_whole_cycle() -> None:  # [C3]
    holder = person(credential("CCI", "RCS", date(2020, 2, 10)))
    granted = waiver("CCI", "registry_exam_passed", date(2022, 5, 5))
    found = only(obligations(holder, [], [granted], today=date(2023, 6, 1)), "CCI")
    assert [entry.shortfall for entry in found.lines] == [Decimal(0), Decimal(0)]
    assert found.status == "compliant"
    assert found.waivers[0].whole_cycle


def test_a_waiver_kind_the_body_does_not_grant_is_shown_unapplied() -> None:
    granted = waiver("ARDMS", "registry_exam_passed", date(2023, 2, 1))
    found = only(obligations(RDMS_HOLDER, [], [granted], today=date(2024, 6, 1)), "ARDMS")
    assert found.waivers[0].credits_waived == Decimal(0)
    assert "grants no registry_exam_passed waiver" in found.waivers[0].detail
    assert found.lines[0].waived == Decimal(0)


# --- verification ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verification", "today", "counted"),
    [
        pytest.param("pending", date(2015, 6, 1), Decimal(0), id="C4-before-2016-needs-approval"),
        pytest.param("verified", date(2015, 6, 1), Decimal(5), id="C4-approved-counts"),
        pytest.param("pending", date(2017, 6, 1), Decimal(5), id="C2-attestation-model-from-2016"),
    ],
)
def test_cci_required_approved_ceus_before_the_2016_renewals(
    verification: VerificationStatus, today: date, counted: Decimal
) -> None:
    holder = person(credential("CCI", "RCS", date(2012, 2, 10)))  # cycles end 2015, 2018 [C1]
    ceu = credit(
        today - timedelta(days=60),
        "5",
        types=("cci_approved",),
        verification=verification,
    )
    found = only(obligations(holder, [ceu], today=today), "CCI")
    assert line(found)[1] == counted
    if not counted:
        assert _reasons(found) == [("unverified", Decimal(5))]


# --- status ------------------------------------------------------------------------------------


def _spread(total: int, start: date, days: int) -> list[Credit]:
    return [credit(start + timedelta(days=i * days // total), "1") for i in range(total)]


@pytest.mark.parametrize(
    ("credits", "today", "status"),
    [
        pytest.param(30, date(2024, 6, 1), "compliant", id="30-of-30-compliant"),
        pytest.param(25, date(2023, 12, 31), "on_track", id="pace-closes-the-gap"),
        pytest.param(5, date(2023, 12, 31), "at_risk", id="pace-too-slow"),
        pytest.param(29, date(2024, 10, 3), "at_risk", id="under-90-days-left-with-shortfall"),
        pytest.param(29, date(2024, 10, 2), "on_track", id="exactly-90-days-left"),
        pytest.param(29, date(2025, 1, 1), "overdue", id="A5-period-ended-short"),
    ],
)
def test_status(credits: int, today: date, status: str) -> None:
    history = _spread(credits, date(2021, 7, 1), 700)
    found = obligations(RDMS_HOLDER, history, today=today)
    period = "previous" if today.year == 2025 else "current"
    assert only(found, "ARDMS", period).status == status


ARRT_ON_PROBATION = person(
    credential("ARRT", "S", date(2015, 3, 2), status="probation"), birth_month=4
)
SHORT_BIENNIUM = [
    credit(date(2022, 1, 1), "20", types=("arrt_category_a",), topics=("sonography",))
]


def test_on_probation_an_arrt_shortfall_is_in_grace_for_six_months() -> None:  # [R7], [R8]
    found = only(
        obligations(ARRT_ON_PROBATION, SHORT_BIENNIUM, today=date(2023, 6, 1)), "ARRT", "previous"
    )
    assert found.status == "in_grace"
    assert found.grace is not None
    assert found.grace.due == date(2023, 9, 30)
    assert any("R27" in f.sources for f in found.flags)  # make-up amount unconfirmed
    after = only(
        obligations(ARRT_ON_PROBATION, SHORT_BIENNIUM, today=date(2023, 10, 1)), "ARRT", "previous"
    )
    assert after.status == "overdue"


def test_probation_make_up_credits_count_once_for_the_ended_biennium() -> None:  # [R7], [R4]
    make_up = credit(date(2023, 7, 1), "4", types=("arrt_category_a",))
    spare = credit(date(2023, 8, 1), "3", types=("arrt_category_a",))
    found = obligations(
        ARRT_ON_PROBATION, [*SHORT_BIENNIUM, make_up, spare], today=date(2024, 6, 1)
    )
    previous, current = only(found, "ARRT", "previous"), only(found, "ARRT", "current")
    assert previous.status == "compliant"
    assert [u.credit_id for u in previous.used if u.make_up] == [make_up.credit_id]
    assert ("outside_window", Decimal(3)) in _reasons(previous)
    assert ("counted_for_previous_cycle", Decimal(4)) in _reasons(current)
    assert [u.credit_id for u in current.used] == [spare.credit_id]


def _s_holder_with(*changes: tuple[date, CredentialStatus]) -> Person:
    return person(changed(credential("ARRT", "S", date(2015, 3, 2)), *changes), birth_month=4)


def test_probation_make_up_stays_when_probation_ends() -> None:  # [R7], [R8]
    # probation retroactive to the biennium end, then active again after its 6 months
    cleared = _s_holder_with((date(2023, 4, 1), "probation"), (date(2023, 10, 1), "active"))
    make_up = credit(date(2023, 7, 1), "4", types=("arrt_category_a",))
    found = obligations(cleared, [*SHORT_BIENNIUM, make_up], today=date(2024, 6, 1))
    previous, current = only(found, "ARRT", "previous"), only(found, "ARRT", "current")
    assert previous.status == "compliant"
    assert [u.credit_id for u in previous.used if u.make_up] == [make_up.credit_id]
    assert previous.late_credits_until == date(2023, 9, 30)
    assert ("counted_for_previous_cycle", Decimal(4)) in _reasons(current)
    during = only(obligations(cleared, SHORT_BIENNIUM, today=date(2023, 6, 1)), "ARRT", "previous")
    assert during.status == "in_grace"


def test_probation_recorded_later_opens_the_grace_only_from_its_date() -> None:  # [R7]
    later = _s_holder_with((date(2023, 6, 1), "probation"))
    make_up = credit(date(2023, 5, 1), "4", types=("arrt_category_a",))

    def previous_on(today: date) -> Obligation:
        return only(obligations(later, [*SHORT_BIENNIUM, make_up], today=today), "ARRT", "previous")

    assert previous_on(date(2023, 5, 15)).status == "overdue"  # not on probation yet
    assert previous_on(date(2023, 6, 1)).status == "compliant"  # make-up in the grace window


def test_a_retired_ardms_holder_had_obligations_before_retiring() -> None:  # [A16]
    retired = person(
        changed(credential("ARDMS", "RDMS", date(2021, 6, 10)), (date(2025, 3, 1), "retired"))
    )
    before = obligations(retired, [credit(date(2022, 1, 1), "30")], today=date(2024, 6, 1))
    assert [(o.period, o.status) for o in before] == [("current", "compliant")]
    assert obligations(retired, today=date(2025, 2, 28)) != []
    assert obligations(retired, today=date(2025, 3, 1)) == []


def test_a_credential_lapsed_before_a_cycle_ended_owes_nothing_for_that_cycle() -> None:
    # ARRT: lapsed during the 2021-23 biennium, reinstated in the next one [R3], [R8]
    reinstated = _s_holder_with((date(2022, 6, 1), "lapsed"), (date(2023, 5, 1), "active"))
    found = obligations(reinstated, today=date(2024, 6, 1))
    assert [(o.period, o.window.start) for o in found] == [("current", date(2023, 4, 1))]


def test_without_probation_late_credits_stay_in_the_new_biennium() -> None:
    late = credit(date(2023, 7, 1), "4", types=("arrt_category_a",))
    found = obligations(ARRT_S_HOLDER, [*SHORT_BIENNIUM, late], today=date(2023, 8, 1))
    assert only(found, "ARRT", "previous").status == "overdue"
    assert [u.credit_id for u in only(found, "ARRT", "current").used] == [late.credit_id]


@pytest.mark.parametrize(
    ("today", "status"),
    [
        pytest.param(date(2024, 1, 1), "in_grace", id="C2-first-day-of-grace"),
        pytest.param(date(2024, 2, 1), "in_grace", id="C2-inside-the-90-days"),
        pytest.param(date(2024, 3, 30), "in_grace", id="C2-last-day-of-grace"),
        pytest.param(date(2024, 3, 31), "overdue", id="C2-day-after-grace"),
    ],
)
def test_cci_grace_is_in_grace_but_does_not_accept_new_ceus(today: date, status: str) -> None:
    # [C2], [C3], [C6]: a 90-day late renewal; CEUs earned in it are not accepted
    holder = person(credential("CCI", "RCS", date(2020, 2, 10)))  # cycle 2021-01-01 .. 2023-12-31
    late = credit(date(2024, 1, 1), "36", types=("cci_approved",), topics=("cardiovascular",))
    previous = only(obligations(holder, [late], today=today), "CCI", "previous")
    assert previous.status == status
    assert previous.late_credits_until is None
    assert previous.grace is not None
    assert previous.grace.due == date(2024, 3, 30)
    assert _reasons(previous) == [("outside_window", Decimal(36))]


def test_reporting_deadline_follows_the_cycle() -> None:  # [A9]
    found = only(obligations(RDMS_HOLDER, [], today=date(2024, 6, 1)), "ARDMS")
    assert found.deadline == date(2024, 12, 31)
    assert found.reporting is not None
    assert found.reporting.due == date(2025, 2, 28)


# --- people and periods ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "has_obligation"),
    [
        pytest.param("active", True, id="active"),
        pytest.param("probation", True, id="probation-still-owes-CE"),
        pytest.param("retired", False, id="A16-retired-exempt"),
        pytest.param("lapsed", False, id="lapsed"),
    ],
)
def test_only_credentials_with_a_ce_obligation_create_obligations(
    status: CredentialStatus, has_obligation: bool
) -> None:
    holder = person(credential("ARDMS", "RDMS", date(2021, 6, 10), status=status))
    assert bool(obligations(holder, today=date(2024, 6, 1))) is has_obligation


def test_previous_and_current_periods_from_any_day() -> None:
    found = obligations(RDMS_HOLDER, today=date(2026, 2, 1))
    assert [(o.period, o.window.start, o.window.end) for o in found] == [
        ("previous", date(2021, 6, 10), date(2024, 12, 31)),
        ("current", date(2025, 1, 1), date(2027, 12, 31)),
    ]
    assert obligations(RDMS_HOLDER, today=date(2021, 6, 9)) == []
    first_day = obligations(RDMS_HOLDER, today=date(2021, 6, 10))
    assert [o.period for o in first_day] == ["current"]


def test_looking_back_ignores_what_happened_later() -> None:
    later = credit(date(2024, 11, 1), "30")
    at_close = only(obligations(RDMS_HOLDER, [later], today=date(2024, 10, 31)), "ARDMS")
    assert at_close.status == "at_risk"
    assert _reasons(at_close) == [("after_evaluation_date", Decimal(30))]
