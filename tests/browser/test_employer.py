"""The employer and auditor pages in a real browser: the overview, the staff list and a person's
record, invitations, the CSV import, the review queue, the compliance report, auditor access,
settings and mail preferences, and the auditor's timeline, person history and chain status.
Every page is checked (console, axe) and kept as a screenshot."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.api.auth import SESSION_COOKIE
from tests.browser.conftest import PASSWORD, Account, Api, Browse, unique
from tests.browser.test_portal import focused
from tests.certificate_files import png
from tests.payloads import CREDIT

pytestmark = pytest.mark.e2e


def signed_in(client: httpx.Client, email: str, person_id: str = "") -> Account:
    me = client.get("/api/v1/me").json()
    return Account(
        email=email,
        session=client.cookies[SESSION_COOKIE],
        person_id=person_id,
        organisation_id=me["organisation_id"],
    )


@contextmanager
def organisation(api: Api) -> Iterator[tuple[httpx.Client, Account]]:
    """A new organisation's owner (client and account)."""
    with api.organisation() as owner:
        yield owner, signed_in(owner, owner.get("/api/v1/me").json()["email"])


def at_the_lab(browse: Browse, api: Api, path: str) -> tuple[Page, dict[str, str], Account]:
    """The owner of a new organisation with the ``lab`` staff, signed in and at ``path``."""
    with organisation(api) as (owner, account):
        people = lab(owner)
    browse.sign_in_as(account)
    return browse.goto(path), people, account


def staff(owner: httpx.Client, name: str, department: str, site: str, code: str = "RVT") -> str:
    created = owner.post(
        "/api/v1/people", json={"full_name": name, "department": department, "site": site}
    )
    assert created.status_code == 201, created.text
    person_id = str(created.json()["person_id"])
    held = owner.post(
        f"/api/v1/people/{person_id}/credentials",
        json={"body": "ARDMS", "code": code, "earned_on": "2024-03-15"},
    )
    assert held.status_code == 201, held.text
    return person_id


def lab(owner: httpx.Client) -> dict[str, str]:
    """Three technologists in two departments; Ada has a credit with a certificate."""
    people = {
        "ada": staff(owner, "Ada Vance", "Vascular", "North Campus"),
        "bo": staff(owner, "Bo Lindqvist", "Vascular", "South Clinic"),
        "cy": staff(owner, "Cy Moreau", "Echo", "North Campus", code="RDCS"),
    }
    recorded = owner.post(f"/api/v1/people/{people['ada']}/credits", json=CREDIT)
    assert recorded.status_code == 201, recorded.text
    people["credit"] = recorded.json()["credit"]["credit_id"]
    uploaded = owner.post(
        f"/api/v1/people/{people['ada']}/certificates",
        files={"file": ("carotid.png", png(320, 200), "image/png")},
        data={"credit_id": people["credit"]},
    )
    assert uploaded.status_code == 201, uploaded.text
    people["certificate"] = uploaded.json()["certificate"]["certificate_id"]
    return people


def joined(api: Api, owner: httpx.Client, role: str, **body: Any) -> tuple[httpx.Client, Account]:
    """A new member with ``role`` who accepted the owner's invitation (an open client)."""
    address = f"{unique(role)}@example.org"
    sent = owner.post("/api/v1/invitations", json={"email": address, "role": role, **body})
    assert sent.status_code == 201, sent.text
    client = httpx.Client(base_url=api.base_url, timeout=10)
    client.get("/health")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    accepted = client.post(
        "/api/v1/invitations/accept",
        json={"token": sent.json()["accept_token"], "password": PASSWORD},
    )
    assert accepted.status_code == 200, accepted.text
    return client, signed_in(client, address)


def in_a_month() -> str:
    return (datetime.now(UTC) + timedelta(days=30)).isoformat()


def row_of(page: Page, text: str) -> Any:
    return page.get_by_role("row").filter(has_text=text)


