"""The calendar feed over HTTP: a secret link per person to their deadlines as .ics, read
without a session; a new link or a revocation makes the old one 404; only the person, owners
and admins make or revoke it; another organisation's people do not exist."""

from __future__ import annotations

from typing import Any

import pytest
from icalendar import Calendar
from litestar.testing import AsyncTestClient

from domain.vocabulary import STATUSES
from services.core.settings import Settings
from tests.e2e.conftest import Org, connected_client
from tests.e2e.test_people import own_record

pytestmark = pytest.mark.e2e


async def _link(client: AsyncTestClient[Any], person_id: str) -> str:
    made = await client.post(f"/api/v1/people/{person_id}/calendar")
    assert made.status_code == 201, made.text
    assert made.json()["person_id"] == person_id
    return f"/calendar/{made.json()['token']}.ics"


async def test_a_person_s_deadlines_are_a_feed_behind_a_revocable_secret_link(
    org: Org, migrated: Settings
) -> None:
    employee, _ = await org.member("employee")
    person_id = await own_record(employee, "Nia Okafor")
    obligations = (await employee.get(f"/api/v1/people/{person_id}/obligations")).json()
    current = next(o for o in obligations if o["period"] == "current")
    link = await _link(employee, person_id)

    async with connected_client(migrated) as anonymous:
        feed = await anonymous.get(link)
        assert feed.status_code == 200, feed.text
        assert feed.headers["content-type"].startswith("text/calendar")
        events = Calendar.from_ical(feed.content).walk("VEVENT")
        assert [(str(e["summary"]), e["dtstart"].dt.isoformat()) for e in events] == [
            (f"ARDMS CE deadline: {STATUSES[current['status']]}", current["deadline"])
        ]
        assert "credits still needed" in str(events[0]["description"])

        newer = await _link(org.owner, person_id)
        assert (await anonymous.get(link)).status_code == 404, "a new link ends the old one"
        assert (await anonymous.get(newer)).status_code == 200
        revoked = await employee.delete(f"/api/v1/people/{person_id}/calendar")
        assert revoked.status_code == 204
        assert (await anonymous.get(newer)).status_code == 404
        for unknown in ("/calendar/nothing.ics", "/calendar/" + "x" * 500 + ".ics"):
            assert (await anonymous.get(unknown)).status_code == 404


async def test_only_the_person_owners_and_admins_make_the_link(org: Org) -> None:
    employee, _ = await org.member("employee")
    person_id = await own_record(employee, "Nia Okafor")
    colleague, _ = await org.member("employee")
    auditor, _ = await org.member("auditor")
    for other in (colleague, auditor):
        assert (await other.post(f"/api/v1/people/{person_id}/calendar")).status_code == 403
        assert (await other.delete(f"/api/v1/people/{person_id}/calendar")).status_code == 403
    admin, _ = await org.member("admin")
    await _link(admin, person_id)
