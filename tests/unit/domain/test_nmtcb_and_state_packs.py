"""NMTCB and state licence rule packs (cme-rules.md §4.1, §4.4, §7 item 7, §8 items 13 and 15).

Each case id starts with the source ids it encodes.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from cme_builders import NOW, credential, credit, day, line, obligations, only, person, spans

from domain.compliance.cycles import Anchor, windows_through
from domain.compliance.evaluation import status_on, unsupported_credentials
from domain.compliance.packs import ND_PACK, NMTCB_PACK, RULE_PACKS
from domain.compliance.rules import CycleRule, FirstCredentialCalendarCycles
from domain.credits.credit import CreditType, Topic
from domain.people.credentials import ND_MODALITIES, CredentialStatus
from domain.people.person import (
    AddCredential,
    ChangeCredentialStatus,
    Credential,
    CredentialAdded,
    InvalidCredential,
    InvalidStatusChange,
    Person,
    PersonRegistered,
    decide_add_credential,
    decide_change_credential_status,
    evolve,
)

FAR_FUTURE = date(2031, 6, 30)


def _windows(
    rule: CycleRule, first: date, birth_month: int | None = None
) -> list[tuple[date, date]]:
    windows, _ = windows_through(
        rule,
        Anchor(first_credential_on=first, birth_month=birth_month),
        FAR_FUTURE,
    )
    return [(w.start, w.end) for w in windows[:2]]


# --- NMTCB: cycles -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("certified", "birth_month", "expected"),
    [
        pytest.param(
            "2015-06-10",
            4,
            "2015-06-01..2017-03-31 2017-04-01..2019-03-31",
            id="O3-month-certified-to-month-before-birth-month-next-odd-year",
        ),
        pytest.param(
            "2016-11-30",
            9,
            "2016-11-01..2018-08-31 2018-09-01..2020-08-31",
            id="O3-even-year-certificant-ends-in-next-even-year",
        ),
        pytest.param(
            "2015-06-10",
            1,
            "2015-06-01..2016-12-31 2017-01-01..2018-12-31",
            id="O3-january-birth-month-ends-dec-31-of-the-year-before",
        ),
        pytest.param(
            "2022-02-10",
            3,
            "2022-02-01..2024-02-29 2024-03-01..2026-02-28",
            id="O3-march-birth-month-ends-on-leap-day",
        ),
        pytest.param(
            "2015-06-10",
            None,
            "2015-06-10..2017-12-31 2018-01-01..2019-12-31",
            id="O2-no-birth-month-calendar-cycles-odd-by-first-exam-year",
        ),
        pytest.param(
            "2016-03-02",
            None,
            "2016-03-02..2018-12-31 2019-01-01..2020-12-31",
            id="O2-no-birth-month-even-year-certificant",
        ),
    ],
)
def test_nmtcb_cycles(certified: str, birth_month: int | None, expected: str) -> None:
    assert _windows(NMTCB_PACK.cycle, day(certified), birth_month) == spans(expected)


@pytest.mark.parametrize("birth_month", range(1, 13))
@pytest.mark.parametrize("certified", [date(2015, 1, 1), date(2015, 6, 10), date(2016, 12, 31)])
def test_o2_vs_o3_the_applied_birth_month_reading_never_ends_a_cycle_later(
    certified: date, birth_month: int
) -> None:
    """§8.15: the conflicting readings [O2] and [O3] need the same 24 hours [O2]; the applied
    [O3] reading is the conservative one because each of its cycles ends no later."""
    calendar = FirstCredentialCalendarCycles(years=2, basis=NMTCB_PACK.cycle.basis)
    applied = _windows(NMTCB_PACK.cycle, certified, birth_month)
    other = _windows(calendar, certified)
    assert all(a[1] <= o[1] for a, o in zip(applied, other, strict=True))
    assert applied[0][1] - applied[0][0] <= other[0][1] - other[0][0]


def test_o2_o3_the_nmtcb_cycle_is_a_flagged_conflict_naming_both_readings() -> None:
    who = person(credential("NMTCB", "CNMT", date(2019, 6, 10)), birth_month=4)
    obligation = only(obligations(who, today=date(2024, 6, 1)), "NMTCB")
    [conflict] = [f for f in obligation.flags if f.confidence == "conflict"]
    assert {"O2", "O3"} <= set(conflict.sources)
    assert "[O2]" in conflict.note
    assert "[O3]" in conflict.note
    assert (obligation.window.start, obligation.window.end) == (date(2023, 4, 1), date(2025, 3, 31))


def test_o2_o3_without_a_birth_month_the_calendar_reading_is_applied_and_flagged() -> None:
    who = person(credential("NMTCB", "CNMT", date(2019, 6, 10)))
    obligation = only(obligations(who, today=date(2024, 6, 1)), "NMTCB")
    assert (obligation.window.start, obligation.window.end) == (
        date(2024, 1, 1),
        date(2025, 12, 31),
    )
    assert any("No birth month" in f.note for f in obligation.flags)


# --- NMTCB: requirement, acceptance, statuses --------------------------------------------------


@pytest.mark.parametrize(
    ("certified", "today", "required", "transition_flag"),
    [
        pytest.param(date(2001, 3, 2), date(2004, 6, 1), 0, False, id="O2-no-CE-before-2006"),
        pytest.param(date(2004, 3, 2), date(2005, 6, 1), 24, True, id="O2-transition-flagged"),
        # cycle 2005-03-01 .. 2007-03-31 [O3]: an odd-year certificant reports 12 in 2007 [O2]
        pytest.param(date(2005, 3, 2), date(2006, 6, 1), 12, True, id="O2-odd-year-12-in-2007"),
        pytest.param(date(2004, 3, 2), date(2007, 6, 1), 24, False, id="O2-cycle-ending-2008"),
        pytest.param(date(2019, 6, 10), date(2024, 6, 1), 24, False, id="O2-24-per-cycle"),
    ],
)
def test_o2_nmtcb_requirement_by_cycle_end(
    certified: date, today: date, required: int, transition_flag: bool
) -> None:
    who = person(credential("NMTCB", "CNMT", certified), birth_month=4)
    obligation = only(obligations(who, today=today), "NMTCB")
    assert line(obligation)[0] == Decimal(required)
    assert ("12 hours in 2007" in " ".join(f.note for f in obligation.flags)) is transition_flag


@pytest.mark.parametrize(
    ("certified", "today", "window_end", "required"),
    [
        pytest.param(
            date(2003, 6, 10), date(2007, 6, 1), date(2007, 12, 31), 12, id="O2-odd-year-12"
        ),
        pytest.param(
            date(2004, 6, 10), date(2006, 6, 1), date(2006, 12, 31), 24, id="O2-even-year-24"
        ),
    ],
)
def test_o2_the_2007_transition_on_calendar_cycles(
    certified: date, today: date, window_end: date, required: int
) -> None:
    who = person(credential("NMTCB", "CNMT", certified))  # no birth month: calendar cycles [O2]
    obligation = only(obligations(who, today=today), "NMTCB")
    assert obligation.window.end == window_end
    assert line(obligation)[0] == Decimal(required)


@pytest.mark.parametrize(
    ("types", "counted"),
    [
        pytest.param(("snmmi",), True, id="O2-SNM-VOICE-accepted"),
        pytest.param(("arrt_category_a",), True, id="O2-ASRT-category-A-accepted"),
        pytest.param(("arrt_category_a_plus",), True, id="O2-ASRT-category-A-plus-accepted"),
        pytest.param(("ama_pra_category_1",), False, id="O2-AMA-not-in-the-reference"),
        pytest.param(("sdms",), False, id="O2-SDMS-not-in-the-reference"),
    ],
)
def test_o2_nmtcb_accepted_credit_types(types: tuple[CreditType, ...], counted: bool) -> None:
    who = person(credential("NMTCB", "CNMT", date(2019, 6, 10)), birth_month=4)
    found = obligations(who, [credit(date(2024, 1, 15), "24", types=types)], today=date(2024, 6, 1))
    obligation = only(found, "NMTCB")
    assert line(obligation)[1] == (Decimal(24) if counted else Decimal(0))
    assert (obligation.status == "compliant") is counted


def test_o2_several_nmtcb_credentials_need_24_and_are_flagged() -> None:
    who = person(
        credential("NMTCB", "CNMT", date(2019, 6, 10)),
        credential("NMTCB", "PET", date(2021, 2, 1)),
        birth_month=4,
    )
    obligation = only(obligations(who, today=date(2024, 6, 1)), "NMTCB")
    assert line(obligation)[0] == Decimal(24)
    assert any("more NMTCB credentials" in f.note for f in obligation.flags)


@pytest.mark.parametrize(
    ("status", "has_obligation", "emeritus_flag"),
    [
        pytest.param("active", True, False, id="O1-active"),
        pytest.param("probation", True, False, id="O1-probation"),
        pytest.param("emeritus", True, True, id="O1-emeritus-owes-CE-until-confirmed-flagged"),
        pytest.param("inactive", False, False, id="O1-inactive-non-payment"),
        pytest.param("suspended", False, False, id="O1-suspension"),
        pytest.param("retired", False, False, id="O1-retired"),
        pytest.param("revoked", False, False, id="O1-revoked"),
    ],
)
def test_o1_nmtcb_status_vocabulary(
    status: CredentialStatus, has_obligation: bool, emeritus_flag: bool
) -> None:
    who = person(credential("NMTCB", "CNMT", date(2019, 6, 10), status=status), birth_month=4)
    found = [o for o in obligations(who, today=date(2024, 6, 1)) if o.body == "NMTCB"]
    assert bool(found) is has_obligation
    flagged = any("Emeritus" in f.note for o in found for f in o.flags)
    assert flagged is emeritus_flag


REGISTERED = PersonRegistered(person_id=person().person_id, full_name="Dana")


@pytest.mark.parametrize(
    ("body", "code", "status", "allowed"),
    [
        pytest.param("NMTCB", "CNMT", "emeritus", True, id="O1-NMTCB-emeritus"),
        pytest.param("NMTCB", "CNMT", "suspended", True, id="O1-NMTCB-suspension"),
        pytest.param("NMTCB", "CNMT", "lapsed", False, id="O1-NMTCB-has-no-lapsed"),
        pytest.param("ARDMS", "RDMS", "emeritus", False, id="A16-ARDMS-has-no-emeritus"),
    ],
)
def test_status_changes_follow_each_bodys_vocabulary(
    body: str, code: str, status: CredentialStatus, allowed: bool
) -> None:
    held = credential(body, code, date(2019, 6, 10))
    state = evolve(
        evolve(None, REGISTERED),
        CredentialAdded(person_id=REGISTERED.person_id, credential=held),
    )
    command = ChangeCredentialStatus(
        credential_id=held.credential_id, status=status, effective_on=date(2024, 1, 2)
    )
    if allowed:
        [event] = decide_change_credential_status(
            state, command, now=NOW, ids=lambda: held.credential_id
        )
        assert evolve(state, event).credentials[0].status == status
    else:
        with pytest.raises(InvalidStatusChange, match="never"):
            decide_change_credential_status(state, command, now=NOW, ids=lambda: held.credential_id)


# --- North Dakota ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("licensed", "expected", "partial"),
    [
        pytest.param(
            "2023-05-10",
            "2022-01-01..2023-12-31 2024-01-01..2025-12-31",
            True,
            id="O10-odd-year-licence-in-the-2022-2023-cycle-partial-flagged",
        ),
        pytest.param(
            "2024-01-01",
            "2024-01-01..2025-12-31 2026-01-01..2027-12-31",
            False,
            id="O10-licensed-on-jan-1-of-an-even-year",
        ),
        pytest.param(
            "2025-12-31",
            "2024-01-01..2025-12-31 2026-01-01..2027-12-31",
            True,
            id="O10-licensed-on-the-last-day-of-a-cycle",
        ),
    ],
)
def test_o10_nd_licensure_cycle_is_jan_1_even_to_dec_31_odd(
    licensed: str, expected: str, partial: bool
) -> None:
    assert _windows(ND_PACK.cycle, day(licensed)) == spans(expected)
    _, flags = windows_through(ND_PACK.cycle, Anchor(first_credential_on=day(licensed)), FAR_FUTURE)
    assert any("pro-rating" in f.note for f in flags) is partial


def _nd_person(*modalities: str) -> Person:
    return person(
        credential("ARRT", "R", date(2015, 3, 2)),
        credential("ARDMS", "RDMS", date(2015, 3, 2)),
        *(credential("ND", m, date(2022, 1, 1)) for m in modalities),
        birth_month=4,
    )


@pytest.mark.parametrize(
    ("modalities", "expected"),
    [
        pytest.param(("S",), {"total": 5, "S: sonography": 5}, id="O10-5-hours-one-modality"),
        pytest.param(
            ("R", "S"),
            {"total": 10, "R: radiography": 5, "S: sonography": 5},
            id="O10-5-hours-per-modality",
        ),
        pytest.param(
            ("RCIS", "N", "MR"),
            {
                "total": 15,
                "RCIS: cardiovascular": 5,
                "N: nuclear_medicine": 5,
                "MR: magnetic_resonance": 5,
            },
            id="O10-three-modalities",
        ),
    ],
)
def test_o10_nd_requires_5_hours_per_modality_flagged(
    modalities: tuple[str, ...], expected: dict[str, int]
) -> None:
    obligation = only(obligations(_nd_person(*modalities), today=date(2024, 6, 1)), "ND")
    assert {x.label: x.required for x in obligation.lines} == {
        k: Decimal(v) for k, v in expected.items()
    }
    assert obligation.credentials == tuple(sorted(modalities))
    assert any(f.confidence == "unconfirmed" and "O10" in f.sources for f in obligation.flags)


@pytest.mark.parametrize(
    ("completed", "types", "topics", "counted"),
    [
        pytest.param(date(2024, 3, 1), ("sdms",), ("sonography",), "5", id="O10-registry-hours"),
        pytest.param(
            date(2025, 12, 31),
            ("arrt_category_a",),
            ("sonography",),
            "5",
            id="O10-RCEEM-hours-on-the-last-day-of-the-cycle",
        ),
        pytest.param(
            date(2023, 12, 31), ("sdms",), ("sonography",), "0", id="O10-before-the-board-cycle"
        ),
        pytest.param(date(2024, 3, 1), ("other",), ("sonography",), "0", id="O10-not-acceptable"),
    ],
)
def test_o10_nd_counts_registry_acceptable_hours_inside_the_board_cycle(
    completed: date, types: tuple[CreditType, ...], topics: tuple[Topic, ...], counted: str
) -> None:
    who = _nd_person("S")
    found = obligations(
        who, [credit(completed, "5", types=types, topics=topics)], today=date(2025, 12, 31)
    )
    nd = only(found, "ND")
    assert (nd.window.start, nd.window.end) == (date(2024, 1, 1), date(2025, 12, 31))
    assert line(nd)[1] == Decimal(counted)
    assert line(nd, "S: sonography")[1] == Decimal(counted)
    assert (nd.status == "compliant") is (counted == "5")
    if counted == "5":  # the same hours also count for the registry [O10]
        ardms = [u.credit_id for o in found if o.body == "ARDMS" for u in o.used]
        assert ardms == [nd.used[0].credit_id]


def test_o10_nd_hours_off_the_modality_do_not_meet_it() -> None:
    who = _nd_person("S")
    found = obligations(
        who,
        [credit(date(2024, 3, 1), "5", types=("sdms",), topics=("radiography",))],
        today=date(2024, 6, 1),
    )
    nd = only(found, "ND")
    assert line(nd) == (Decimal(5), Decimal(5), Decimal(0))
    assert line(nd, "S: sonography") == (Decimal(5), Decimal(0), Decimal(5))
    assert nd.status != "compliant"


def test_o10_nd_cycle_before_the_2017_ce_law_is_flagged() -> None:
    who = person(
        credential("ARRT", "R", date(2010, 3, 2)),
        credential("ND", "R", date(2016, 2, 1)),
        birth_month=4,
    )
    nd = only(obligations(who, today=date(2016, 6, 1)), "ND")
    assert any("predates" in f.note for f in nd.flags)


def test_o10_o7_a_state_licence_needs_a_current_national_credential() -> None:
    state = evolve(None, REGISTERED)
    command = AddCredential(body="ND", code="S", earned_on=date(2024, 1, 2))
    with pytest.raises(InvalidCredential, match="national credential"):
        decide_add_credential(state, command, now=NOW, ids=lambda: REGISTERED.person_id)


# --- New Mexico --------------------------------------------------------------------------------


def _nm_person(*extra: Credential, licensed: date = date(2023, 2, 1)) -> Person:
    return person(
        credential("ARDMS", "RDMS", date(2019, 6, 10)),
        *extra,
        credential("NM", "DMS", licensed),
        birth_month=4,
    )


def test_o6_nm_licence_repeats_the_credentialing_bodys_obligations() -> None:
    who = _nm_person()
    credits = [credit(date(2023, 5, 1), "20", topics=("sonography",))]
    found = obligations(who, credits, today=date(2024, 6, 1))
    ardms = [o for o in found if o.body == "ARDMS"]
    nm = [o for o in found if o.body == "NM"]
    assert [o.period for o in nm] == ["current"]  # the previous period ended before 2023-02-01
    [mirror] = nm
    [source] = [o for o in ardms if o.period == "current"]
    assert mirror.mirrors == "ARDMS"
    assert mirror.credentials == ("DMS",)
    assert (mirror.window, mirror.lines, mirror.used, mirror.status) == (
        source.window,
        source.lines,
        source.used,
        source.status,
    )
    for on in (date(2024, 12, 31), date(2025, 1, 1), date(2025, 3, 1)):
        assert status_on(mirror, on) == status_on(source, on)


def test_o6_nm_licence_held_during_a_previous_period_repeats_it_too() -> None:
    who = _nm_person(licensed=date(2022, 7, 20))
    found = obligations(who, today=date(2025, 6, 1))
    assert [(o.period, o.window.end) for o in found if o.body == "NM"] == [
        ("previous", date(2022, 12, 31)),
        ("current", date(2025, 12, 31)),
    ]
    assert all(o.status == "overdue" for o in found if o.body == "NM" and o.period == "previous")


def test_o6_nm_with_several_credentialing_bodies_repeats_each_flagged() -> None:
    who = _nm_person(credential("ARRT", "S", date(2015, 3, 2)))
    found = obligations(who, today=date(2024, 6, 1))
    nm = [o for o in found if o.body == "NM"]
    assert sorted({o.mirrors for o in nm if o.mirrors}) == ["ARDMS", "ARRT"]
    assert all(any("not recorded" in f.note for f in o.flags) for o in nm)


def test_o6_nm_licence_without_an_obligation_of_its_body_repeats_nothing() -> None:
    lapsed_licence = person(
        credential("ARDMS", "RDMS", date(2019, 6, 10)),
        credential("NM", "DMS", date(2023, 2, 1), status="lapsed"),
    )
    assert not [o for o in obligations(lapsed_licence, today=date(2024, 6, 1)) if o.body == "NM"]


# --- Oregon, New Hampshire ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "source"),
    [pytest.param("OR", "O8", id="O8-oregon-CE-unconfirmed"), pytest.param("NH", "O11", id="O11")],
)
def test_unconfirmed_state_licences_are_listed_as_unsupported_not_evaluated(
    body: str, source: str
) -> None:
    licence = credential(body, "LICENSE", date(2023, 2, 1))
    who = person(credential("ARDMS", "RDMS", date(2019, 6, 10)), licence)
    today = date(2024, 6, 1)
    assert {o.body for o in obligations(who, today=today)} == {"ARDMS"}
    [(held, why)] = unsupported_credentials(who, RULE_PACKS, today=today)
    assert held == licence
    assert why.confidence == "unconfirmed"
    assert source in why.sources
    assert unsupported_credentials(who, RULE_PACKS, today=date(2023, 1, 31)) == []


def test_credits_exactly_fill_quarter_steps_for_nd_without_float_drift() -> None:
    who = _nd_person("S")
    credits = [
        credit(
            date(2024, 1, 1) + timedelta(days=i), "0.25", types=("sdms",), topics=("sonography",)
        )
        for i in range(20)
    ]
    nd = only(obligations(who, credits, today=date(2024, 6, 1)), "ND")
    assert line(nd) == (Decimal(5), Decimal("5.00"), Decimal(0))


def test_o10_every_nd_modality_has_topics_and_the_packs_stay_hashable() -> None:
    [row] = ND_PACK.versions[0].requirements
    assert row.per_code_topics is not None
    assert {code for code, _ in row.per_code_topics} == set(ND_MODALITIES)
    assert len({hash(pack) for pack in RULE_PACKS}) == len(RULE_PACKS)
