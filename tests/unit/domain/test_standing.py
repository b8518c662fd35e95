"""The status vocabulary, the at-risk rule and the standing per person and body."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import get_args

import pytest

from domain.compliance.standing import standings
from domain.compliance.status import (
    AT_RISK_RULE,
    STATUS_TEXT,
    STATUSES,
    URGENCY,
    Status,
    pace_status,
)
from domain.credits.credit import Credit, VerificationStatus
from tests.unit.domain.cme_builders import changed, credential, credit, obligations, person

# ARDMS: first period 2024-06-10 .. 2027-12-31 (the stub year extends it) [A3]-[A5]
RDMS_HOLDER = person(credential("ARDMS", "RDMS", date(2024, 6, 10)))
CCI_HOLDER = person(credential("CCI", "RCS", date(2020, 2, 10)))
# CCI: first period to 2020-12-31, cycles 2021-01-01 .. 2023-12-31, 2024-01-01 .. 2026-12-31 [C1]


def test_one_vocabulary_with_words_for_every_status() -> None:
    assert set(STATUSES) == set(get_args(Status))
    assert len(STATUSES) == len(set(STATUSES))
    assert list(URGENCY) == list(STATUSES)
    for status in get_args(Status):
        text = STATUS_TEXT[status]
        assert text.label
        assert text.sentence.endswith(".")
        assert text.next_action.endswith(".")
    assert "90 days" in AT_RISK_RULE
    assert "12 months" in AT_RISK_RULE


CYCLE = (date(2025, 1, 1), date(2027, 12, 31))


@pytest.mark.parametrize(
    ("counted", "needed", "today", "expected"),
    [
        # fewer than 90 days left: at risk whatever the pace
        pytest.param("29", "1", date(2027, 10, 3), "at_risk", id="89-days-left"),
        pytest.param("29", "1", date(2027, 10, 2), "on_track", id="90-days-left-good-pace"),
        pytest.param("0", "30", date(2027, 12, 31), "at_risk", id="deadline-today"),
        # more than 12 months away: on track however slow the start
        pytest.param("0", "30", date(2025, 3, 1), "on_track", id="1035-days-left-nothing-yet"),
        pytest.param("0", "30", date(2026, 12, 30), "on_track", id="12-months-and-a-day"),
        pytest.param("0", "30", date(2026, 12, 31), "at_risk", id="exactly-12-months-no-pace"),
        # within 12 months: the person's own pace decides
        # 2027-01-01: 731 days elapsed (today included), 364 left
        pytest.param("25", "5", date(2027, 1, 1), "on_track", id="pace-closes-gap"),
        pytest.param("10", "20", date(2027, 1, 1), "at_risk", id="pace-too-slow"),
        # counted * left == needed * elapsed: 731 * 364 == 364 * 731, earns exactly enough
        pytest.param("731", "364", date(2027, 1, 1), "on_track", id="pace-exactly-enough"),
        pytest.param("730", "364", date(2027, 1, 1), "at_risk", id="pace-just-short"),
    ],
)
def test_at_risk_rule_at_its_edges(counted: str, needed: str, today: date, expected: str) -> None:
    start, end = CYCLE
    lines = [(Decimal(counted), Decimal(needed))]
    assert pace_status(lines, start=start, end=end, today=today) == expected


def test_a_far_off_cci_cycle_is_on_track_not_at_risk() -> None:
    # The case: a CCI cycle two months into three years, nothing earned yet.
    # First period (no CEUs) 2023-11-10 .. 2024-09-30, then 2024-10-01 .. 2027-09-30 [C1]
    holder = person(credential("CCI", "RCS", date(2023, 11, 10)))
    today = date(2024, 12, 1)
    found = obligations(holder, today=today)
    [standing] = standings(holder, found, today=today, count_pending=False)
    assert standing.status == "on_track"
    assert standing.deadline == date(2027, 9, 30)


def _credits(verification: VerificationStatus, count: int) -> list[Credit]:
    return [credit(date(2025, 2, 1), "1", verification=verification) for _ in range(count)]


@pytest.mark.parametrize(
    ("verified", "pending", "count_pending", "status"),
    [
        pytest.param(30, 0, False, "compliant", id="all-verified"),
        pytest.param(26, 4, False, "compliant_pending_verification", id="4-pending-not-counted"),
        pytest.param(26, 4, True, "compliant", id="4-pending-counted"),
        pytest.param(0, 30, False, "compliant_pending_verification", id="nothing-verified"),
        pytest.param(20, 4, False, "on_track", id="short-even-with-pending"),
    ],
)
def test_pending_credits_count_only_if_the_organisation_says_so(
    verified: int, pending: int, count_pending: bool, status: str
) -> None:
    today = date(2025, 6, 1)
    history = _credits("verified", verified) + _credits("pending", pending)
    found = obligations(RDMS_HOLDER, history, today=today)
    [standing] = standings(RDMS_HOLDER, found, today=today, count_pending=count_pending)
    assert standing.status == status
    assert (standing.verified, standing.pending) == (Decimal(verified), Decimal(pending))
    if status == "compliant_pending_verification":
        assert f"once {pending} credits awaiting a certificate check are verified" in (
            standing.sentence
        )


@pytest.mark.parametrize(
    ("today", "status", "cycle_end"),
    [
        pytest.param(date(2024, 1, 1), "in_grace", date(2023, 12, 31), id="C2-grace-day-1"),
        pytest.param(date(2024, 3, 30), "in_grace", date(2023, 12, 31), id="C2-grace-last-day"),
        pytest.param(date(2024, 3, 31), "overdue", date(2023, 12, 31), id="after-grace"),
        pytest.param(date(2026, 12, 31), "overdue", date(2023, 12, 31), id="stays-until-cured"),
    ],
)
def test_a_cycle_that_ended_short_stays_the_standing(
    today: date, status: str, cycle_end: date
) -> None:
    # Current cycle 2024..2026 fully met; the ended one was short.
    met = [
        credit(
            date(2024, 2, 1),
            "36",
            types=("cci_approved",),
            topics=("cardiovascular",),
            verification="verified",
        )
    ]
    found = obligations(CCI_HOLDER, met, today=today)
    [standing] = standings(CCI_HOLDER, found, today=today, count_pending=False)
    assert standing.status == status
    assert standing.obligation is not None
    assert standing.obligation.window.end == cycle_end
    if status == "in_grace":
        assert "credits earned in it do not count" in standing.sentence


def test_a_lapsed_credential_is_a_lapsed_standing() -> None:
    lapsed = changed(credential("CCI", "RCS", date(2020, 2, 10)), (date(2024, 4, 1), "inactive"))
    who = person(lapsed, credential("ARDMS", "RDMS", date(2024, 6, 10)))
    today = date(2025, 6, 1)
    found = obligations(who, today=today)
    by_body = {s.body: s.status for s in standings(who, found, today=today, count_pending=False)}
    assert by_body == {"ARDMS": "on_track", "CCI": "lapsed"}
