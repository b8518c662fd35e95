"""Pages changed for people in a hurry, at a desktop's (1366 px) and a phone's (390 px) width:
the pace chart's labels stay readable on a phone, the staff list sorts by deadline, and a
person is sent a reminder and given a calendar link from their page, and the moments typed on
the access and history pages name the organisation's time zone."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from services.api.auth import SESSION_COOKIE
from tests.browser.conftest import Account, Api, Browse
from tests.e2e.test_staff import staggered_deadlines

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
READABLE_PX = 12

RENDERED_LABEL_SIZES = """() => [...document.querySelectorAll('.chart__label')].map(label => {
  const ctm = label.getScreenCTM();
  return parseFloat(getComputedStyle(label).fontSize) * Math.hypot(ctm.a, ctm.b);
})"""


def each_width(browse: Browse) -> Iterator[str]:
    """Set the page to a desktop, then a phone viewport, naming each for its screenshots."""
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        browse.page.set_viewport_size(viewport)
        yield width


def as_owner(owner: httpx.Client) -> Account:
    """The owner's session, for the browser."""
    return Account(
        email="", session=owner.cookies[SESSION_COOKIE], person_id="", organisation_id=""
    )


def test_the_pace_charts_labels_are_readable_on_a_phone(browse: Browse, api: Api) -> None:
    browse.sign_in_as(api.employee())
    for width in each_width(browse):
        browse.goto("/dashboard")
        sizes = browse.page.evaluate(RENDERED_LABEL_SIZES)
        assert sizes, "the dashboard shows a pace chart"
        assert min(sizes) >= READABLE_PX, (width, sizes)
        browse.shot(f"pace-chart-{width}")


def test_the_staff_list_sorts_by_deadline_by_default_on_desktop_and_phone(
    browse: Browse, api: Api
) -> None:
    with api.organisation() as owner:
        roster = staggered_deadlines(6)
        imported = owner.post(
            "/api/v1/staff/import", content=roster, headers={"content-type": "text/csv"}
        )
        assert imported.status_code == 200, imported.text
        by_deadline = owner.get("/api/v1/staff", params={"sort": "deadline"}).json()["items"]
    browse.sign_in_as(as_owner(owner))
    for width in each_width(browse):
        browse.goto("/staff")
        rows = browse.page.locator("table.staff-table tbody th[scope=row] a")
        assert rows.all_inner_texts() == [p["full_name"] for p in by_deadline], "the default"
        heading = browse.page.locator("th[aria-sort=ascending]")
        assert heading.inner_text() == "Deadline"
        browse.shot(f"staff-by-deadline-{width}")
        browse.follow("Sort by name", "link")
        assert rows.all_inner_texts() == sorted(p["full_name"] for p in by_deadline)
        assert heading.inner_text() == "Name"


def test_a_reminder_and_a_calendar_link_from_a_persons_page(browse: Browse, api: Api) -> None:
    with api.organisation() as owner:
        imported = owner.post(
            "/api/v1/staff/import",
            content=staggered_deadlines(1),
            headers={"content-type": "text/csv"},
        )
        assert imported.status_code == 200, imported.text
        person_id = imported.json()["report"][0]["person_id"]
    browse.sign_in_as(as_owner(owner))
    for width in each_width(browse):
        browse.goto(f"/staff/{person_id}")
        browse.shot(f"person-tools-{width}")
        browse.follow("Send a reminder now")
        browse.follow("Yes, send the reminder")
        assert browse.page.get_by_role("heading", level=1).inner_text() == (
            "Reminder sent to 0 people"
        )
        assert "No sign-in to mail" in browse.page.locator("main").inner_text()
        browse.shot(f"reminder-sent-{width}")
        browse.goto(f"/staff/{person_id}")
        browse.follow("Make a calendar link")
        browse.follow("Yes, make a new link")
        link = browse.page.get_by_label("Calendar address").input_value()
        assert link.endswith(".ics")
        browse.shot(f"calendar-link-{width}")


def test_the_access_and_history_pages_name_the_organisations_time_zone(
    browse: Browse, api: Api
) -> None:
    with api.organisation() as owner:
        zone = owner.post("/settings/time-zone", data={"time_zone": "America/Chicago"})
        assert zone.status_code == 303, zone.text
        imported = owner.post(
            "/api/v1/staff/import",
            content=staggered_deadlines(1),
            headers={"content-type": "text/csv"},
        )
        person_id = imported.json()["report"][0]["person_id"]
    browse.sign_in_as(as_owner(owner))
    for width in each_width(browse):
        browse.goto("/access")
        assert "America/Chicago time" in browse.page.locator("main").inner_text()
        browse.shot(f"access-time-zone-{width}")
        browse.goto(f"/audit/people/{person_id}")
        browse.page.get_by_label("Moment (America/Chicago time)").fill("2026-12-07T09:30")
        browse.follow("Show the standing then")
        browse.shot(f"history-time-zone-{width}")