def test_the_overview_counts_the_current_cycles_by_status_body_department_and_site(
    browse: Browse, api: Api
) -> None:
    with organisation(api) as (owner, account):
        people = lab(owner)
        summary = owner.get("/api/v1/organisation/summary").json()
    browse.sign_in_as(account)
    page = browse.goto("/organisation")
    browse.shot("organisation-overview")

    tiles = page.get_by_role("list", name="People by standing")
    for status, label in (("on_track", "On track"), ("at_risk", "At risk")):
        expect(tiles.get_by_role("link", name=re.compile(label))).to_contain_text(
            str(summary["by_status"].get(status, 0))
        )
    for chart in ("certifying body", "department", "site"):
        region = page.get_by_role("region", name=f"Current cycles by {chart}")
        expect(region.get_by_role("img")).to_be_visible()
    departments = page.get_by_role("region", name="Current cycles by department")
    expect(row_of(departments, "Vascular").locator("td").last).to_have_text("2")
    expect(row_of(departments, "Echo").locator("td").last).to_have_text("1")
    deadlines = page.get_by_role("region", name="Next deadlines needing action")
    expect(deadlines.get_by_role("link", name="Bo Lindqvist")).to_be_visible()

    page.get_by_role("region", name="Current cycles by department").get_by_role(
        "link", name="Vascular"
    ).click()
    expect(page).to_have_url(re.compile(r"/staff\?department=Vascular$"))
    browse.check()
    results = page.get_by_role("region", name=re.compile("people"))
    expect(results.get_by_role("link", name="Ada Vance")).to_be_visible()
    expect(results.get_by_role("link", name="Cy Moreau")).to_have_count(0)
    assert people["ada"]


def test_the_staff_list_filters_and_searches_and_a_record_shows_what_its_person_sees(
    browse: Browse, api: Api
) -> None:
    page, people, account = at_the_lab(browse, api, "/staff")
    browse.shot("staff-list")
    page.get_by_label("Search").fill("moreau")
    page.get_by_role("button", name="Show").click()
    browse.check()
    found = page.get_by_role("region", name=re.compile("1 person"))
    expect(found.get_by_role("link", name="Cy Moreau")).to_be_visible()
    expect(page.get_by_label("Search")).to_have_value("moreau")

    browse.expect_refusal(400)
    browse.goto("/staff?status=great")
    expect(page.get_by_role("alert")).to_contain_text("Choose the status")

    browse.goto("/staff?site=North+Campus")
    page.get_by_role("link", name="Ada Vance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Vance")
    browse.shot("staff-person")
    expect(page.get_by_role("heading", name="Current cycles")).to_be_visible()
    expect(page.locator(".card").first).to_contain_text("ARDMS")
    expect(page.get_by_role("region", name="Credits")).to_contain_text(str(CREDIT["title"]))
    expect(page.get_by_role("link", name=re.compile("Certificate carotid.png"))).to_have_attribute(
        "href", f"/reviews/{people['certificate']}"
    )

    page.get_by_label("Department").fill("Vascular Lab")
    page.get_by_role("button", name="Save the placement").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    browse.check()
    expect(page.get_by_label("Department")).to_have_value("Vascular Lab")

    browse.expect_refusal(422)
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the reason")
    browse.check()
    page.get_by_label("Reason").fill("Left for another hospital")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Ada Vance?")
    browse.check()
    page.get_by_role("button", name="Yes, deactivate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deactivated")
    browse.check()
    browse.goto("/staff")
    expect(page.get_by_role("link", name="Ada Vance")).to_have_count(0)
    page.get_by_label("Who").select_option("deactivated")
    page.get_by_role("button", name="Show").click()
    browse.check()
    page.get_by_role("link", name="Ada Vance").click()
    browse.check()
    page.get_by_label("Reason").fill("Came back after a year away")
    page.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Vance")
    browse.check()
    with api.client(account) as client:
        history = client.get(
            "/api/v1/audit/events", params={"stream_id": f"person-{people['ada']}"}
        ).json()["events"]
    assert [e["data"].get("reason") for e in history[-2:]] == [
        "Left for another hospital",
        "Came back after a year away",
    ]


def test_an_invitation_refused_keeps_what_was_typed_and_a_sent_one_shows_its_link_once(
    browse: Browse, api: Api
) -> None:
    with organisation(api) as (owner, account):
        taken = f"{unique('taken')}@example.org"
        assert owner.post("/api/v1/invitations", json={"email": taken}).status_code == 201
    browse.sign_in_as(account)
    page = browse.goto("/staff/invite")
    browse.shot("staff-invite")

    browse.expect_refusal(422)
    page.get_by_label("Email address").fill(taken)
    page.get_by_label("Full name").fill("Dee Okoro")
    page.get_by_label("Department").fill("Echo")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("open invitation")
    expect(page.get_by_label("Full name")).to_have_value("Dee Okoro")
    expect(page.get_by_label("Department")).to_have_value("Echo")
    browse.check()

    address = f"{unique('dee')}@example.org"
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Role").select_option("admin")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("heading", name=f"Invitation sent to {address}")).to_be_visible()
    browse.check()
    shown = page.get_by_label("Invitation link").input_value()
    assert browse.app.mail.link(address, "accept-invitation") == shown
    opened = page.get_by_role("region", name="Open invitations")
    expect(opened.get_by_role("row").filter(has_text=address)).to_contain_text("Administrator")

    opened.get_by_role("button", name=f"Revoke the invitation of {address}").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    browse.check()
    expect(page.get_by_role("region", name="Open invitations")).not_to_contain_text(address)


