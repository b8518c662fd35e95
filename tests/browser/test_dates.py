"""Date fields in a real browser, on a phone and a desktop: a text field that shows days as
pages print them ("7 Dec 2026"), reads the other ways people write them, says what it read in
words, and refuses a day that does not exist at the field, keeping what was typed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.api.auth import SESSION_COOKIE
from tests.browser.conftest import Account, Api, Browse

pytestmark = pytest.mark.e2e

SIZES = (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1366, "height": 900}))


@pytest.mark.parametrize(("size", "viewport"), SIZES, ids=[s for s, _ in SIZES])
def test_a_credential_day_is_typed_as_people_write_it(
    browse: Browse, api: Api, size: str, viewport: dict[str, int]
) -> None:
    browse.page.set_viewport_size(viewport)  # type: ignore[arg-type]
    browse.sign_in_as(api.employee())
    page = browse.goto("/profile")
    credential = page.locator("#credential")
    earned = credential.get_by_label("Earned on")
    expect(earned).to_have_attribute("type", "text")
    expect(credential).to_contain_text("For example, 7 Dec 2026.")

    credential.get_by_label("Credential").select_option(label="ARDMS RPVI")
    earned.fill("31 Feb 2019")
    browse.expect_refusal(422)
    credential.get_by_role("button", name="Add the credential").click()
    refused = page.locator("#credential")
    expect(refused.get_by_role("alert")).to_contain_text("There is no such day as “31 Feb 2019”")
    expect(refused.get_by_label("Earned on")).to_have_value("31 Feb 2019")
    browse.shot(f"date-refused-{size}")

    refused.get_by_label("Earned on").fill("3/15/2019")
    refused.get_by_role("button", name="Add the credential").click()
    expect(page.locator("#credential")).to_contain_text("Credential added.")
    expect(page.locator("#credential tbody")).to_contain_text("15 Mar 2019")
    browse.shot(f"date-typed-{size}")


def test_a_field_styled_by_the_browser_is_swapped_without_a_policy_error(
    browse: Browse, api: Api
) -> None:
    """Password managers, autofill and screenshots put inline styles on fields through the
    CSSOM (which the policy allows); the refused form swapped in must not copy them back as
    ``style`` attributes, which the policy refuses and the console reports."""
    browse.sign_in_as(api.employee())
    page = browse.goto("/profile")
    credential = page.locator("#credential")
    credential.get_by_label("Credential").select_option(label="ARDMS RPVI")
    earned = credential.get_by_label("Earned on")
    earned.fill("31 Feb 2019")
    earned.evaluate("field => { field.style.backgroundColor = 'lightyellow' }")
    browse.expect_refusal(422)
    credential.get_by_role("button", name="Add the credential").click()
    refused = page.locator("#credential")
    expect(refused.get_by_role("alert")).to_contain_text("There is no such day as “31 Feb 2019”")
    browse.check()


def test_the_report_day_says_what_it_read(browse: Browse, api: Api) -> None:
    browse.page.set_viewport_size({"width": 390, "height": 844})
    with api.organisation() as owner:
        account = Account(
            email="", session=owner.cookies[SESSION_COOKIE], person_id="", organisation_id=""
        )
    browse.sign_in_as(account)
    page = browse.goto("/reports")
    page.get_by_role("textbox", name="Standing on").fill("Dec 1 2025")
    page.get_by_role("button", name="Show the report").click()
    browse.check()
    expect(page.get_by_role("textbox", name="Standing on")).to_have_value("1 Dec 2025")
    expect(page.get_by_text("Read as Monday 1 December 2025.")).to_be_visible()
    expect(page.get_by_role("heading", name="Standing on 1 Dec 2025", exact=False)).to_be_visible()
    browse.shot("date-read-back-phone")
