"""Property tests for evaluate(): monotone in credits, order-free, retraction-neutral, exact."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from random import Random
from typing import Any
from uuid import UUID

import msgspec
from cme_builders import credential, credit, obligations, person, waiver
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.compliance.evaluation import (
    IDENTITY_ONLY,
    Obligation,
    alike,
    status_on,
    unchanged_through,
)
from domain.compliance.packs import RULE_PACKS
from domain.credits.credit import ActivityKind, Credit, CreditType, Topic
from domain.people.person import Person, SpecialtyHeld, StatusChange

PEOPLE = [
    person(credential("ARDMS", "RDMS", date(2020, 12, 15))),
    person(
        credential("ARDMS", "RMSKS", date(2021, 6, 10)),
        credential("ARDMS", "RVT", date(2022, 1, 3)),
    ),
    person(credential("ARRT", "S", date(2019, 3, 2), status="probation"), birth_month=4),
    person(
        credential("ARRT", "R", date(2019, 5, 2)),
        credential("ARDMS", "RPVI", date(2020, 2, 29)),
        credential("ARDMS", "RMSK", date(2022, 2, 1)),
        credential("CCI", "RCS", date(2019, 11, 30)),
        birth_month=2,
    ),
    # NMTCB [O3] cycles, a North Dakota licence [O10], and a New Mexico licence repeating the
    # ARDMS and NMTCB obligations [O6]
    person(
        credential("ARDMS", "RDMS", date(2019, 8, 1)),
        credential("NMTCB", "CNMT", date(2018, 6, 10)),
        credential("ND", "S", date(2020, 5, 5)),
        credential("NM", "DMS", date(2021, 9, 20)),
        birth_month=7,
    ),
]
STATUS_RANK = {"compliant": 0, "on_track": 1, "at_risk": 2, "in_grace": 2, "overdue": 3}

days = st.dates(min_value=date(2018, 1, 1), max_value=date(2027, 12, 31))
credit_types: st.SearchStrategy[CreditType] = st.sampled_from(
    [
        "ama_pra_category_1",
        "arrt_category_a",
        "sdms",
        "cci_approved",
        "aha_ashi",
        "aium",
        "snmmi",
        "other",
    ]
)
topics: st.SearchStrategy[Topic] = st.sampled_from(
    ["sonography", "vascular", "musculoskeletal", "cardiovascular"]
)
kinds: st.SearchStrategy[ActivityKind] = st.sampled_from(
    ["standard", "standard", "life_support", "applications_training"]
)


@st.composite
def credits_strategy(draw: st.DrawFn, completed_on: st.SearchStrategy[date] = days) -> Credit:
    return credit(
        draw(completed_on),
        Decimal(draw(st.integers(min_value=1, max_value=40))) / 4,
        types=tuple(draw(st.lists(credit_types, min_size=1, max_size=2, unique=True))),
        topics=tuple(draw(st.lists(topics, max_size=2, unique=True))),
        kind=draw(kinds),
        verification=draw(st.sampled_from(["pending", "verified", "needs_review", "rejected"])),
        retraction_reason=draw(st.sampled_from([None, None, None, "duplicate"])),
        credit_id=UUID(int=draw(st.integers(min_value=0, max_value=2**64))),
    )


credit_lists = st.lists(credits_strategy(), max_size=25, unique_by=lambda c: c.credit_id)
people = st.sampled_from(PEOPLE)
todays = st.dates(min_value=date(2021, 1, 1), max_value=date(2027, 12, 31))


def _reach(obligation: Obligation) -> tuple[date, date]:
    """The first and last completion day a credit may have to count for ``obligation``."""
    end = max(obligation.window.end, obligation.late_credits_until or obligation.window.end)
    return obligation.window.start, end


def _by_key(found: list[Obligation]) -> dict[tuple[str, str, str | None], Obligation]:
    return {(o.body, o.period, o.mirrors): o for o in found}


@given(people, credit_lists, credits_strategy(), todays)
@settings(deadline=None)
def test_adding_a_credit_never_lowers_a_count_or_worsens_a_status(
    who: Person, credits: list[Credit], extra: Credit, today: date
) -> None:
    if any(c.credit_id == extra.credit_id for c in credits):
        return
    before = _by_key(obligations(who, credits, today=today))
    after = _by_key(obligations(who, [*credits, extra], today=today))
    assert before.keys() == after.keys()
    for key, old in before.items():
        new = after[key]
        for old_line, new_line in zip(old.lines, new.lines, strict=True):
            assert new_line.counted >= old_line.counted, (key, old_line.label)
        assert STATUS_RANK[new.status] <= STATUS_RANK[old.status], key


@given(people, credit_lists, st.randoms(use_true_random=False), todays)
@settings(deadline=None)
def test_evaluation_does_not_depend_on_credit_order(
    who: Person, credits: list[Credit], shuffler: Random, today: date
) -> None:
    shuffled = list(credits)
    shuffler.shuffle(shuffled)
    assert obligations(who, shuffled, today=today) == obligations(who, credits, today=today)


@given(people, credit_lists, credits_strategy(), todays)
@settings(deadline=None)
def test_retracting_a_credit_restores_the_previous_result(
    who: Person, credits: list[Credit], extra: Credit, today: date
) -> None:
    if any(c.credit_id == extra.credit_id for c in credits):
        return
    without = obligations(who, credits, today=today)
    retracted = msgspec.structs.replace(extra, retraction_reason="entered by mistake")
    with_retracted = obligations(who, [*credits, retracted], today=today)
    assert [_forget(o, extra.credit_id) for o in with_retracted] == without
    for obligation in with_retracted:
        assert any(
            x.credit_id == extra.credit_id and x.reason == "retracted" for x in obligation.not_used
        )


@given(people, credits_strategy(), todays)
@settings(deadline=None)
def test_without_credits_the_result_is_that_of_evaluating_every_cycle(
    who: Person, extra: Credit, today: date
) -> None:
    """Without credits evaluate() skips the cycles before the previous one; a retracted credit
    makes it evaluate every cycle, and changes nothing else."""
    retracted = msgspec.structs.replace(extra, retraction_reason="entered by mistake")
    every_cycle = obligations(who, [retracted], today=today)
    assert obligations(who, today=today) == [_forget(o, extra.credit_id) for o in every_cycle]


@given(
    people,
    credit_lists,
    st.one_of(
        credits_strategy(st.dates(min_value=date(2010, 1, 1), max_value=date(2018, 12, 31))),
        credits_strategy(st.dates(min_value=date(2028, 1, 1), max_value=date(2030, 12, 31))),
    ),
    todays,
)
@settings(deadline=None)
def test_credits_outside_every_window_never_count(
    who: Person, credits: list[Credit], outside: Credit, today: date
) -> None:
    if any(c.credit_id == outside.credit_id for c in credits):
        return
    before = obligations(who, credits, today=today)
    day = outside.details.completed_on
    if any(_reach(o)[0] <= day <= _reach(o)[1] for o in before):
        return  # the previous cycle can reach back into the "outside" years: not outside then
    after = obligations(who, [*credits, outside], today=today)
    assert [o.lines for o in after] == [o.lines for o in before]
    assert all(u.credit_id != outside.credit_id for o in after for u in o.used)


@given(people, credit_lists, todays)
@settings(deadline=None)
def test_every_credit_is_accounted_for_exactly_in_quarter_credits(
    who: Person, credits: list[Credit], today: date
) -> None:
    claimed = sum((c.details.credits for c in credits), Decimal(0))
    for obligation in obligations(who, credits, today=today):
        used = sum((u.credits_counted for u in obligation.used), Decimal(0))
        left_out = sum((x.credits for x in obligation.not_used), Decimal(0))
        assert used + left_out == claimed
        for entry in obligation.lines:
            assert entry.counted % Decimal("0.25") == 0
            assert entry.shortfall == max(Decimal(0), entry.required - entry.counted - entry.waived)


def _forget(obligation: Obligation, credit_id: UUID) -> Obligation:
    return msgspec.structs.replace(
        obligation,
        not_used=tuple(x for x in obligation.not_used if x.credit_id != credit_id),
    )


@given(people, credit_lists, todays, st.integers(min_value=0, max_value=1500))
@settings(deadline=None)
def test_until_unchanged_through_only_the_status_moves_and_status_on_gives_it(
    who: Person, credits: list[Credit], evaluated_on: date, days_later: int
) -> None:
    found = obligations(who, credits, today=evaluated_on)
    valid = unchanged_through(
        who, credits, [], found, evaluated_on=evaluated_on, rule_packs=RULE_PACKS
    )
    assert valid >= evaluated_on
    day = min(evaluated_on + timedelta(days=days_later), valid)
    restated = [msgspec.structs.replace(o, status=status_on(o, day)) for o in found]
    assert restated == obligations(who, credits, today=day)


def test_the_stored_result_expires_when_a_window_ends_or_a_dated_fact_starts_to_count() -> None:
    rdms = person(credential("ARDMS", "RDMS", date(2021, 6, 10)))  # period ends 2024-12-31
    found = obligations(rdms, [], today=date(2024, 6, 1))
    valid = unchanged_through(
        rdms, [], [], found, evaluated_on=date(2024, 6, 1), rule_packs=RULE_PACKS
    )
    assert valid == date(2024, 12, 31)
    assert [o.period for o in obligations(rdms, [], today=date(2025, 1, 1))] == [
        "previous",
        "current",
    ]
    later = (
        [credit(date(2024, 7, 1))],
        [waiver("ARDMS", "new_credential_or_specialty", date(2024, 8, 1))],
    )
    assert unchanged_through(
        rdms, *later, found, evaluated_on=date(2024, 6, 1), rule_packs=RULE_PACKS
    ) == date(2024, 6, 1)


def test_a_body_whose_first_window_has_not_started_keeps_the_result_one_day() -> None:
    arrt = person(credential("ARRT", "S", date(2026, 3, 2)), birth_month=4)  # starts 2026-04-01
    found = obligations(arrt, [], today=date(2026, 3, 10))
    assert found == []
    assert unchanged_through(
        arrt, [], [], found, evaluated_on=date(2026, 3, 10), rule_packs=RULE_PACKS
    ) == date(2026, 3, 10)
    assert [o.body for o in obligations(arrt, [], today=date(2026, 4, 1))] == ["ARRT"]


_HELD = [
    ("ARDMS", "RDMS", date(2020, 12, 15)),
    ("ARDMS", "RDMS", date(2021, 12, 15)),
    ("ARDMS", "RVT", date(2020, 12, 15)),
    ("ARRT", "R", date(2019, 5, 2)),
    ("ARRT", "CT", date(2019, 5, 2)),
    ("CCI", "RCS", date(2019, 11, 30)),
]
_BIRTH_MONTHS = st.sampled_from([4, 11, 12])
_CYCLE_STARTS = st.sampled_from([{}, {"ARRT": date(2020, 1, 1)}])
_STATUSES = st.lists(st.sampled_from(["active", "active", "probation"]), min_size=2, max_size=2)


@st.composite
def roster_pairs(draw: st.DrawFn) -> tuple[Person, Person]:
    """Two people, each with ids of their own; the second has each of the first's credentials,
    statuses, birth month and cycle starts, or one drawn anew (often the same)."""
    held = st.lists(st.sampled_from(_HELD), min_size=1, max_size=2, unique=True)
    drawn = [draw(held), draw(_STATUSES), draw(_BIRTH_MONTHS), draw(_CYCLE_STARTS)]
    again = [
        draw(part) if draw(st.booleans()) else mine
        for part, mine in zip([held, _STATUSES, _BIRTH_MONTHS, _CYCLE_STARTS], drawn, strict=True)
    ]

    def someone(found: list[Any]) -> Person:
        chosen, statuses, birth_month, cycle_starts = found
        return msgspec.structs.replace(
            person(
                *(
                    credential(body, code, earned_on, status)
                    for (body, code, earned_on), status in zip(chosen, statuses, strict=False)
                ),
                birth_month=birth_month,
                cycle_starts=cycle_starts,
            ),
            person_id=UUID(int=draw(st.integers(min_value=1, max_value=2**64))),
        )

    return someone(drawn), someone(again)


@given(roster_pairs(), st.sampled_from([date(2025, 5, 10), date(2026, 1, 2)]))
@settings(deadline=None, max_examples=300)
def test_people_alike_get_the_same_evaluation_but_for_their_id(
    pair: tuple[Person, Person], today: date
) -> None:
    """The key ``alike`` gives a person without credits or waivers stands for everything
    evaluate() and unchanged_through() read of them: equal keys, equal results."""
    one, other = pair
    assert alike(one, [credit(date(2024, 1, 1), Decimal(1))], [], today=today) is None
    if alike(one, [], [], today=today) != alike(other, [], [], today=today):
        return
    first, second = obligations(one, today=today), obligations(other, today=today)
    assert [msgspec.structs.replace(o, person_id=other.person_id) for o in first] == second
    assert unchanged_through(
        one, [], [], first, evaluated_on=today, rule_packs=RULE_PACKS
    ) == unchanged_through(other, [], [], second, evaluated_on=today, rule_packs=RULE_PACKS)


def test_every_field_evaluate_may_read_is_in_the_alike_key() -> None:
    """A change of any person or credential field outside ``IDENTITY_ONLY`` (a field added later
    too) gives another key; a change of only identity fields gives the same key and results."""
    held = credential("ARDMS", "RDMS", date(2020, 2, 10))
    base = person(held, birth_month=4, cycle_starts={"ARRT": date(2021, 4, 1)})
    today = date(2026, 1, 2)
    key = alike(base, [], [], today=today)
    changed_credentials = [
        msgspec.structs.replace(held, earned_on=date(2020, 2, 11)),
        msgspec.structs.replace(
            held, specialties=(SpecialtyHeld(specialty="AB", earned_on=date(2020, 2, 10)),)
        ),
        msgspec.structs.replace(held, status="inactive"),
        msgspec.structs.replace(
            held, status_history=(StatusChange(effective_on=date(2020, 2, 10), status="active"),)
        ),
        msgspec.structs.replace(held, qualifications_completed=(date(2030, 1, 1),)),
    ]
    others = [msgspec.structs.replace(base, credentials=(c,)) for c in changed_credentials]
    others += [
        msgspec.structs.replace(base, birth_month=5),
        msgspec.structs.replace(base, cycle_starts={"ARRT": date(2021, 5, 1)}),
    ]
    assert {f for f in Person.__struct_fields__ if f not in IDENTITY_ONLY} == {
        "birth_month",
        "cycle_starts",
        "credentials",
    }, "a new person field: add a case above, or to IDENTITY_ONLY if evaluate never reads it"
    assert all(alike(other, [], [], today=today) != key for other in others)
    renamed = msgspec.structs.replace(
        base,
        person_id=UUID(int=7),
        full_name="Other",
        department="Echo",
        site="North",
        employee_number="E-9",
        email="o@example.org",
        active=False,
        registry_ids={"ARDMS": "123"},
        credentials=(msgspec.structs.replace(held, credential_id=UUID(int=8)),),
    )
    assert alike(renamed, [], [], today=today) == key
    first = obligations(base, today=today)
    assert [msgspec.structs.replace(o, person_id=renamed.person_id) for o in first] == (
        obligations(renamed, today=today)
    )
