"""Rule additions, each with its source id: CCI's cap on credits outside the cardiovascular
topic [C1], [C2], and the NMTCB cycle parity reading [O2], [O3] (flagged, not decided)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from domain.compliance.evaluation import Obligation
from domain.credits.credit import Credit
from tests.unit.domain.cme_builders import credential, credit, line, obligations, only, person

# CCI registry level: cycle 2024-01-01 .. 2026-12-31 for an RCS earned 2020-02-10 [C1], [C5]
RCS = person(credential("CCI", "RCS", date(2020, 2, 10)))
CCT = person(credential("CCI", "CCT", date(2020, 2, 10)))
TODAY = date(2026, 6, 1)


def _cci(day: int, credits: str, *topics: str) -> Credit:
    return credit(
        date(2024, 3, day),
        credits,
        types=("cci_approved",),
        topics=topics,  # type: ignore[arg-type]
        verification="verified",
    )


def _each_credit_once(o: Obligation, credits: list[Credit]) -> None:
    seen: defaultdict[UUID, Decimal] = defaultdict(Decimal)
    for use in o.used:
        seen[use.credit_id] += use.credits_counted
    for left in o.not_used:
        seen[left.credit_id] += left.credits
    assert dict(seen) == {c.credit_id: c.details.credits for c in credits}


@pytest.mark.parametrize(
    ("cardiovascular", "other", "total", "cardio_line", "over_cap", "status"),
    [
        pytest.param(
            "36", "0", ("36", "36", "0"), ("30", "36", "0"), "0", "compliant", id="C2-all-cv"
        ),
        pytest.param(
            "30", "6", ("36", "36", "0"), ("30", "30", "0"), "0", "compliant", id="C2-6-any"
        ),
        pytest.param(
            "30", "10", ("36", "36", "0"), ("30", "30", "0"), "4", "compliant", id="C2-10-any"
        ),
        pytest.param(
            "26", "10", ("36", "32", "4"), ("30", "26", "4"), "4", "on_track", id="C2-short"
        ),
        pytest.param(
            "0", "36", ("36", "6", "30"), ("30", "0", "30"), "30", "at_risk", id="C2-no-cv"
        ),
    ],
)
def test_cci_counts_at_most_6_credits_outside_cardiovascular(
    cardiovascular: str,
    other: str,
    total: tuple[str, str, str],
    cardio_line: tuple[str, str, str],
    over_cap: str,
    status: str,
) -> None:  # [C1], [C2]: 36 CEUs, >= 30 cardiovascular, <= 6 any topic
    history = [_cci(1, cardiovascular, "cardiovascular"), _cci(2, other)]
    history = [c for c in history if c.details.credits]
    found = only(obligations(RCS, history, today=TODAY), "CCI")
    assert line(found) == tuple(Decimal(n) for n in total)
    assert line(found, "cardiovascular") == tuple(Decimal(n) for n in cardio_line)
    capped = [x for x in found.not_used if x.reason == "over_cap"]
    assert sum((x.credits for x in capped), Decimal(0)) == Decimal(over_cap)
    assert all(x.sources == ("C1", "C2") for x in capped)
    assert all("outside cardiovascular" in x.detail for x in capped)
    assert found.status == status
    _each_credit_once(found, history)


def test_the_cap_takes_off_topic_credits_in_completion_order() -> None:  # [C2]
    history = [_cci(1, "4"), _cci(2, "4"), _cci(3, "30", "cardiovascular")]
    found = only(obligations(RCS, history, today=TODAY), "CCI")
    counted = {u.credit_id: u.credits_counted for u in found.used}
    assert [counted.get(c.credit_id) for c in history] == [Decimal(4), Decimal(2), Decimal(30)]


def test_certificate_level_has_no_topic_cap() -> None:  # [C1]: 16 CEUs, no topic split
    history = [_cci(1, "16")]
    found = only(obligations(CCT, history, today=TODAY), "CCI")
    assert line(found) == (Decimal(16), Decimal(16), Decimal(0))
    assert found.status == "compliant"


@pytest.mark.parametrize(
    ("birth_month", "first_end"),
    [
        pytest.param(None, date(2021, 12, 31), id="O2-calendar-odd-year-ends-odd"),
        pytest.param(8, date(2021, 7, 31), id="O3-birth-month-odd-year-ends-odd"),
    ],
)
def test_nmtcb_cycle_parity_is_flagged_on_every_reading(
    birth_month: int | None, first_end: date
) -> None:  # [O2], [O3]
    holder = person(credential("NMTCB", "CNMT", date(2019, 5, 10)), birth_month=birth_month)
    found = obligations(holder, today=date(2021, 6, 1))
    current = only(found, "NMTCB")
    assert current.window.end == first_end
    parity = [f for f in current.flags if "parity" in f.note]
    assert [f.sources for f in parity] == [("O2", "O3")]
    assert parity[0].confidence == "unconfirmed"
