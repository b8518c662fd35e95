"""The portal in a real browser: opening an organisation, signing in, recording a credit with
its certificate, correcting and retracting it, refused forms that keep what was typed, the
keyboard, mailed links, the profile, invitations and transcripts."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, Account, Api, Browse, unique
from tests.certificate_files import png
from tests.payloads import CREDIT

pytestmark = pytest.mark.e2e


def fill_credit(page: Page, *, credits: str = "1.25") -> None:
    page.get_by_label("Title of the activity").fill(CREDIT["title"])  # type: ignore[arg-type]
    page.get_by_label("Provider").fill(CREDIT["provider"])  # type: ignore[arg-type]
    page.get_by_label("Approved or accredited by").fill("SDMS")
    page.get_by_label("SDMS-approved", exact=True).check()
    page.get_by_label("Completed on").fill("2026-10-02")
    page.get_by_label("Credits", exact=True).fill(credits)
    topics = page.locator("summary", has_text="Topics the activity covered")
    if topics.locator("xpath=..").get_attribute("open") is None:
        topics.click()
    page.get_by_label("Sonography").check()
    page.get_by_label("Vascular", exact=True).check()


def recorded_credit(api: Api, account: Account) -> str:
    with api.client(account) as client:
        sent = client.post(f"/api/v1/people/{account.person_id}/credits", json=CREDIT)
        assert sent.status_code == 201, sent.text
        return str(sent.json()["credit"]["credit_id"])


def test_an_owner_opens_an_organisation_and_lands_on_its_overview(browse: Browse) -> None:
    page = browse.goto("/sign-up")
    browse.shot("sign-up")
    page.get_by_label("Organisation name").fill("Lakeside Imaging")
    page.get_by_label("Your email address").fill(f"{unique('owner')}@example.org")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("button", name="Open the organisation").click()
    expect(page).to_have_url(browse.app.base_url + "/organisation")
    browse.check()
    page.get_by_role("link", name="My standing").click()
    browse.check()
    expect(page.get_by_role("heading", name="Start your record")).to_be_visible()
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_role("button", name="Create my record").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Credentials you hold")).to_be_visible()
    browse.check()


def test_a_wrong_password_is_a_clear_error_and_signing_in_returns_to_the_page_asked_for(
    browse: Browse, api: Api
) -> None:
    account = api.employee()
    page = browse.page
    page.goto(browse.app.base_url + "/credits")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fcredits$"))
    browse.shot("sign-in")

    browse.expect_refusal(401)
    page.get_by_label("Email address").fill(account.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The email or password is not right")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Email address")).to_have_value(account.email)
    expect(page.get_by_label("Password")).to_have_value("")
    browse.check()

    browse.sign_in(account.email, PASSWORD, "/credits")
    expect(page.get_by_role("heading", name="Your credits")).to_be_visible()


def test_an_employee_records_a_credit_with_its_certificate_and_sees_who_counts_it(
    browse: Browse, api: Api
) -> None:
    browse.sign_in_as(api.employee())
    page = browse.goto("/credits/new")
    expect(page.get_by_label("Certificate")).to_have_attribute("capture", "environment")
    browse.shot("record-credit")
    page.get_by_role("link", name=re.compile("Enter the credit by hand")).click()
    browse.check()
    fill_credit(page)
    page.get_by_label("Certificate").set_input_files(
        {"name": "carotid.png", "mimeType": "image/png", "buffer": png(240, 160)}
    )
    page.get_by_role("button", name="Save the credit").click()

    expect(page).to_have_url(re.compile(r"/credits/[0-9a-f-]{36}\?recorded=1$"))
    counts = page.get_by_role("region", name="Saved. Where it counts")
    expect(counts).to_contain_text("ARDMS")
    expect(counts).to_contain_text("counts 1.25 credits")
    preview = page.get_by_role("img", name="Certificate carotid.png")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.decode().then(() => img.naturalWidth)") == 240
    browse.shot("credit")

    page.get_by_role("link", name="All credits").click()
    listed = page.get_by_role("listitem").filter(has_text=str(CREDIT["title"]))
    expect(listed).to_contain_text("Awaiting check")
    expect(listed).to_contain_text("1.25 credits")
    expect(listed).not_to_contain_text("No certificate yet")
    browse.shot("credits")

    page.get_by_role("link", name="My standing").click()
    ardms = page.get_by_role("article", name=re.compile("ARDMS"))
    expect(ardms).to_contain_text("1.25 of 30 credits")
    expect(
        ardms.get_by_role("img", name=re.compile("Credits counted over the cycle"))
    ).to_be_visible()
    browse.shot("dashboard")


def test_a_refused_credit_keeps_everything_typed(browse: Browse, api: Api) -> None:
    browse.sign_in_as(api.employee())
    page = browse.goto("/credits/new?by_hand=1")
    fill_credit(page, credits="0.3")
    page.get_by_label("Certificate").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a certificate at all"}
    )
    browse.expect_refusal(422)
    page.get_by_role("button", name="Save the credit").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("quarter-credit steps")
    expect(summary).to_contain_text("Only PDF, PNG and JPEG files are accepted")
    expect(page.get_by_label("Credits", exact=True)).to_have_value("0.3")
    expect(page.get_by_label("Credits", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Title of the activity")).to_have_value(str(CREDIT["title"]))
    expect(page.get_by_label("Completed on")).to_have_value("2 Oct 2026")  # read, as printed
    expect(page.get_by_label("SDMS-approved", exact=True)).to_be_checked()
    expect(page.get_by_label("Vascular", exact=True)).to_be_checked()
    browse.shot("record-credit-refused")

    summary.get_by_role("link", name=re.compile("quarter-credit")).click()
    expect(page.get_by_label("Credits", exact=True)).to_be_focused()
    page.get_by_label("Credits", exact=True).fill("0.25")
    page.get_by_role("button", name="Save the credit").click()
    expect(page).to_have_url(re.compile(r"\?recorded=1$"))
    browse.check()


def test_a_credit_is_corrected_then_retracted_each_with_a_reason(browse: Browse, api: Api) -> None:
    account = api.employee()
    credit_id = recorded_credit(api, account)
    browse.sign_in_as(account)
    page = browse.goto(f"/credits/{credit_id}")

    amend = page.get_by_role("region", name="Correct the details")
    amend.get_by_text("Correct the details").click()
    amend.get_by_label("Credits", exact=True).fill("2")
    amend.get_by_label("Reason for the change").fill("the certificate says 2 credits")
    amend.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("The credit is amended"))
    browse.check()
    expect(page.get_by_role("region", name="Details", exact=True)).to_contain_text("Credits2")

    retract = page.get_by_role("region", name="Retract this credit")
    retract.get_by_text("Retract this credit").click()
    browse.expect_refusal(422)
    retract.get_by_role("button", name="Retract the credit").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter the reason for retracting it")
    expect(summary).to_be_focused()
    browse.check()
    summary.get_by_role("link").click()
    expect(page.get_by_label("Reason for retracting it")).to_be_focused()
    page.get_by_label("Reason for retracting it").fill("recorded twice")
    page.get_by_role("button", name="Retract the credit").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("retracted"))
    expect(page.get_by_text("recorded twice. It no longer counts anywhere.")).to_be_visible()
    browse.check()
    page.get_by_role("link", name="All credits").click()
    expect(page.get_by_role("listitem").filter(has_text="recorded twice")).to_contain_text(
        "Retracted"
    )
    browse.check()


def focused(page: Page) -> dict[str, str]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {name: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim(),
                    tag: el.tagName, outline: style.outlineStyle, shadow: style.boxShadow};
        }"""
    )