def test_a_csv_import_is_previewed_with_its_row_errors_before_it_is_applied(
    browse: Browse, api: Api
) -> None:
    with organisation(api) as (_, account):
        pass
    roster = (
        "employee_number,email,full_name,department,site,birth_month,registry_ids,credentials\n"
        "E-1,maria@example.org,Maria Okafor,Vascular,North,,ARDMS:1234567,ARDMS:RVT:2019-05-01\n"
        "E-2,dev@example.org,Dev Patel,Echo,North,13,,ARRT:R:2015-06-01\n"
        "E-3,,Sam Reyes,General,South,,,ARDMS:RDMS:2020-02-10:AB\n"
    )
    browse.sign_in_as(account)
    page = browse.goto("/staff/import")
    browse.shot("staff-import")

    browse.expect_refusal(422)
    page.get_by_label("CSV file").set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": png(10, 10)}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("not a CSV text file")
    browse.check()

    page.get_by_label("CSV file").set_input_files(
        {"name": "staff.csv", "mimeType": "text/csv", "buffer": roster.encode()}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    browse.shot("staff-import-preview")
    rows = page.get_by_role("table", name=re.compile("Row by row"))
    expect(row_of(rows, "Dev Patel")).to_contain_text("birth_month must be 1-12")
    expect(row_of(rows, "Maria Okafor")).to_contain_text("New person")
    assert owner_staff(api, account) == []

    page.get_by_role("button", name="Import the valid rows only").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff imported")
    expect(page.get_by_role("status")).to_contain_text("2 new")
    browse.check()
    assert owner_staff(api, account) == ["Maria Okafor", "Sam Reyes"]


def owner_staff(api: Api, account: Account) -> list[str]:
    with api.client(account) as client:
        listed = client.get("/api/v1/staff", params={"sort": "name"})
        return [p["full_name"] for p in listed.json()["items"]]


def test_a_reviewer_sees_the_certificate_beside_what_was_read_and_decides(
    browse: Browse, api: Api
) -> None:
    page, people, account = at_the_lab(browse, api, "/reviews")
    browse.shot("reviews-queue")
    page.get_by_role("link", name="Awaiting check").click()
    browse.check()
    page.get_by_role("link", name="carotid.png").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate of Ada Vance")
    preview = page.get_by_role("img", name="Certificate carotid.png as uploaded")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.decode().then(() => img.naturalWidth)") == 320
    browse.shot("review-certificate")
    compared = page.get_by_role("table").filter(has_text="Declared")
    expect(row_of(compared, "Title")).to_contain_text(str(CREDIT["title"]))

    browse.expect_refusal(422)
    page.get_by_label("Title").fill(str(CREDIT["title"]))
    page.get_by_label("Credits").fill("1.25")
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why the fields are corrected")
    expect(page.get_by_label("Credits")).to_have_value("1.25")
    browse.check()

    page.get_by_label("Reason").fill("Read the certificate by eye: it matches the declared credit")
    browse.press("Approve", "Decision recorded")
    with api.client(account) as client:
        decided = client.get(f"/api/v1/certificates/{people['certificate']}").json()
    assert decided["certificate"]["status"] == "verified"
    assert decided["certificate"]["fields"]["credits"] == "1.25"
    assert decided["declared"]["verification"] == "verified"


def test_the_compliance_report_is_read_on_the_page_and_taken_away_as_csv(
    browse: Browse, api: Api
) -> None:
    page, _, account = at_the_lab(browse, api, "/reports")
    browse.shot("compliance-report")
    report = page.get_by_role("region", name=re.compile("Standing on"))
    expect(report.get_by_role("link", name="Cy Moreau")).to_be_visible()

    page.get_by_label("Department").select_option("Echo")
    page.get_by_role("button", name="Show the report").click()
    browse.check()
    expect(page.get_by_role("heading", name=re.compile("department Echo"))).to_be_visible()
    expect(page.get_by_role("link", name="Ada Vance")).to_have_count(0)

    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download the CSV").click()
    rows = list(csv.DictReader(io.StringIO(downloading.value.path().read_text())))
    assert {r["full_name"] for r in rows} == {"Cy Moreau"}
    with api.client(account) as client:
        exports = client.get(
            "/api/v1/audit/events", params={"event_type": "audits.ComplianceReportExported"}
        ).json()["events"]
    assert [(e["data"]["format"], e["data"]["department"]) for e in exports] == [("csv", "Echo")]

    browse.expect_refusal(422)
    future = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    page.get_by_label("Standing on", exact=True).fill(future)
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_role("alert")).to_contain_text("the future is not recorded yet")
    expect(page.get_by_label("Standing on", exact=True)).to_have_value(future)
    browse.check()


