"""One standing in every view, read in a real browser: for three people of the demo
organisation, the employee dashboard, the person page, the staff list and the overview (its
tile, followed to the list it links to) show the same status with each certifying body."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page

from services.api.auth import SESSION_COOKIE
from services.core import demo_seed
from services.core.settings import Settings
from tests.browser.conftest import PASSWORD, Account, Api, Browse
from tests.conftest import ROOT, settings_env

pytestmark = pytest.mark.e2e

PEOPLE = (demo_seed.NAMES[2], demo_seed.NAMES[0], demo_seed.NAMES[4])
"""The demo employee (Nia Okafor, whose login the demo prints) and two colleagues planned as
compliant and as overdue (``demo_seed.SCENARIOS``)."""


@pytest.fixture(scope="module")
def demo(migrated: Settings, demo_blob_dir: Path) -> Settings:
    """The demo organisation, seeded by its command (again is a no-op)."""
    blob_dir = str(demo_blob_dir)
    seeded = subprocess.run(
        [sys.executable, "-m", "services.main", "seed-demo"],
        env={**settings_env(migrated), "CMELEDGER_BLOB_DIR": blob_dir},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    return migrated


def _signed_in(api: Api, email: str, password: str, person_id: str = "") -> Account:
    """A session of ``email`` (signed in through the API), as the browser takes it."""
    with api.client() as client:
        signed = client.post("/api/v1/session", json={"email": email, "password": password})
        assert signed.status_code == 200, signed.text
        return Account(
            email=email,
            session=client.cookies[SESSION_COOKIE],
            person_id=person_id,
            organisation_id=client.get("/api/v1/me").json()["organisation_id"],
        )


def _invited(api: Api, owner: Account, person_id: str, address: str) -> None:
    """Give the staff record ``person_id`` an employee login (once: again is refused)."""
    with api.client(owner) as client:
        sent = client.post(
            "/api/v1/invitations",
            json={"email": address, "role": "employee", "person_id": person_id},
        )
        if sent.status_code != 201:
            return
    with api.client() as joining:
        joined = joining.post(
            "/api/v1/invitations/accept",
            json={"token": sent.json()["accept_token"], "password": PASSWORD},
        )
        assert joined.status_code == 200, joined.text


def _standings(page: Page, scope: str = "") -> set[str]:
    """The ``BODY:status`` pairs shown in ``scope`` (a CSS selector) of the page."""
    found = page.locator(f"{scope} [data-standing]".strip())
    return {found.nth(i).get_attribute("data-standing") or "" for i in range(found.count())}


def test_the_dashboard_person_page_staff_list_and_overview_agree(
    demo: Settings, browse: Browse, api: Api
) -> None:
    owner = _signed_in(api, demo_seed.OWNER.email, demo_seed.OWNER.password)
    with api.client(owner) as client:
        listed = client.get("/api/v1/staff", params={"limit": 100}).json()["items"]
    people = {p["full_name"]: str(p["person_id"]) for p in listed}
    employees = {PEOPLE[0]: _signed_in(api, demo_seed.EMPLOYEE.email, demo_seed.EMPLOYEE.password)}
    for name in PEOPLE[1:]:
        address = f"{name.lower().replace(' ', '.')}.standing@example.org"
        _invited(api, owner, people[name], address)
        employees[name] = _signed_in(api, address, PASSWORD, people[name])

    seen: dict[str, dict[str, set[str]]] = {}
    for name in PEOPLE:
        browse.page.context.clear_cookies()
        browse.sign_in_as(employees[name])
        seen[name] = {"dashboard": _standings(browse.goto("/dashboard"))}
    browse.page.context.clear_cookies()
    browse.sign_in_as(owner)
    for name in PEOPLE:
        row = f'tr:has(a[href="/staff/{people[name]}"])'
        seen[name]["person page"] = _standings(browse.goto(f"/staff/{people[name]}"), "main")
        search = name.replace(" ", "+")
        seen[name]["staff list"] = _standings(browse.goto(f"/staff?q={search}"), row)
        overview: set[str] = set()
        for standing in seen[name]["dashboard"]:
            browse.goto("/organisation")
            browse.page.locator(f'a[data-status="{standing.split(":")[1]}"]').click()
            browse.check()
            overview |= _standings(browse.page, row) & {standing}
        seen[name]["overview"] = overview
    browse.shot("standing-followed-from-a-tile")
    for name, views in seen.items():
        assert views["dashboard"], name
        assert len({frozenset(v) for v in views.values()}) == 1, (name, views)
