"""The staff pages over HTTP, where a browser is not needed: deactivating and reactivating from a
person's page goes through the same use cases as the JSON API (the API sees the change, an
admin is refused an owner's record as the API refuses it), and refusals are pages."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Org
from tests.e2e.test_staff import SAMPLE, post_csv, seats, staggered_deadlines

pytestmark = pytest.mark.e2e


def is_page(response: Any) -> bool:
    return str(response.headers["content-type"]).startswith("text/html")


async def profile(client: AsyncTestClient[Any], person_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/people/{person_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_person_is_deactivated_and_reactivated_from_their_page(org: Org) -> None:
    person_id = (await post_csv(org.owner, SAMPLE)).json()["report"][0]["person_id"]
    page = f"/staff/{person_id}"

    blank = await org.owner.post(f"{page}/deactivation", data={"reason": " "})
    assert blank.status_code == 422, blank.text
    assert is_page(blank)
    assert (await profile(org.owner, person_id))["active"] is True

    asked = await org.owner.post(f"{page}/deactivation", data={"reason": "left the practice"})
    assert asked.status_code == 200, asked.text
    assert "Yes, deactivate" in asked.text
    assert 'name="reason" value="left the practice"' in asked.text
    assert (await profile(org.owner, person_id))["active"] is True

    gone = await org.owner.post(
        f"{page}/deactivation",
        data={"reason": "left the practice", "confirmed": "yes"},
        follow_redirects=False,
    )
    assert gone.status_code == 303, gone.text
    assert gone.headers["location"].startswith(page)
    assert (await profile(org.owner, person_id))["active"] is False
    assert await seats(org.owner) == {"active": 3, "deactivated": 1}

    back = await org.owner.post(
        f"{page}/reactivation", data={"reason": "rehired"}, follow_redirects=False
    )
    assert back.status_code == 303, back.text
    assert await seats(org.owner) == {"active": 4, "deactivated": 0}


async def test_refusals_are_pages_that_change_nothing(org: Org) -> None:
    owner_id = str(org.owner_info["user_id"])
    created = await org.owner.post(
        "/api/v1/people", json={"full_name": "Olu Owner", "person_id": owner_id}
    )
    assert created.status_code == 201, created.text
    admin, _ = await org.member("admin")
    auditor, _ = await org.member("auditor")

    refused = await admin.post(
        f"/staff/{owner_id}/deactivation", data={"reason": "coup", "confirmed": "yes"}
    )
    assert refused.status_code == 422, refused.text
    assert is_page(refused)
    assert "There is a problem" in refused.text
    assert (await profile(org.owner, owner_id))["active"] is True

    read_only = await auditor.post(f"/staff/{owner_id}/deactivation", data={"reason": "x"})
    assert read_only.status_code == 403
    assert is_page(read_only)
    assert (await auditor.get(f"/staff/{owner_id}")).status_code == 200

    missing = await org.owner.post(
        "/staff/00000000-0000-4000-8000-000000000000/deactivation", data={"reason": "x"}
    )
    assert missing.status_code == 404
    assert is_page(missing)
    assert await seats(org.owner) == {"active": 1, "deactivated": 0}


async def test_a_persons_page_puts_the_actions_before_the_history_and_pages_the_credits(
    org: Org,
) -> None:
    created = await org.owner.post("/api/v1/people", json={"full_name": "Ada Vance"})
    person_id = created.json()["person_id"]
    for day in range(1, 13):
        recorded = await org.owner.post(
            f"/api/v1/people/{person_id}/credits",
            json={
                "title": f"Lecture {day:02d}",
                "provider": "Gulfcoast Ultrasound Institute",
                "accrediting_organisation": "SDMS",
                "credit_types": ["sdms"],
                "completed_on": f"2026-10-{day:02d}",
                "credits": "1",
            },
        )
        assert recorded.status_code == 201, recorded.text
    first = (await org.owner.get(f"/staff/{person_id}")).text
    assert first.index('id="activity"') < first.index('id="credits"')
    assert first.index('href="#activity"') < first.index('id="credentials-heading"')
    shown = [f"Lecture {day:02d}" for day in range(1, 13) if f"Lecture {day:02d}" in first]
    assert shown == [f"Lecture {day:02d}" for day in range(3, 13)]
    assert "Page 1 of 2" in first
    older = f"/staff/{person_id}?credits=2#credits"
    assert f'href="{older}"' in first
    second = (await org.owner.get(older.partition("#")[0])).text
    assert "Lecture 01" in second
    assert "Lecture 02" in second
    assert "Lecture 12" not in second


def listed_names(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/staff/[^"]+">([^<]+)</a>', page)


def sorted_by(page: str) -> list[str]:
    """The column headings marked as the order of the list."""
    return re.findall(r'<th scope="col" aria-sort="ascending"><a href="[^"]*">([^<]+)</a>', page)


async def test_the_staff_list_sorts_by_deadline_without_javascript_keeping_the_filters(
    org: Org,
) -> None:
    assert (await post_csv(org.owner, staggered_deadlines(6, "Echo"))).json()["created"] == 6
    api = await org.owner.get("/api/v1/staff?sort=deadline&department=Echo")
    by_deadline_api = [p["full_name"] for p in api.json()["items"]]

    by_default = await org.owner.get("/staff?department=Echo")
    assert by_default.status_code == 200, by_default.text
    assert sorted_by(by_default.text) == ["Deadline"], "the API's default and the portal's"
    default_api = await org.owner.get("/api/v1/staff?department=Echo")
    assert [p["full_name"] for p in default_api.json()["items"]] == by_deadline_api
    assert listed_names(by_default.text) == by_deadline_api
    links = re.findall(r'href="([^"]*sort=name[^"]*)"', by_default.text)
    assert links, "a link sorts by name"
    assert all("department=Echo" in html.unescape(link) for link in links)

    by_name = await org.owner.get(html.unescape(links[0]))
    assert by_name.status_code == 200, by_name.text
    assert sorted_by(by_name.text) == ["Name"]
    assert listed_names(by_name.text) == [f"Person {n:02}" for n in range(1, 7)]
    assert by_deadline_api != listed_names(by_name.text), "the orders must differ"

    window = await org.owner.get("/api/v1/staff?sort=deadline&due_within_days=180")
    due_soon = [p["full_name"] for p in window.json()["items"]]
    assert due_soon, "someone must be due within 6 months"
    needs_action = await org.owner.get("/staff?due=180")
    assert needs_action.status_code == 200, needs_action.text
    assert sorted_by(needs_action.text) == ["Deadline"]
    assert listed_names(needs_action.text) == due_soon

    wrong = await org.owner.get("/staff?sort=birthday")
    assert wrong.status_code == 400
    assert "Choose the order" in wrong.text
