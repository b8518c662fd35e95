"""The whole journey in one browser, persona after persona: an owner opens the organisation,
imports the staff from CSV and invites one technologist; she joins and records a credit with its
certificate; the relay and a worker (real processes, on RabbitMQ) verify it, or the owner decides
it in the review queue; the dashboards show it; the owner grants an auditor access; the auditor
reads the timeline, checks the chain and takes the audit bundle away."""

from __future__ import annotations

import json
import re
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.api.auth import SESSION_COOKIE
from services.core.settings import Settings
from tests.broker_support import relay_and_worker
from tests.browser.conftest import PASSWORD, Account, Api, Browse, unique
from tests.verification_support import certificate_sample, cycle_birth_month

pytestmark = pytest.mark.e2e

VERIFIED_WITHIN_S = 120


def session_of(page: Page, email: str, organisation_id: str = "") -> Account:
    """The browser's current session, as an account the API helper can use."""
    [cookie] = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    return Account(
        email=email, session=cookie["value"], person_id="", organisation_id=organisation_id
    )


def sign_out(browse: Browse) -> None:
    browse.page.get_by_role("button", name="Sign out").click()
    expect(browse.page.get_by_role("status")).to_have_text("You are signed out.")
    browse.check()


def join(browse: Browse, address: str) -> None:
    """Sign out, open the invitation mailed to ``address`` and join with the password."""
    invitation = browse.app.mail.link(address, "accept-invitation")
    sign_out(browse)
    page = browse.goto(invitation.removeprefix(browse.app.base_url))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Join the organisation").click()


