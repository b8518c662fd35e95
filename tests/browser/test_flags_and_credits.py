"""Flags for people and credits by cycle, as a user sees them at desktop and phone widths: the
demo employee's dashboard says each body's open rule question once in plain words, "Why?"
opens on the sources and leads to the rules page; the credits page groups credits by cycle."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.core import demo_seed
from services.core.settings import Settings
from tests.browser.conftest import Api, Browse
from tests.browser.test_standing import _signed_in, demo  # noqa: F401  (the demo organisation)

pytestmark = pytest.mark.e2e

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def test_flags_why_the_rules_page_and_credits_by_cycle_at_both_widths(
    demo: Settings,  # noqa: F811
    browse: Browse,
    api: Api,
) -> None:
    employee = _signed_in(api, demo_seed.EMPLOYEE.email, demo_seed.EMPLOYEE.password)
    browse.sign_in_as(employee)
    for width, size in WIDTHS.items():
        browse.page.set_viewport_size(size)  # type: ignore[arg-type]
        page = browse.goto("/dashboard")
        why = page.locator("details.why").first
        expect(why).to_be_visible()
        expect(why.locator("ul")).not_to_be_visible()
        why.locator("summary").click()
        expect(why.locator("ul")).to_be_visible()
        browse.shot(f"flags-{width}-dashboard")
        why.get_by_role("link").click()
        browse.check()
        assert "/rules#" in page.url
        browse.shot(f"flags-{width}-rules")
        browse.goto("/credits")
        expect(page.locator("section[data-cycle]").first).to_be_visible()
        browse.shot(f"flags-{width}-credits")
