"""The audit trail's pages for a large organisation: whose history to show is found by a typed
name (no list of everyone), and the page does not grow with the staff."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from tests.e2e.conftest import Org
from tests.e2e.test_staff import HEADER, post_csv

pytestmark = pytest.mark.e2e

NO_EVENTS = "type=audits.ComplianceReportExported"
"""A filter no event of these tests passes: the page shows the form and no rows."""


def roster(first: int, last: int) -> str:
    return HEADER + "".join(f"E-{n},,Person {n:03},,,,,\n" for n in range(first, last + 1))


def names_in(html: str) -> set[str]:
    return set(re.findall(r"Person \d{3}", html))


async def test_the_audit_page_does_not_list_everyone_nor_grow_with_the_staff(org: Org) -> None:
    assert (await post_csv(org.owner, roster(1, 30))).json()["created"] == 30
    small = await org.owner.get(f"/audit?{NO_EVENTS}")
    assert small.status_code == 200
    assert names_in(small.text) == set()
    assert (await post_csv(org.owner, roster(31, 150))).json()["created"] == 120
    large = await org.owner.get(f"/audit?{NO_EVENTS}")
    assert names_in(large.text) == set()
    assert abs(len(large.text) - len(small.text)) < 200, "120 more people, the same page"
    first = await org.owner.get("/audit")
    assert len(names_in(first.text)) <= 50, "a page of events names at most one per event"


async def test_a_typed_name_opens_the_one_match_or_lists_a_few_to_choose(org: Org) -> None:
    assert (await post_csv(org.owner, roster(1, 60))).json()["created"] == 60
    auditor, _ = await org.member("auditor")

    one = await auditor.get(
        "/audit?" + urlencode({"name": "  e-7 ", "type": "people.PersonRegistered"}),
        follow_redirects=False,
    )
    assert one.status_code in {302, 303}
    opened = await auditor.get(one.headers["location"])
    assert opened.status_code == 200
    assert "History of Person 007" in opened.text
    assert "type=people.PersonRegistered" in one.headers["location"], "the filters are kept"

    few = await auditor.get("/audit?name=person+00")
    assert few.status_code == 200
    assert names_in(few.text) == {f"Person {n:03}" for n in range(1, 10)}
    links = re.findall(r'href="(/audit/people/[0-9a-f-]{36})">Person', few.text)
    assert len(links) == 9
    assert "History of Person" in (await auditor.get(links[0])).text
    assert "Only the first" not in few.text

    many = await auditor.get("/audit?name=PERSON")
    assert len(names_in(many.text)) == 20
    assert "Only the first 20 are listed" in many.text

    none = await auditor.get("/audit?name=Nobody+Here")
    assert none.status_code == 200
    assert "No one matches “Nobody Here”" in none.text


async def test_a_person_id_link_still_opens_their_history_and_a_bad_one_says_so(
    org: Org,
) -> None:
    assert (await post_csv(org.owner, roster(1, 1))).json()["created"] == 1
    found = await org.owner.get("/audit?name=Person+001", follow_redirects=False)
    person_page = found.headers["location"]
    person_id = person_page.rsplit("/", 1)[1]
    linked = await org.owner.get(
        f"/audit?person={person_id}&from=2026-01-01", follow_redirects=False
    )
    assert linked.headers["location"] == f"{person_page}?from=2026-01-01"
    bad = await org.owner.get("/audit?person=someone")
    assert bad.status_code == 400
    assert "This link names no person" in bad.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Ada\x01Vance", "must not contain control characters"),
        ("Ada\tVance", "must not contain control characters"),
        ("x" * 60_000, "must be at most 200 characters"),  # near the longest address httpx sends
        ("Ada\x00", "NUL character"),
    ],
)
async def test_bad_names_are_refused_with_a_message_never_a_server_error(
    org: Org, typed: str, message: str
) -> None:
    refused = await org.owner.get("/audit", params={"name": typed})
    assert refused.status_code == 400
    assert message in refused.text
    assert len(refused.text) < 30_000, "the typed text is not shown back whole"