def test_the_keyboard_reaches_the_main_actions_with_a_visible_focus(
    browse: Browse, api: Api
) -> None:
    browse.sign_in_as(api.employee())
    page = browse.goto("/dashboard")
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] == "BODY":
            break
        assert now["outline"] != "none" or now["shadow"] != "none", f"no visible focus: {now}"
        reached.append(now["name"])
    assert reached[0] == "Skip to main content"
    for action in ("Sign out", "My standing", "Credits", "Record a credit", "Profile"):
        assert action in reached, f"{action!r} not reachable by keyboard: {reached}"

    page.keyboard.press("Shift+Tab")
    while focused(page)["name"] != "Record a credit":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(browse.app.base_url + "/credits/new")
    browse.check()
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "INPUT", "the skip link leads to the form"


def test_mailed_links_confirm_the_address_and_reset_the_password(browse: Browse, api: Api) -> None:
    account = api.employee()
    browse.sign_in_as(account)
    page = browse.goto("/profile")
    expect(page.get_by_text("Not confirmed")).to_be_visible()
    browse.press("Send me a confirmation link", "A confirmation link is on its way")
    link = browse.app.mail.link(account.email, "verify-email").removeprefix(browse.app.base_url)
    browse.goto(link)
    browse.shot("verify-email")
    browse.press("Confirm my address", "Your email address is confirmed")
    browse.goto(link)
    browse.expect_refusal(410)
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("alert")).to_contain_text("used already or has expired")
    browse.check()
    browse.goto("/profile")
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()

    browse.press("Sign out", "You are signed out")
    page.get_by_role("link", name="Forgot your password?").click()
    browse.shot("forgot-password")
    page.get_by_label("Email address").fill(account.email)
    browse.press("Send the link", "a link to choose a new password")

    link = browse.app.mail.link(account.email, "reset-password").removeprefix(browse.app.base_url)
    browse.goto(link)
    browse.shot("reset-password")
    new_password = "a brand new passphrase"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("New password again").fill("something else entirely")
    browse.expect_refusal(422)
    page.get_by_role("button", name="Change the password").click()
    expect(page.get_by_role("alert")).to_contain_text("The two passwords are not the same")
    browse.check()
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("New password again").fill(new_password)
    browse.press("Change the password", "Your password is changed")
    browse.sign_in(account.email, new_password, "/dashboard")