def test_the_owner_grants_extends_and_ends_auditor_access_and_manages_roles(
    browse: Browse, api: Api
) -> None:
    with organisation(api) as (owner, account):
        employee, colleague = joined(api, owner, "employee")
        employee.close()
    browse.sign_in_as(account)
    page = browse.goto("/access")
    browse.shot("auditor-access")

    browse.expect_refusal(422)
    address = f"{unique('auditor')}@example.org"
    page.get_by_label("Auditor's email address").fill(address)
    too_late = (datetime.now(UTC) + timedelta(days=400)).date().isoformat()
    page.get_by_label("Last day of access").fill(too_late)
    page.get_by_role("button", name="Grant access").click()
    expect(page.get_by_role("alert")).to_contain_text("at most a year")
    expect(page.get_by_label("Auditor's email address")).to_have_value(address)
    browse.check()

    last_day = (datetime.now(UTC) + timedelta(days=20)).date()
    page.get_by_label("Last day of access").fill(last_day.isoformat())
    page.get_by_role("button", name="Grant access").click()
    expect(page.get_by_role("heading", name=f"Access granted to {address}")).to_be_visible()
    browse.check()
    token = page.get_by_label("Invitation link").input_value().rpartition("token=")[2]
    with api.client() as auditor:
        accepted = auditor.post(
            "/api/v1/invitations/accept", json={"token": token, "password": PASSWORD}
        )
        assert accepted.status_code == 200, accepted.text

    browse.goto("/access")
    auditors = page.get_by_role("region", name="Auditors")
    expect(row_of(auditors, address)).to_contain_text(f"the end of {last_day.day}")
    later = last_day + timedelta(days=10)
    row_of(auditors, address).get_by_label(f"Last day of access for {address}").fill(
        later.isoformat()
    )
    row_of(auditors, address).get_by_role("button", name=re.compile("Extend")).click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    browse.check()
    expect(row_of(auditors, address)).to_contain_text(f"the end of {later.day}")
    row_of(auditors, address).get_by_role("button", name=re.compile("End access now")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"End the access of {address}?")
    browse.shot("confirm-end-access")
    page.get_by_role("link", name="No, go back").click()
    expect(row_of(auditors, address)).to_contain_text(f"the end of {later.day}")
    browse.check()
    row_of(auditors, address).get_by_role("button", name=re.compile("End access now")).click()
    browse.check()
    page.get_by_role("button", name="Yes, end access now").click()
    expect(row_of(page.get_by_role("region", name="Auditors"), address)).to_contain_text("Ended")
    browse.check()

    page.get_by_role("link", name="Settings").click()
    browse.shot("organisation-settings")
    members = page.get_by_role("region", name="Members and roles")
    row_of(members, colleague.email).get_by_label(f"Role of {colleague.email}").select_option(
        "admin"
    )
    row_of(members, colleague.email).get_by_role("button", name=re.compile("Change")).click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    browse.check()
    expect(page.get_by_label(f"Role of {colleague.email}")).to_have_value("admin")

    browse.expect_refusal(422)
    page.get_by_label(f"Role of {account.email}").select_option("employee")
    row_of(members, account.email).get_by_role("button", name=re.compile("Change")).click()
    expect(page.get_by_role("alert")).to_contain_text("at least one owner")
    expect(page.get_by_label(f"Role of {account.email}")).to_have_value("employee")
    browse.check()
    with api.client(account) as client:
        assert client.get("/api/v1/me").json()["role"] == "owner"

    browse.goto("/mail-preferences")
    browse.shot("mail-preferences")
    page.get_by_label("Weekly digest").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    browse.check()
    expect(page.get_by_label("Weekly digest")).not_to_be_checked()
    expect(page.get_by_label("Deadline reminders")).to_be_checked()


