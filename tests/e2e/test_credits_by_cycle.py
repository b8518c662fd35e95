"""Credits by cycle: the employee's credits page groups credits by the cycle they fall in, with
each cycle's totals; a credit of a finished cycle counts there and is not refused by the current
one; a credit outside every cycle is said once, neutrally."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import Org
from tests.payloads import CREDIT

pytestmark = pytest.mark.e2e

# ARDMS, first credential 2021-06-10: previous period to 2024-12-31, current 2025..2027 [A5]
DATED = {"Finished-cycle course": "2023-05-01", "Current course": "2026-03-01"}
BEFORE = {"Course before the first period": "2019-05-01"}


def section(page: str, key: str) -> str:
    found = re.search(rf'<section[^>]*data-cycle="{key}".*?</section>', page, re.DOTALL)
    assert found, key
    return found.group(0)


async def test_credits_are_grouped_by_the_cycle_they_fall_in_with_totals(org: Org) -> None:
    employee, _ = await org.member("employee")
    created = await employee.post("/api/v1/people", json={"full_name": "Nia Okafor"})
    person_id = created.json()["person_id"]
    held = {"body": "ARDMS", "code": "RDMS", "earned_on": "2021-06-10"}
    assert (await employee.post(f"/api/v1/people/{person_id}/credentials", json=held)).is_success
    for title, day in {**DATED, **BEFORE}.items():
        credit: dict[str, Any] = {**CREDIT, "title": title, "completed_on": day, "credits": "3"}
        recorded = await employee.post(f"/api/v1/people/{person_id}/credits", json=credit)
        assert recorded.status_code == 201, recorded.text

    page = (await employee.get("/credits")).text
    previous, current = section(page, "ARDMS-previous"), section(page, "ARDMS-current")
    assert "Finished-cycle course" in previous
    assert "Current course" not in previous
    assert "Current course" in current
    assert "Finished-cycle course" not in current
    assert "not counted" not in previous + current
    for cycle in (previous, current):
        assert "3 of 30 credits counted" in cycle
        assert "3 awaiting a certificate check" in cycle
    outside = section(page, "outside")
    assert "Course before the first period" in outside
    assert "Course before the first period" not in previous + current
    assert page.count("fall outside every cycle shown") == 1
    assert "not counted" not in outside
