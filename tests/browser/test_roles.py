"""Each of the four roles (owner, admin, auditor, employee) on a desktop (1366 px) and a phone
(390 px): where signing in lands, the navigation in its groups (folded into a menu on the
phone), and every main page of the role checked (no console error, axe-core clean, nothing
scrolling sideways) and kept as a screenshot under ``test-output/screenshots/roles/``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, Account, Api, Browse, unique
from tests.browser.test_employer import CREDIT, in_a_month, lab, signed_in

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

MY_RECORD = ["/dashboard", "/credits", "/credits/new", "/profile", "/transcripts"]


@dataclass
class Lab:
    accounts: dict[str, Account]
    ada: str
    certificate: str


def member(api: Api, owner: httpx.Client, role: str, **body: object) -> Account:
    """A new member of the owner's organisation who accepted the invitation."""
    address = f"{unique(role)}@example.org"
    sent = owner.post("/api/v1/invitations", json={"email": address, "role": role, **body})
    assert sent.status_code == 201, sent.text
    with api.client() as client:
        accepted = client.post(
            "/api/v1/invitations/accept",
            json={"token": sent.json()["accept_token"], "password": PASSWORD},
        )
        assert accepted.status_code == 200, accepted.text
        return signed_in(client, address, str(sent.json().get("person_id") or ""))


@pytest.fixture(scope="module")
def staffed(api: Api) -> Iterator[Lab]:
    """An organisation with three technologists (one credit with a certificate), an admin, an
    auditor and an employee with a credential and a credit of her own."""
    with api.organisation("Bayside Imaging") as owner:
        people = lab(owner)
        owner_account = signed_in(owner, owner.get("/api/v1/me").json()["email"])
        employee = member(api, owner, "employee", staff={"full_name": "Nia Okafor"})
        held = owner.post(
            f"/api/v1/people/{employee.person_id}/credentials",
            json={"body": "ARDMS", "code": "RVT", "earned_on": "2024-03-15"},
        )
        assert held.status_code == 201, held.text
        recorded = owner.post(f"/api/v1/people/{employee.person_id}/credits", json=CREDIT)
        assert recorded.status_code == 201, recorded.text
        yield Lab(
            accounts={
                "owner": owner_account,
                "admin": member(api, owner, "admin"),
                "auditor": member(api, owner, "auditor", access_until=in_a_month()),
                "employee": employee,
            },
            ada=people["ada"],
            certificate=people["certificate"],
        )


def pages_of(role: str, lab: Lab) -> dict[str, str]:
    """The role's main pages by screenshot name."""
    organisation = {
        "overview": "/organisation",
        "staff": "/staff",
        "person": f"/staff/{lab.ada}",
        "reviews": "/reviews",
        "review": f"/reviews/{lab.certificate}",
        "reports": "/reports",
        "audit": "/audit",
    }
    own = {path.strip("/").replace("/", "-"): path for path in MY_RECORD}
    own["glossary"] = "/glossary"
    if role == "employee":
        return own
    if role == "auditor":
        return {**organisation, "chain": "/audit/chain", "glossary": "/glossary"}
    return {**organisation, "access": "/access", "settings": "/settings", **own}


LANDINGS = {
    "owner": "/organisation",
    "admin": "/organisation",
    "auditor": "/audit",
    "employee": "/dashboard",
}


@pytest.mark.parametrize("role", ["owner", "admin", "auditor", "employee"])
def test_each_role_lands_on_its_page_and_every_main_page_fits_a_desktop_and_a_phone(
    browse: Browse, staffed: Lab, role: str
) -> None:
    browse.sign_in_as(staffed.accounts[role])
    page = browse.page
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        browse.goto("/")
        expect(page).to_have_url(browse.app.base_url + LANDINGS[role])
        browse.shot(f"roles/{role}-{width}-landing")
        for name, path in pages_of(role, staffed).items():
            browse.goto(path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            browse.shot(f"roles/{role}-{width}-{name}")
        browse.expect_refusal(404)
        browse.goto("/no-such-page")
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
        browse.shot(f"roles/{role}-{width}-not-found")


@pytest.mark.parametrize("role", ["owner", "employee"])
def test_the_navigation_is_grouped_on_one_row_and_folds_into_a_menu_on_a_phone(
    browse: Browse, staffed: Lab, role: str
) -> None:
    browse.sign_in_as(staffed.accounts[role])
    page = browse.page
    page.set_viewport_size(DESKTOP)
    browse.goto("/dashboard")
    nav = page.get_by_role("navigation", name="Main")
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    groups = ["Organisation", "My record"] if role == "owner" else ["My record"]
    for group in groups:
        expect(nav.get_by_role("list", name=group)).to_be_visible()
    tops = {
        round(box["y"]) for link in nav.get_by_role("link").all() if (box := link.bounding_box())
    }
    assert len(tops) == 1, f"the navigation wraps on a desktop: rows at {sorted(tops)}"

    page.set_viewport_size(PHONE)
    browse.goto("/dashboard")
    standing = nav.get_by_role("link", name="My standing")
    expect(standing).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] <= 80, f"the header takes {header['height']}px of the phone"
    page.get_by_text("Menu", exact=True).click()
    expect(standing).to_be_visible()
    browse.shot(f"roles/{role}-phone-menu-open")
    nav.get_by_role("link", name="Credits").click()
    expect(page).to_have_url(browse.app.base_url + "/credits")
    browse.check()
    expect(nav.get_by_role("link", name="Credits")).to_be_hidden()
