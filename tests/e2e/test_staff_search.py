"""The staff list's search and site filter over HTTP (the portal's staff page uses the same
query): text found in a name, email or employee number, case aside; exact sites."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Org

pytestmark = pytest.mark.e2e


async def test_the_staff_list_is_searched_and_filtered_by_site(org: Org) -> None:
    for body in (
        {"full_name": "Ada Vance", "site": "North", "employee_number": "E-17"},
        {"full_name": "Bo Lindqvist", "site": "South"},
        {"full_name": "Cy Moreau", "site": "North"},
    ):
        assert (await org.owner.post("/api/v1/people", json=body)).status_code == 201

    async def names(**params: str) -> list[str]:
        found = await org.owner.get("/api/v1/staff", params=params)
        assert found.status_code == 200, found.text
        return [m["full_name"] for m in found.json()["items"]]

    assert await names(search="lindQ") == ["Bo Lindqvist"]
    assert await names(search="e-1") == ["Ada Vance"]
    assert await names(site="North") == ["Ada Vance", "Cy Moreau"]
    assert await names(site="North", search="moreau") == ["Cy Moreau"]
    assert await names(search="nobody") == []
    too_long = await org.owner.get("/api/v1/staff", params={"search": "x" * 201})
    assert too_long.status_code == 400
