"""Reminders sent now by an owner or admin over HTTP: to one person or to a filtered staff list,
once a day, recorded with who sent them, rate-limited per organisation; employees are refused."""

from __future__ import annotations

import pytest

from services.core.notifications import manual
from tests.e2e.conftest import Org
from tests.e2e.test_people import own_record

pytestmark = pytest.mark.e2e


async def test_a_reminder_goes_to_one_person_once_a_day_and_is_recorded(org: Org) -> None:
    employee, _ = await org.member("employee")
    person_id = await own_record(employee, "Nia Okafor")
    sent = await org.owner.post(f"/api/v1/people/{person_id}/reminder")
    assert sent.status_code == 200, sent.text
    assert sent.json()["sent"] == ["Nia Okafor"]
    again = (await org.owner.post(f"/api/v1/people/{person_id}/reminder")).json()
    assert (again["sent"], again["already_sent_today"]) == ([], ["Nia Okafor"])
    found = await org.owner.get(
        "/api/v1/audit/events?event_type=notifications.ManualReminderQueued"
    )
    [event] = found.json()["events"]
    assert event["data"]["person_id"] == person_id
    assert event["data"]["sent_by"] == org.owner_info["user_id"]
    assert event["data"]["items"][0]["body"] == "ARDMS"
    assert (await employee.post(f"/api/v1/people/{person_id}/reminder")).status_code == 403


async def test_a_filtered_list_is_reminded_and_told_who_was_left_out_and_why(org: Org) -> None:
    employee, _ = await org.member("employee")
    await own_record(employee, "Nia Okafor")
    await org.owner.post("/api/v1/people", json={"full_name": "Ines Brandt"})
    answer = await org.owner.post("/api/v1/staff/reminders?search=n")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["sent"], answer.json()["without_account"]) == (
        ["Nia Okafor"],
        ["Ines Brandt"],
    )


async def two_employees_one_reminder_an_hour(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    """The person ids of two employees with a cycle short, ``PER_HOUR`` being 1."""
    monkeypatch.setattr(manual, "PER_HOUR", 1)
    first, _ = await org.member("employee")
    second, _ = await org.member("employee")
    return await own_record(first, "Nia Okafor"), await own_record(second, "Sam Reyes")


async def test_reminders_are_limited_per_organisation_and_hour(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, other = await two_employees_one_reminder_an_hour(org, monkeypatch)
    assert (await org.owner.post(f"/api/v1/people/{one}/reminder")).status_code == 200
    refused = await org.owner.post(f"/api/v1/people/{other}/reminder")
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "at most 1 reminders an hour" in refused.json()["detail"]
