"""The portal over HTTP, where a browser is not needed: sign-in redirects, CSRF, refusals as HTML
pages that change nothing, role checks, headers, and the API left as it was."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import AsyncTestClient

from services.core.db import Database
from services.core.settings import Settings
from tests.e2e.conftest import PASSWORD, Org, connected_client, sign_up
from tests.e2e.test_people import own_record as record_with_a_cycle

pytestmark = pytest.mark.e2e

FORM_CREDIT = {
    "title": "Carotid duplex",
    "provider": "Gulfcoast Ultrasound Institute",
    "accrediting_organisation": "SDMS",
    "credit_types": "sdms",
    "completed_on": "2026-10-02",
    "credits": "1.25",
    "activity_kind": "standard",
}


def is_page(response: Any) -> bool:
    return str(response.headers["content-type"]).startswith("text/html")


async def own_record(client: AsyncTestClient[Any], me: dict[str, Any]) -> str:
    created = await client.post(
        "/profile", data={"full_name": "Nia Okafor"}, follow_redirects=False
    )
    assert created.status_code == 303, created.text
    return str(me["user_id"])


async def credits_of(client: AsyncTestClient[Any], person_id: str) -> list[Any]:
    listed = await client.get(f"/api/v1/people/{person_id}/credits")
    assert listed.status_code == 200, listed.text
    return list(listed.json())


async def test_pages_send_visitors_to_sign_in_and_the_api_still_answers_401(
    migrated: Settings,
) -> None:
    async with connected_client(migrated) as anonymous:
        page = await anonymous.get("/credits?x=1", follow_redirects=False)
        assert (page.status_code, page.headers["location"]) == (
            303,
            "/sign-in?next=%2Fcredits%3Fx%3D1",
        )
        htmx = await anonymous.get("/dashboard", headers={"HX-Request": "true"})
        assert (htmx.status_code, htmx.headers["hx-redirect"]) == (
            200,
            "/sign-in?next=%2Fdashboard",
        )
        api = await anonymous.get("/api/v1/me")
        assert api.status_code == 401
        assert api.headers["content-type"].startswith("application/problem+json")
        sign_in = await anonymous.get("/sign-in?next=%2Fcredits")
        assert sign_in.status_code == 200
        assert is_page(sign_in)
        assert 'name="next" value="/credits"' in sign_in.text


async def test_a_form_without_its_csrf_token_is_a_page_and_changes_nothing(
    migrated: Settings,
) -> None:
    async with connected_client(migrated) as client:
        me = await sign_up(client)
        del client.headers["x-csrftoken"]
        refused = await client.post("/profile", data={"full_name": "Nia Okafor"})
        assert refused.status_code == 403
        assert is_page(refused)
        assert "This form has expired" in refused.text
        person = await client.get(f"/api/v1/people/{me['user_id']}")
        assert person.status_code == 404, "nothing was stored"


@pytest.mark.parametrize(
    "change",
    [
        {"credits": "abc"},
        {"credits": "1e999999999"},
        {"credits": "0.3"},
        {"completed_on": "2026-02-30"},
        {"completed_on": "2999-01-01"},
        {"credit_types": "made_up"},
        {"activity_kind": "nope"},
        {"title": " "},
        {"activity_kind": "academic_course", "academic_units": "-1", "academic_term": "semester"},
    ],
)
async def test_a_refused_credit_is_a_page_with_what_was_typed_and_stores_nothing(
    migrated: Settings, change: dict[str, str]
) -> None:
    async with connected_client(migrated) as client:
        me = await sign_up(client)
        person_id = await own_record(client, me)
        sent = {**FORM_CREDIT, **change}
        refused = await client.post("/credits/new", data=sent)
        assert refused.status_code == 422, refused.text
        assert is_page(refused)
        assert "There is a problem" in refused.text
        assert 'aria-invalid="true"' in refused.text
        for value in sent.values():
            if value.strip() and value not in {"sdms", "made_up", "nope", "standard"}:
                shown = {"2026-10-02": "2 Oct 2026"}.get(value, value)  # a day read, as printed
                assert f'value="{shown}"' in refused.text, value
        assert await credits_of(client, person_id) == []


async def test_missing_and_malformed_ids_are_pages_never_server_errors(migrated: Settings) -> None:
    async with connected_client(migrated) as client:
        me = await sign_up(client)
        await own_record(client, me)
        missing = await client.get(f"/credits/{uuid4()}")
        assert missing.status_code == 404
        assert is_page(missing)
        amend = await client.post(f"/credits/{uuid4()}/retract", data={"reason": "x"})
        assert amend.status_code == 404
        assert is_page(amend)
        bad = await client.get("/transcripts/download?format=exe", follow_redirects=False)
        assert bad.status_code == 400
        assert is_page(bad)
        good = await client.get(
            "/transcripts/download?format=csv&body=ARDMS&period=", follow_redirects=False
        )
        assert (
            good.headers["location"] == f"/api/v1/people/{me['user_id']}/transcript.csv?body=ARDMS"
        )


async def test_an_auditor_reads_but_records_no_credit_of_their_own(org: Org) -> None:
    auditor, _ = await org.member("auditor")
    dashboard = await auditor.get("/dashboard")
    assert dashboard.status_code == 200
    assert "no CE record of your own" in dashboard.text
    refused = await auditor.post("/credits/new", data=FORM_CREDIT)
    assert refused.status_code == 403
    assert is_page(refused)


async def test_pages_are_not_cached_carry_a_strict_policy_and_stay_out_of_the_schema(
    org: Org,
) -> None:
    page = await org.owner.get("/dashboard")
    assert page.headers["cache-control"] == "no-store"
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    htmx = await org.owner.get("/static/htmx.min.js")
    assert htmx.status_code == 200
    assert "htmx" in htmx.text
    schema = (await org.owner.get("/schema/openapi.json")).json()
    portal = ("/sign-", "/dashboard", "/credits", "/profile", "/transcripts", "/static", "/verify")
    assert not [path for path in schema["paths"] if path.startswith(portal)]


EMPLOYER_CSS = '<link rel="stylesheet" href="/static/organisation.css">'


@pytest.mark.parametrize("path", ["/staff", "/organisation", "/reports", "/access", "/audit"])
async def test_employer_pages_load_their_stylesheet_in_the_head(org: Org, path: str) -> None:
    page = await org.owner.get(path)
    assert page.status_code == 200
    head, body = page.text.split("</head>")
    assert EMPLOYER_CSS in head
    assert EMPLOYER_CSS not in body
    dashboard = (await org.owner.get("/dashboard")).text
    assert EMPLOYER_CSS not in dashboard


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("1qaz2wsx3edc", "one of the 10,000 most common passwords"),
        ("abcabcabcabcabc", "repeats one character or a short pattern"),
        ("too short", "must be 12 to 256 characters long"),
    ],
)
async def test_a_refused_password_is_a_form_error_saying_why_and_stores_nothing(
    migrated: Settings, database: Database, password: str, reason: str
) -> None:
    email = f"{uuid4().hex[:12]}@example.org"
    async with connected_client(migrated) as client:
        refused = await client.post(
            "/sign-up",
            data={"organisation_name": "Lakeside Echo Lab", "email": email, "password": password},
        )
    assert refused.status_code == 422, refused.text
    assert is_page(refused)
    assert reason in refused.text
    async with database.transaction(None) as tx:
        assert await tx.pg.fetchval("SELECT count(*) FROM users WHERE email = $1", email) == 0


async def test_each_role_lands_on_its_own_start_page(org: Org) -> None:
    auditor, _ = await org.member("auditor")
    admin, _ = await org.member("admin")
    employee, _ = await org.member("employee")
    landings = {
        role: (await client.get("/", follow_redirects=False)).headers["location"]
        for role, client in {
            "owner": org.owner,
            "admin": admin,
            "auditor": auditor,
            "employee": employee,
        }.items()
    }
    assert landings == {
        "owner": "/organisation",
        "admin": "/organisation",
        "auditor": "/audit",
        "employee": "/dashboard",
    }
    overview = await org.owner.get("/")
    assert overview.status_code == 200
    assert ">My record<" in overview.text
    assert ">Organisation<" in overview.text
    own = await employee.get("/")
    assert ">My record<" in own.text
    assert ">Organisation<" not in own.text


@pytest.mark.parametrize("path", ["/no-such-page", "/staff/not-a-uuid/x", "/credits/new/extra"])
async def test_an_unknown_portal_address_is_a_page_signed_in_or_out(
    org: Org, migrated: Settings, path: str
) -> None:
    async with connected_client(migrated) as anonymous:
        signed_out = await anonymous.get(path, follow_redirects=False)
    signed_in = await org.owner.get(path, follow_redirects=False)
    for answer in (signed_out, signed_in):
        assert answer.status_code == 404
        assert is_page(answer)
        assert "<title>Not found · CME Ledger</title>" in answer.text
        assert answer.headers["content-security-policy"]
        assert '<a href="/">Go to your start page</a>' in answer.text
    assert "Sign out" not in signed_out.text
    if path.count("/") == 1:  # a first-level address knows who is signed in
        assert "Sign out" in signed_in.text
    api = await org.owner.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")


async def test_ending_an_auditors_access_asks_first_and_works_without_a_script(org: Org) -> None:
    auditor, me = await org.member("auditor")
    end = f"/access/{me['user_id']}/end"
    asked = await org.owner.post(end, data={}, follow_redirects=False)
    assert asked.status_code == 200, asked.text
    assert f"End the access of {me['email']}?" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert (await auditor.get("/audit")).status_code == 200
    ended = await org.owner.post(end, data={"confirmed": "yes"}, follow_redirects=False)
    assert ended.status_code == 303, ended.text
    assert (await auditor.get("/audit", follow_redirects=False)).status_code in {303, 403}


async def test_the_glossary_explains_each_term_without_source_ids_and_cards_link_to_it(
    org: Org, migrated: Settings
) -> None:
    async with connected_client(migrated) as anonymous:
        glossary = await anonymous.get("/glossary")
    assert glossary.status_code == 200
    for term in ("CME period", "Biennium", "Grace period", "CE probation", "CQR", "CME Bank"):
        assert term in glossary.text, term
    assert not re.search(r"\[[A-Z]\d+\]|\b[ARCO]\d{1,2}\b", glossary.text)
    employee, me = await org.member("employee")
    await own_record(employee, me)
    held = await employee.post(
        f"/api/v1/people/{me['user_id']}/credentials",
        json={"body": "ARDMS", "code": "RVT", "earned_on": "2024-03-15"},
    )
    assert held.status_code == 201, held.text
    dashboard = await employee.get("/dashboard")
    assert "<summary>What is CME period?</summary>" in dashboard.text
    assert 'href="/glossary#cme-period"' in dashboard.text


async def test_times_are_shown_in_the_organisations_time_zone_once_chosen(org: Org) -> None:
    before = (await org.owner.get("/audit/chain")).text
    assert re.search(r"Checked \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC\.", before)
    refused = await org.owner.post("/settings/time-zone", data={"time_zone": "Mars/Olympus"})
    assert refused.status_code == 422
    assert "is not a time zone name" in refused.text
    chosen = await org.owner.post(
        "/settings/time-zone", data={"time_zone": "America/Chicago"}, follow_redirects=False
    )
    assert chosen.status_code == 303, chosen.text
    after = (await org.owner.get("/audit/chain")).text
    assert re.search(r"Checked \d{1,2} \w{3} \d{4}, \d\d:\d\d C[SD]T\.", after)
    settings = (await org.owner.get("/settings")).text
    assert 'value="America/Chicago"' in settings
    employee, _ = await org.member("employee")
    assert (
        await employee.post("/settings/time-zone", data={"time_zone": "UTC"})
    ).status_code == 403


async def test_moments_typed_are_read_in_the_organisations_time_zone_and_say_so(
    org: Org,
) -> None:
    chosen = await org.owner.post(
        "/settings/time-zone", data={"time_zone": "America/Chicago"}, follow_redirects=False
    )
    assert chosen.status_code == 303, chosen.text
    chicago = ZoneInfo("America/Chicago")
    person_id = await record_with_a_cycle(org.owner, "Nia Okafor")

    # Half an hour from now on Chicago's clock: the record exists by then. Read as UTC, the
    # same digits would be hours before the record was made.
    soon = (datetime.now(chicago) + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    then = await org.owner.get(f"/audit/people/{person_id}?at={soon}")
    assert then.status_code == 200, then.text
    assert "Moment (America/Chicago time)" in then.text
    assert "Nothing was recorded about this person yet" not in then.text
    assert re.search(r"As recorded on \d{1,2} \w{3} \d{4}, \d\d:\d\d C[SD]T", then.text)

    access = await org.owner.get("/access")
    assert "America/Chicago" in access.text
    last_day = (datetime.now(chicago) + timedelta(days=10)).date()
    granted = await org.owner.post(
        "/access", data={"email": "aud@example.org", "until": last_day.isoformat()}
    )
    assert granted.status_code == 201, granted.text
    [token] = re.findall(r"accept-invitation\?token=([\w-]+)", granted.text)
    async with connected_client(org.settings) as auditor:
        joined = await auditor.post(
            "/api/v1/invitations/accept", json={"token": token, "password": PASSWORD}
        )
        assert joined.status_code == 200, joined.text
    members = (await org.owner.get("/api/v1/members")).json()
    [found] = [m for m in members if m["email"] == "aud@example.org"]
    ends = datetime.fromisoformat(found["access_until"])
    assert ends.astimezone(chicago) == datetime.combine(
        last_day + timedelta(days=1), time(), tzinfo=chicago
    )