def test_an_owner_an_employee_and_an_auditor_go_through_the_whole_journey(
    browse: Browse,
    api: Api,
    migrated: Settings,
    tmp_path: Path,
) -> None:
    sample = certificate_sample()
    declared = sample.declared
    name = str(declared.participant_name)
    owner_email = f"{unique('owner')}@example.org"
    employee_email = f"{unique('technologist')}@example.org"
    auditor_email = f"{unique('auditor')}@example.org"
    page = browse.page

    # The owner opens the organisation.
    browse.goto("/sign-up")
    page.get_by_label("Organisation name").fill("Harbour Imaging")
    page.get_by_label("Your email address").fill(owner_email)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("button", name="Open the organisation").click()
    expect(page).to_have_url(browse.app.base_url + "/organisation")
    browse.check()

    # ... imports the staff from CSV, after reading the preview ...
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    browse.check()
    page.get_by_role("link", name="Import staff from a CSV file").click()
    browse.check()
    roster = (
        "employee_number,email,full_name,department,site,birth_month,registry_ids,credentials\n"
        f"H-1,{employee_email},{name},Breast Imaging,Harbour,{cycle_birth_month()},,"
        "ARRT:R:2019-06-01\n"
        "H-2,,Lena Ortiz,Vascular,Harbour,,,ARDMS:RVT:2021-04-01:VT\n"
        "H-3,,Omar Haddad,Echo,Bayside,,,CCI:RCS:2020-09-01\n"
    )
    page.get_by_label("CSV file").set_input_files(
        {"name": "harbour-staff.csv", "mimeType": "text/csv", "buffer": roster.encode()}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    browse.shot("journey-import-preview")
    browse.press("Import 3 rows", "3 new")

    # ... and invites the technologist from her staff record.
    page.get_by_role("link", name=f"Open the record of {name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    browse.check()
    person_id = page.url.rsplit("/", 1)[1]
    expect(page.get_by_label("Their email address")).to_have_value(employee_email)
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("heading", name=f"Invitation sent to {employee_email}")).to_be_visible()
    browse.check()

    # The technologist joins and records her credit with its certificate.
    join(browse, employee_email)
    expect(page).to_have_url(browse.app.base_url + "/dashboard")
    expect(page.locator("#ob-arrt-current")).to_contain_text("ARRT")
    browse.shot("journey-employee-dashboard")
    browse.goto("/credits/new?by_hand=1")
    page.get_by_label("Title of the activity").fill(str(declared.title))
    page.get_by_label("Provider", exact=True).fill(str(declared.provider))
    page.get_by_label("Approved or accredited by").fill(str(declared.provider))
    page.get_by_label("ARRT Category A+").check()
    assert declared.completed_on is not None
    page.get_by_label("Completed on").fill(declared.completed_on.isoformat())
    page.get_by_label("Credits", exact=True).fill(str(declared.credits))
    page.get_by_label("Certificate").set_input_files(
        {"name": "asrt-certificate.pdf", "mimeType": "application/pdf", "buffer": sample.data}
    )
    page.get_by_role("button", name="Save the credit").click()
    expect(page.get_by_role("region", name="Saved. Where it counts")).to_contain_text("ARRT")
    browse.check()
    employee = session_of(page, employee_email)

    # The relay hands the upload to a worker, which reads and verifies the certificate.
    with api.client(employee) as client:
        [certificate] = client.get(f"/api/v1/people/{person_id}/certificates").json()
    with relay_and_worker(migrated, Path(browse.app.settings.blob_dir), tmp_path):
        deadline = time.monotonic() + VERIFIED_WITHIN_S
        while True:
            with api.client(employee) as client:
                outcome = client.get(f"/api/v1/certificates/{certificate['certificate_id']}")
            status = outcome.json()["certificate"]["status"]
            if status != "pending":
                break
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.5)
    assert status in {"verified", "needs_review"}, outcome.text
    browse.goto("/credits")
    expected = "Verified" if status == "verified" else "Needs review"
    expect(page.get_by_role("listitem").filter(has_text=str(declared.title))).to_contain_text(
        expected
    )
    browse.shot("journey-employee-credits")
    sign_out(browse)

    # The owner finds it in the review queue (and decides it, when the worker could not).
    browse.goto("/sign-in")
    browse.sign_in(owner_email, PASSWORD, "/organisation")
    browse.goto(f"/reviews?status={status}")
    page.get_by_role("link", name=re.compile("asrt-certificate.pdf")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Certificate of {name}")
    expect(page.locator("iframe[title='Certificate asrt-certificate.pdf (PDF)']")).to_be_visible()
    browse.shot("journey-review")
    if status == "needs_review":
        page.get_by_label("Reason").fill(
            "Checked against the ASRT record: the certificate is genuine"
        )
        browse.press("Approve", "Decision recorded")

    # The owner's pages show the verified credit and the imported staff.
    browse.goto(f"/staff/{person_id}")
    expect(page.get_by_role("region", name="Credits")).to_contain_text("Verified")
    browse.goto("/organisation")
    expect(page.get_by_role("paragraph").filter(has_text="active staff members")).to_contain_text(
        "3 active staff members"
    )
    browse.shot("journey-overview")

    # The owner grants an auditor access for two weeks.
    browse.goto("/access")
    page.get_by_label("Auditor's email address").fill(auditor_email)
    page.get_by_label("Last day of access").fill(
        (datetime.now(UTC) + timedelta(days=14)).date().isoformat()
    )
    page.get_by_role("button", name="Grant access").click()
    expect(page.get_by_role("heading", name=f"Access granted to {auditor_email}")).to_be_visible()
    browse.check()

    # The auditor joins, reads the history, checks the chain and takes the bundle.
    join(browse, auditor_email)
    expect(page).to_have_url(browse.app.base_url + "/audit")
    browse.check()
    page.get_by_label("Person").fill(name)
    page.get_by_role("button", name="Show").click()
    browse.check()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"History of {name}")
    events = page.get_by_role("table", name="Events in the order they were recorded")
    expect(events).to_contain_text("Credit recorded")
    expect(events).to_contain_text("Certificate uploaded")
    expect(events).to_contain_text(
        "Certificate verified" if status == "verified" else "Certificate needs review"
    )
    browse.shot("journey-auditor-timeline")

    page.get_by_role("link", name="Chain").click()
    verdict = page.get_by_role("heading", name=re.compile(r"Verified up to event (\d+)"))
    expect(verdict).to_be_visible()
    browse.shot("journey-chain")
    verified_through = int(re.findall(r"\d+", verdict.inner_text())[0])
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the audit bundle (ZIP)").click()
    with zipfile.ZipFile(downloading.value.path()) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        history = bundle.read("history.jsonl").decode().splitlines()
    assert len(history) > verified_through
    assert json.loads(history[-1])["event_type"] == "audits.AuditBundleExported"
    assert manifest["organisation"] == "Harbour Imaging"
    assert manifest["chain"]["head_seq"] == len(history)
    assert manifest["chain"]["first_break"] is None
    assert manifest["missing_certificates"] == []
