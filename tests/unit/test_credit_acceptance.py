"""Where a credit counts: only the cycles whose window it falls in speak about it; a credit
outside every window shown has no acceptance at all (said once, neutrally, by the page)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.core.credits.use_cases import credit_acceptance
from tests.unit.domain.cme_builders import credential, credit, obligations, person

pytestmark = pytest.mark.unit

# ARDMS: periods 2021-06-10 .. 2024-12-31 (previous) and 2025-01-01 .. 2027-12-31 [A5]
HOLDER = person(credential("ARDMS", "RDMS", date(2021, 6, 10)))
TODAY = date(2026, 6, 1)


def test_a_credit_of_the_finished_cycle_counts_there_and_is_not_refused_by_the_current() -> None:
    earlier = credit(date(2023, 5, 1), "3", types=("sdms",))
    found = obligations(HOLDER, [earlier], today=TODAY)
    [only] = credit_acceptance(found, earlier.credit_id)
    assert (only.body, only.period, only.counted, only.not_counted) == (
        "ARDMS",
        "previous",
        Decimal(3),
        [],
    )


def test_a_credit_refused_inside_a_window_says_why() -> None:
    refused = credit(date(2025, 5, 1), "3", types=("other",))
    [only] = credit_acceptance(obligations(HOLDER, [refused], today=TODAY), refused.credit_id)
    assert only.period == "current"
    assert [x.reason for x in only.not_counted] == ["type_not_accepted"]


def test_a_credit_outside_every_window_has_no_acceptance() -> None:
    before = credit(date(2019, 5, 1), "3", types=("sdms",))
    assert credit_acceptance(obligations(HOLDER, [before], today=TODAY), before.credit_id) == []