def test_an_auditor_reads_the_history_a_persons_past_standing_and_the_chain(
    browse: Browse, api: Api
) -> None:
    with organisation(api) as (owner, _):
        people = lab(owner)
        auditor, account = joined(api, owner, "auditor", access_until=in_a_month())
        auditor.close()
    browse.sign_in_as(account)
    page = browse.goto("/organisation")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Settings")).to_have_count(0)
    browse.goto(f"/staff/{people['ada']}")
    expect(page.get_by_role("button", name="Deactivate")).to_have_count(0)
    browse.goto(f"/reviews/{people['certificate']}")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)

    browse.goto("/audit")
    browse.shot("audit-timeline")
    events = page.get_by_role("table", name="Events in the order they were recorded")
    expect(row_of(events, "Credit recorded")).to_contain_text("Ada Vance")
    page.get_by_label("Person").fill("o")
    page.get_by_role("button", name="Show").click()
    browse.check()
    found = page.get_by_role("region", name=re.compile("People matching"))
    found.get_by_role("link", name="Bo Lindqvist").click()
    browse.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of Bo Lindqvist")
    about = events.locator("tbody tr td:nth-child(4)")
    expect(about.first).to_have_text("Bo Lindqvist")
    assert set(about.all_inner_texts()) == {"Bo Lindqvist"}
    browse.goto("/audit")
    page.get_by_label("Person").fill("Ada Vance")
    page.get_by_role("button", name="Show").click()
    browse.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of Ada Vance")
    browse.goto("/audit")
    page.get_by_label("Event type").select_option("credits.CreditRecorded")
    page.get_by_role("button", name="Show").click()
    browse.check()
    expect(events.locator("tbody tr")).to_have_count(1)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    page.get_by_label("From (day, UTC)").fill(tomorrow)
    page.get_by_role("button", name="Show").click()
    browse.check()
    expect(page.get_by_role("heading", name="No events")).to_be_visible()

    browse.goto(f"/audit/people/{people['ada']}")
    browse.shot("audit-person")
    expect(page.get_by_role("heading", level=1)).to_have_text("History of Ada Vance")
    expect(page.get_by_role("table")).to_contain_text("Certificate uploaded")
    page.get_by_label("Moment (UTC time)").fill(
        (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Show the standing then").click()
    browse.check()
    expect(page.get_by_role("region", name="Standing as recorded at a moment")).to_contain_text(
        "ARDMS"
    )

    browse.goto("/audit/chain")
    browse.shot("audit-chain")
    verdict = page.get_by_role("heading", name=re.compile(r"Verified up to event \d+"))
    expect(verdict).to_be_visible()
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the audit bundle (ZIP)").click()
    with zipfile.ZipFile(downloading.value.path()) as bundle:
        assert "manifest.json" in bundle.namelist()

    browse.expect_refusal(403)
    browse.goto("/staff/invite")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")


def test_the_employer_pages_fit_a_phone_and_a_decision_can_be_made_by_keyboard(
    browse: Browse, api: Api
) -> None:
    with organisation(api) as (owner, account):
        people = lab(owner)
    browse.sign_in_as(account)
    browse.phone()
    for path in (
        "/organisation",
        "/staff",
        f"/staff/{people['ada']}",
        f"/reviews/{people['certificate']}",
        "/reports",
        "/audit",
        "/access",
        "/settings",
    ):
        browse.goto(path)
    browse.goto("/organisation")
    browse.shot("organisation-overview-phone")
    browse.goto("/audit?name=o")
    browse.shot("audit-people-found-phone")

    browse.page.set_viewport_size({"width": 1280, "height": 900})
    page = browse.goto(f"/reviews/{people['certificate']}")
    page.get_by_label("Title").fill(str(CREDIT["title"]))
    page.get_by_label("Credits").fill("1.25")
    page.get_by_label("Reason").fill("Read by eye: the certificate matches the declared credit")
    page.get_by_label("Reason").focus()
    page.keyboard.press("Tab")
    now = focused(page)
    assert now["name"] == "Approve", now
    assert now["outline"] != "none" or now["shadow"] != "none", f"no visible focus: {now}"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Decision recorded")
    browse.check()
