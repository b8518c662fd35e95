"""The portal's shared layout: one date format for people, navigation in groups per role, a
landing page per role."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import get_args

from jinja2 import Environment

from domain.organisations.organisation import Role
from services.api.portal.pages import LANDING, NAVIGATION, TEMPLATES, day_filter


def render(source: str, **context: object) -> str:
    env = Environment(autoescape=True)
    env.filters["day"] = day_filter
    return env.from_string(source).render(**context)


def test_days_and_moments_read_the_same_way_everywhere() -> None:
    moment = datetime(2026, 12, 7, 3, 44, 45, tzinfo=UTC)
    assert render("{{ d|day }}", d=date(2026, 12, 7)) == "7 Dec 2026"
    assert render("{{ m|day }}", m=moment) == "7 Dec 2026"
    assert render("{{ m|day(time=true) }}", m=moment) == "7 Dec 2026, 03:44 UTC"


def test_a_moment_is_shown_in_the_zone_of_the_page() -> None:
    evening = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
    zone = timezone(timedelta(hours=2), "EET")
    assert render("{{ m|day(time=true) }}", m=evening, time_zone=zone) == "8 Dec 2026, 01:30 EET"
    assert render("{{ m|day }}", m=evening, time_zone=zone) == "8 Dec 2026"


def test_no_template_formats_a_date_its_own_way() -> None:
    """Dates reach people through the ``day`` filter; ISO text is only a form field's value or
    a date picker's bounds."""
    found = {
        str(path.relative_to(TEMPLATES)): line.strip()
        for path in TEMPLATES.rglob("*.html")
        for line in path.read_text().splitlines()
        if "strftime" in line or ".date()|day" in line
    }
    assert not found, found


def test_each_role_has_its_groups_and_its_landing_page_among_them() -> None:
    for role in get_args(Role):
        groups = NAVIGATION[role]
        paths = [item.path for group in groups for item in group.items]
        assert LANDING[role] in paths, role
        assert len(paths) == len(set(paths)), role
        assert LANDING[role] in [item.path for item in groups[0].items], role
    assert [g.label for g in NAVIGATION["owner"]] == ["Organisation", "My record"]
    assert [g.label for g in NAVIGATION["employee"]] == ["My record"]
    assert [g.label for g in NAVIGATION["auditor"]] == ["Organisation"]