def test_the_profile_keeps_registry_ids_credentials_and_the_birth_month(
    browse: Browse, api: Api
) -> None:
    browse.sign_in_as(api.employee())
    page = browse.goto("/profile")
    registry = page.locator("#registry")
    registry.get_by_label("Body").select_option("CCI")
    registry.get_by_label("Your id there").fill("1234")
    browse.expect_refusal(422)
    registry.get_by_role("button", name="Save the id").click()
    expect(page.locator("#registry").get_by_role("alert")).to_contain_text("8 digits")
    expect(page.locator("#registry").get_by_label("Your id there")).to_have_value("1234")
    browse.check()
    page.locator("#registry").get_by_label("Your id there").fill("12345678")
    page.locator("#registry").get_by_role("button", name="Save the id").click()
    expect(page.locator("#registry").get_by_role("status")).to_have_text("Registry id saved.")
    expect(page.locator("#registry").get_by_role("status")).to_be_focused()
    expect(page.locator("#registry dd")).to_have_text("12345678")
    browse.check()

    page.get_by_label("Month of birth").select_option(label="May")
    page.get_by_role("button", name="Save the month").click()
    expect(page.locator("#birth")).to_contain_text("Birth month saved.")
    credential = page.locator("#credential")
    credential.get_by_label("Credential").select_option(label="ARRT S")
    credential.get_by_label("Earned on").fill("2019-03-15")
    credential.get_by_role("button", name="Add the credential").click()
    expect(page.locator("#credential")).to_contain_text("Credential added.")
    expect(page.locator("#credential tbody")).to_contain_text("ARRT S")
    browse.shot("profile")

    page.get_by_role("link", name="My standing").click()
    expect(page.get_by_role("article", name=re.compile("ARRT")).first).to_be_visible()
    browse.check()


def test_an_invited_person_joins_and_switches_between_organisations(
    browse: Browse, api: Api
) -> None:
    account = api.employee()
    token = api.invitation(account.email, "Hilltop Imaging")["accept_token"]
    page = browse.goto(f"/accept-invitation?token={token}")
    browse.shot("accept-invitation")
    browse.expect_refusal(401)
    page.get_by_label("Password").fill("not my password at all")
    page.get_by_role("button", name="Join the organisation").click()
    expect(page.get_by_role("alert")).to_contain_text("already has an account")
    browse.check()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Join the organisation").click()
    expect(page).to_have_url(browse.app.base_url + "/dashboard")
    switcher = page.get_by_label("Organisation", exact=True)
    expect(switcher.locator("option[selected]")).to_have_text("Hilltop Imaging (Employee)")
    expect(page.get_by_role("heading", name="Start your record")).to_be_visible()
    browse.check()

    switcher.select_option(label="Riverside Imaging (Employee)")
    page.get_by_role("button", name="Switch").click()
    expect(switcher.locator("option[selected]")).to_have_text("Riverside Imaging (Employee)")
    expect(page.get_by_role("article", name=re.compile("ARDMS"))).to_be_visible()
    browse.check()


def test_a_transcript_is_taken_away_as_csv_and_as_pdf(browse: Browse, api: Api) -> None:
    account = api.employee()
    recorded_credit(api, account)
    browse.sign_in_as(account)
    page = browse.goto("/transcripts")
    browse.shot("transcripts")
    page.get_by_label("Body").select_option("ARDMS")
    page.get_by_label("Cycle").select_option("current")
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download the CSV").click()
    rows = list(csv.DictReader(io.StringIO(csv_download.value.path().read_text())))
    credit_rows = [r for r in rows if r["record"] == "credit"]
    assert [(r["title"], r["body"], r["accepted"]) for r in credit_rows] == [
        (CREDIT["title"], "ARDMS", "yes")
    ]
    assert {r["period"] for r in rows} == {"current"}
    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Download the PDF").click()
    assert pdf_download.value.path().read_bytes().startswith(b"%PDF")
    assert pdf_download.value.suggested_filename.endswith(".pdf")
    browse.check()


def test_a_phone_shows_every_page_without_sideways_scrolling(browse: Browse, api: Api) -> None:
    account = api.employee()
    recorded_credit(api, account)
    browse.sign_in_as(account)
    browse.phone()
    page = browse.goto("/dashboard")
    expect(page.get_by_role("article", name=re.compile("ARDMS"))).to_be_visible()
    browse.shot("dashboard-phone")
    browse.goto("/credits/new")
    photo = page.get_by_label("Certificate")
    expect(photo).to_have_attribute("capture", "environment")
    expect(photo).to_have_attribute("accept", "image/*,application/pdf")
    browse.shot("record-credit-phone")
    for path in ("/credits", "/profile", "/transcripts"):
        browse.goto(path)
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Credits", exact=True).click()
    page.get_by_role("link", name=str(CREDIT["title"])).click()
    browse.shot("credit-phone")
