"""Reminders and calendar links from the portal's staff pages, through the same use cases as the
JSON API: one person from their page, everyone a filtered list shows from the list, each after a
confirmation step; the limits (one a person a day, ``PER_HOUR`` an organisation) are readable
messages; a person's calendar link is made (shown once) and revoked, each after a confirmation
(a new link stops the earlier one)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.e2e.conftest import Org
from tests.e2e.test_people import own_record
from tests.e2e.test_reminders_now import two_employees_one_reminder_an_hour

pytestmark = pytest.mark.e2e


def is_page(response: Any) -> bool:
    return str(response.headers["content-type"]).startswith("text/html")


async def reminders_recorded(org: Org) -> int:
    found = await org.owner.get(
        "/api/v1/audit/events?event_type=notifications.ManualReminderQueued"
    )
    return len(found.json()["events"])


async def test_a_person_is_reminded_from_their_page_after_a_confirmation(org: Org) -> None:
    employee, _ = await org.member("employee")
    person_id = await own_record(employee, "Nia Okafor")
    shown = await org.owner.get(f"/staff/{person_id}")
    assert f'action="/staff/{person_id}/reminder"' in shown.text

    asked = await org.owner.post(f"/staff/{person_id}/reminder", data={})
    assert asked.status_code == 200, asked.text
    assert "Yes, send the reminder" in asked.text
    assert await reminders_recorded(org) == 0

    sent = await org.owner.post(f"/staff/{person_id}/reminder", data={"confirmed": "yes"})
    assert sent.status_code == 200, sent.text
    assert is_page(sent)
    assert "Reminder sent to 1 person" in sent.text
    assert "Nia Okafor" in sent.text
    assert await reminders_recorded(org) == 1

    again = await org.owner.post(f"/staff/{person_id}/reminder", data={"confirmed": "yes"})
    assert again.status_code == 200, again.text
    assert "Already reminded today" in again.text
    assert await reminders_recorded(org) == 1
    refused = await employee.post(f"/staff/{person_id}/reminder", data={"confirmed": "yes"})
    assert refused.status_code == 403
    assert is_page(refused)


async def test_a_filtered_list_is_reminded_keeping_its_filters(org: Org) -> None:
    employee, _ = await org.member("employee")
    await own_record(employee, "Nia Okafor")
    await org.owner.post("/api/v1/people", json={"full_name": "Ines Brandt"})
    await org.owner.post("/api/v1/people", json={"full_name": "Tom Wu"})
    listed = await org.owner.get("/staff?q=n")
    form = re.search(r'<form[^>]*action="/staff/reminders".*?</form>', listed.text, re.S)
    assert form, "the list offers to remind everyone it shows"
    assert 'name="q" value="n"' in form.group(0)

    asked = await org.owner.post("/staff/reminders", data={"q": "n"})
    assert asked.status_code == 200, asked.text
    assert "Yes, send the reminders" in asked.text
    assert 'name="q" value="n"' in asked.text
    done = await org.owner.post("/staff/reminders", data={"q": "n", "confirmed": "yes"})
    assert done.status_code == 200, done.text
    flat = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", done.text)).split())
    assert "Reminder sent to 1 person" in flat
    assert "No sign-in to mail Ines Brandt" in flat
    assert "Tom Wu" not in flat
    bad = await org.owner.post("/staff/reminders", data={"status": "great", "confirmed": "yes"})
    assert bad.status_code == 400
    assert await reminders_recorded(org) == 1


async def test_the_hourly_limit_is_a_readable_message_that_sends_nothing(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, other = await two_employees_one_reminder_an_hour(org, monkeypatch)
    await org.owner.post(f"/staff/{one}/reminder", data={"confirmed": "yes"})
    refused = await org.owner.post(f"/staff/{other}/reminder", data={"confirmed": "yes"})
    assert refused.status_code == 429
    assert is_page(refused)
    assert "at most 1 reminders an hour" in html.unescape(refused.text)
    assert "Nothing was sent" in refused.text
    assert await reminders_recorded(org) == 1


async def test_a_calendar_link_is_made_shown_once_and_revoked_after_a_confirmation(
    org: Org,
) -> None:
    employee, _ = await org.member("employee")
    person_id = await own_record(employee, "Nia Okafor")
    asked_first = await org.owner.post(f"/staff/{person_id}/calendar", data={})
    assert asked_first.status_code == 200, asked_first.text
    assert "Make a new calendar link for Nia Okafor?" in asked_first.text
    assert "stops working" in asked_first.text
    assert "/calendar/" not in asked_first.text.replace(f"/staff/{person_id}/calendar", "")
    made = await org.owner.post(f"/staff/{person_id}/calendar", data={"confirmed": "yes"})
    assert made.status_code == 201, made.text
    [link] = re.findall(r'value="(http[^"]*/calendar/[^"]+\.ics)"', made.text)
    path = "/" + link.split("/", 3)[3]
    feed = await org.owner.get(path)
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")

    asked = await org.owner.post(f"/staff/{person_id}/calendar/revocation", data={})
    assert asked.status_code == 200, asked.text
    assert "Yes, revoke the link" in asked.text
    assert (await org.owner.get(path)).status_code == 200
    revoked = await org.owner.post(
        f"/staff/{person_id}/calendar/revocation",
        data={"confirmed": "yes"},
        follow_redirects=False,
    )
    assert revoked.status_code == 303, revoked.text
    assert (await org.owner.get(path)).status_code == 404
