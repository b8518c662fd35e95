"""Pages changed for people in a hurry, at a desktop's (1366 px) and a phone's (390 px) width:
the pace chart's labels stay readable on a phone, and the staff list sorts by deadline."""

from __future__ import annotations

import pytest

from services.api.auth import SESSION_COOKIE
from tests.browser.conftest import Account, Api, Browse
from tests.e2e.test_staff import staggered_deadlines

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}
READABLE_PX = 12

RENDERED_LABEL_SIZES = """() => [...document.querySelectorAll('.chart__label')].map(label => {
  const ctm = label.getScreenCTM();
  return parseFloat(getComputedStyle(label).fontSize) * Math.hypot(ctm.a, ctm.b);
})"""


def test_the_pace_charts_labels_are_readable_on_a_phone(browse: Browse, api: Api) -> None:
    browse.sign_in_as(api.employee())
    for width, viewport in (("desktop", DESKTOP), ("phone", {"width": 390, "height": 844})):
        browse.page.set_viewport_size(viewport)
        browse.goto("/dashboard")
        sizes = browse.page.evaluate(RENDERED_LABEL_SIZES)
        assert sizes, "the dashboard shows a pace chart"
        assert min(sizes) >= READABLE_PX, (width, sizes)
        browse.shot(f"pace-chart-{width}")


def test_the_staff_list_sorts_by_deadline_on_desktop_and_phone(browse: Browse, api: Api) -> None:
    with api.organisation() as owner:
        roster = staggered_deadlines(6)
        imported = owner.post(
            "/api/v1/staff/import", content=roster, headers={"content-type": "text/csv"}
        )
        assert imported.status_code == 200, imported.text
        by_deadline = owner.get("/api/v1/staff", params={"sort": "deadline"}).json()["items"]
        account = Account(
            email="", session=owner.cookies[SESSION_COOKIE], person_id="", organisation_id=""
        )
    browse.sign_in_as(account)
    for width, viewport in (("desktop", DESKTOP), ("phone", {"width": 390, "height": 844})):
        browse.page.set_viewport_size(viewport)
        browse.goto("/staff")
        browse.page.get_by_role("link", name="Sort by deadline, soonest first").click()
        browse.check()
        rows = browse.page.locator("table.staff-table tbody th[scope=row] a")
        assert rows.all_inner_texts() == [p["full_name"] for p in by_deadline]
        heading = browse.page.locator("th[aria-sort=ascending]")
        assert heading.inner_text() == "Deadline"
        browse.shot(f"staff-by-deadline-{width}")
