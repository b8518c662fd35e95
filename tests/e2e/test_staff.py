"""Staff over HTTP: CSV import (dry run, modes, idempotent re-import, bad files), deactivation
and reactivation with seats, the filtered and paginated staff list, roles and tenancy."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from services.core.settings import Settings
from tests.e2e.conftest import Org, connected_client, sign_up

pytestmark = pytest.mark.e2e

SAMPLE = (Path(__file__).resolve().parents[2] / "docs" / "staff-import-sample.csv").read_bytes()
HEADER = "employee_number,email,full_name,department,site,birth_month,registry_ids,credentials\n"
CSV = {"content-type": "text/csv"}
AS_OF = "2026-06-01"


async def post_csv(client: AsyncTestClient[Any], data: bytes | str, query: str = "") -> Any:
    body = data.encode() if isinstance(data, str) else data
    return await client.post(f"/api/v1/staff/import{query}", content=body, headers=CSV)


BY_NAME = "&sort=name"


async def listed(client: AsyncTestClient[Any], query: str = "") -> list[dict[str, Any]]:
    """Every person the list returns for ``query``, following cursors two at a time."""
    people: list[dict[str, Any]] = []
    cursor = ""
    while True:
        response = await client.get(f"/api/v1/staff?limit=2&as_of={AS_OF}{query}{cursor}")
        assert response.status_code == 200, response.text
        page = response.json()
        people += page["items"]
        if page["next_cursor"] is None:
            return people
        assert len(page["items"]) == 2
        cursor = f"&cursor={page['next_cursor']}"


async def seats(client: AsyncTestClient[Any]) -> dict[str, int]:
    response = await client.get("/api/v1/staff/seats")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_sample_file_previews_then_imports_once_and_reimports_as_unchanged(
    org: Org,
) -> None:
    preview = await post_csv(org.owner, SAMPLE, "?dry_run=true")
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert (report["applied"], report["created"], report["invalid"]) == (False, 4, 0)
    assert [r["line"] for r in report["report"]] == [2, 3, 4, 5]
    assert "people.CredentialAdded" in report["report"][0]["changes"]
    assert await seats(org.owner) == {"active": 0, "deactivated": 0}, "a dry run stores nothing"

    applied = await post_csv(org.owner, SAMPLE)
    assert applied.status_code == 200, applied.text
    assert (applied.json()["applied"], applied.json()["created"]) == (True, 4)
    assert await seats(org.owner) == {"active": 4, "deactivated": 0}
    dev = next(p for p in await listed(org.owner) if p["full_name"] == "Dev Patel")
    assert (dev["employee_number"], dev["email"], dev["department"]) == (
        "E-1002",
        "dev.patel@example.org",
        "Echo",
    )
    assert sorted(dev["credentials"]) == ["ARDMS RDCS (active)", "ARRT R (active)"]

    again = (await post_csv(org.owner, SAMPLE)).json()
    assert (again["unchanged"], again["created"], again["updated"], again["events"]) == (
        4,
        0,
        0,
        0,
    )
    assert [r["person_id"] for r in again["report"]] == [
        r["person_id"] for r in applied.json()["report"]
    ]


async def test_departments_and_sites_written_differently_join_the_existing_ones(
    org: Org,
) -> None:
    first = HEADER + "E-1,,Ada Lovelace,Echocardiography,North Campus,,,\n"
    assert (await post_csv(org.owner, first)).json()["created"] == 1
    variants = HEADER + (
        "E-2,,Bo Chen,echo,north campus,,,\n"
        "E-3,,Cy Diaz,Echo ,North Campus,,,\n"
        "E-4,,Di Evans,Echocardiograhpy,Lakeside,,,\n"
        "E-5,,Ed Ford,Mammography,lakeside ,,,\n"
    )
    preview = (await post_csv(org.owner, variants, "?dry_run=true")).json()
    assert [r["matches"] for r in preview["report"]] == [
        [
            'department "echo" is the existing "Echocardiography"',
            'site "north campus" is the existing "North Campus"',
        ],
        ['department "Echo" is the existing "Echocardiography"'],
        ['department "Echocardiograhpy" is the existing "Echocardiography"'],
        ['site "lakeside" is the existing "Lakeside"'],
    ]
    page = await org.owner.post(
        "/staff/import", files={"file": ("staff.csv", variants.encode(), "text/csv")}
    )
    assert page.status_code == 200, page.text
    shown = html.unescape(page.text)
    assert 'Matched: department "echo" is the existing "Echocardiography"; site' in shown
    assert 'Matched: site "lakeside" is the existing "Lakeside".' in shown
    assert (await post_csv(org.owner, variants)).json()["created"] == 4
    people = {p["full_name"]: (p["department"], p["site"]) for p in await listed(org.owner)}
    assert people == {
        "Ada Lovelace": ("Echocardiography", "North Campus"),
        "Bo Chen": ("Echocardiography", "North Campus"),
        "Cy Diaz": ("Echocardiography", "North Campus"),
        "Di Evans": ("Echocardiography", "Lakeside"),
        "Ed Ford": ("Mammography", "Lakeside"),
    }


async def test_the_filtered_staff_list_is_taken_away_as_csv_safe_for_spreadsheets(
    org: Org,
) -> None:
    await post_csv(org.owner, SAMPLE)
    await post_csv(org.owner, HEADER + "E-9,,=HYPERLINK(1),Echo,North Campus,,,\n")
    response = await org.owner.get("/staff/export.csv?department=Echo&site=North+Campus")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="staff-' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["full_name"], r["body"], r["period"]) for r in rows] == [
        ("'=HYPERLINK(1)", "", ""),
        # One row per body: the cycle of its standing (an earlier cycle that ended short).
        ("Dev Patel", "ARDMS", "previous"),
        ("Dev Patel", "ARRT", "previous"),
    ]
    assert {r["department"] for r in rows} == {"Echo"}
    api = await org.owner.get("/api/v1/staff.csv?department=Echo&site=North+Campus")
    assert api.status_code == 200, api.text
    assert api.text == response.text
    refused = await org.owner.get("/api/v1/staff.csv?status=made_up")
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    listing = await org.owner.get("/staff?department=Echo&site=North+Campus")
    assert 'href="/staff/export.csv?department=Echo&amp;site=North+Campus"' in listing.text
    employee, _ = await org.member("employee")
    assert (await employee.get("/staff/export.csv")).status_code == 403


async def test_a_reimport_adds_only_what_is_new_and_matches_by_email(org: Org) -> None:
    await post_csv(org.owner, SAMPLE)
    changed = HEADER + (
        "E-1001,maria.okafor@example.org,Maria Okafor,Echo,North Campus,,,"
        "ARDMS:RVT:2019-05-01:VT; ARDMS:RDCS:2021-01-10:AE\n"
        ",lee.park@example.org,Lee Park,Nuclear Medicine,South Clinic,11,,NMTCB:CNMT:2017-03-01\n"
    )
    report = (await post_csv(org.owner, changed)).json()
    maria, lee = report["report"]
    assert maria["outcome"] == "update"
    assert sorted(maria["changes"]) == ["people.CredentialAdded", "people.PersonAssigned"]
    assert lee["outcome"] == "unchanged"
    assert await seats(org.owner) == {"active": 4, "deactivated": 0}


async def test_all_or_nothing_refuses_a_file_with_an_invalid_row_and_valid_rows_applies_the_rest(
    org: Org,
) -> None:
    rows = HEADER + (
        "E-1,,Ada One,Echo,,,,ARDMS:RDMS:2020-01-01:AB\n"
        "E-2,,Bo Two,Echo,,,,ARRT:R:2020-01-01\n"  # ARRT needs a birth month
        "E-3,not-an-email,Cy Three,Echo,,13,,\n"
    )
    refused = await post_csv(org.owner, rows, "?mode=all_or_nothing")
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"] == "urn:cmeledger:problem:roster_rows_invalid"
    outcomes = {r["line"]: r for r in problem["report"]["report"]}
    assert outcomes[2]["outcome"] == "create"
    assert "birth month" in outcomes[3]["errors"][0]
    assert len(outcomes[4]["errors"]) == 2, "every problem of a line is reported"
    assert await seats(org.owner) == {"active": 0, "deactivated": 0}

    partial = await post_csv(org.owner, rows, "?mode=valid_rows")
    assert partial.status_code == 200, partial.text
    assert (partial.json()["created"], partial.json()["invalid"]) == (1, 2)
    assert [p["full_name"] for p in await listed(org.owner)] == ["Ada One"]


@pytest.mark.parametrize(
    ("data", "content_type", "status", "words"),
    [
        ("name,email\nA,a@example.org\n", "text/csv", 422, "unknown columns: name"),
        (HEADER.replace(",email", "") + "E-1,Ann,,,,,\n", "text/csv", 422, "missing columns"),
        ((HEADER + "E-1,,Zoë Ölund,,,,,\n").encode("latin-1"), "text/csv", 422, "UTF-8"),
        (HEADER + "E-1,,Ann,,,,,\nE-1,,Bea,,,,,\n", "text/csv", 422, "lines 2 and 3"),
        (HEADER + "E-1,a@x.org,Ann,,,,,\nE-2,A@X.org,Bea,,,,,\n", "text/csv", 422, "email"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/csv", 422, "binary"),
        ('employee_number,email,full_name\n"E-1,,Ann\n', "text/csv", 422, "not a readable CSV"),
        (HEADER, "text/csv", 422, "no rows"),
        ("", "text/csv", 422, "empty"),
        ('{"rows": []}', "application/json", 415, "text/csv"),
    ],
)
async def test_bad_files_are_clear_problems_and_store_nothing(
    org: Org, data: str | bytes, content_type: str, status: int, words: str
) -> None:
    body = data.encode() if isinstance(data, str) else data
    response = await org.owner.post(
        "/api/v1/staff/import?mode=valid_rows",
        content=body,
        headers={"content-type": content_type},
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert words in response.json()["detail"]
    assert await seats(org.owner) == {"active": 0, "deactivated": 0}


async def test_a_multipart_upload_imports_the_file_part(org: Org) -> None:
    response = await org.owner.post(
        "/api/v1/staff/import", files={"file": ("staff.csv", SAMPLE, "text/csv")}
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 4
    missing = await org.owner.post(
        "/api/v1/staff/import", files={"other": ("staff.csv", SAMPLE, "text/csv")}
    )
    assert missing.status_code == 400


async def test_an_import_uses_a_members_own_record_found_by_sign_in_email(org: Org) -> None:
    employee, me = await org.member("employee")
    own = await employee.post("/api/v1/people", json={"full_name": "Nia Okafor"})
    assert own.status_code == 201, own.text
    row = HEADER + f"E-77,{me['email'].upper()},Nia Okafor,Echo,,,,\n"
    report = (await post_csv(org.owner, row)).json()
    assert (report["report"][0]["outcome"], report["report"][0]["person_id"]) == (
        "update",
        me["user_id"],
    )
    assert (await employee.get(f"/api/v1/people/{me['user_id']}")).json()["employee_number"] == (
        "E-77"
    )


async def test_deactivation_keeps_history_and_leaves_seats_lists_and_summary(org: Org) -> None:
    report = (await post_csv(org.owner, SAMPLE)).json()
    maria = report["report"][0]["person_id"]
    base = f"/api/v1/people/{maria}"

    no_reason = await org.owner.post(f"{base}/deactivation", json={"reason": " "})
    assert no_reason.status_code == 422, no_reason.text
    gone = await org.owner.post(f"{base}/deactivation", json={"reason": "left the practice"})
    assert gone.status_code == 201, gone.text
    assert gone.json()["active"] is False
    assert gone.json()["credentials"], "history and credentials are kept"
    again = await org.owner.post(f"{base}/deactivation", json={"reason": "twice"})
    assert again.status_code == 201
    assert again.json()["active"] is False
    assert await seats(org.owner) == {"active": 3, "deactivated": 1}
    assert maria not in {p["person_id"] for p in await listed(org.owner)}
    assert [p["person_id"] for p in await listed(org.owner, "&activity=deactivated")] == [maria]
    assert len(await listed(org.owner, "&activity=all")) == 4
    summary = (await org.owner.get(f"/api/v1/organisation/summary?as_of={AS_OF}")).json()
    assert summary["people"] == 3
    assert "Vascular" not in {g["name"] for g in summary["by_department"]}
    unchanged = (await post_csv(org.owner, SAMPLE)).json()
    assert unchanged["unchanged"] == 4, "import never reactivates"

    back = await org.owner.post(f"{base}/reactivation", json={"reason": "rehired"})
    assert back.status_code == 201
    assert back.json()["active"] is True
    assert await seats(org.owner) == {"active": 4, "deactivated": 0}


async def test_the_staff_list_filters_and_pages_stably(org: Org) -> None:
    rows = HEADER + "".join(
        f"E-{n},,Person {n:02},{'Echo' if n % 2 else 'Vascular'},,,,"
        f"{'ARDMS:RDCS:2018-09-15:AE' if n % 3 else 'ARDMS:RVT:2025-05-01:VT'}\n"
        for n in range(1, 8)
    )
    assert (await post_csv(org.owner, rows)).json()["created"] == 7
    everyone = await listed(org.owner, BY_NAME)
    names = [p["full_name"] for p in everyone]
    assert names == sorted(names) == [f"Person {n:02}" for n in range(1, 8)]

    echo = await listed(org.owner, "&department=Echo" + BY_NAME)
    assert [p["full_name"] for p in echo] == ["Person 01", "Person 03", "Person 05", "Person 07"]
    rvt = await listed(org.owner, "&credential=RVT" + BY_NAME)
    assert [p["full_name"] for p in rvt] == ["Person 03", "Person 06"]
    assert await listed(org.owner, "&body=ARRT" + BY_NAME) == []
    assert len(await listed(org.owner, "&body=ARDMS&department=Vascular" + BY_NAME)) == 3

    checks: list[tuple[str, Callable[[dict[str, Any]], bool]]] = [
        ("&status=compliant", lambda o: o["status"] == "compliant"),
        ("&status=at_risk", lambda o: o["status"] == "at_risk"),
        ("&due_within_days=400", lambda o: AS_OF <= o["deadline"] <= "2027-07-06"),
    ]
    for query, keep in checks:
        expected = [p["full_name"] for p in everyone if any(keep(o) for o in p["obligations"])]
        assert [p["full_name"] for p in await listed(org.owner, query + BY_NAME)] == expected, query
    assert any(p["obligations"] for p in everyone), "the filters above must be exercised"

    bad = await org.owner.get("/api/v1/staff?cursor=not-a-cursor")
    assert bad.status_code == 400
    assert (await org.owner.get("/api/v1/staff?status=great")).status_code == 400


async def test_roles_employees_are_refused_and_auditors_only_read(org: Org) -> None:
    report = (await post_csv(org.owner, SAMPLE)).json()
    person_id = report["report"][0]["person_id"]
    employee, _ = await org.member("employee")
    auditor, _ = await org.member("auditor")
    admin, _ = await org.member("admin")
    writes = [
        ("POST", "/api/v1/staff/import", SAMPLE),
        ("POST", f"/api/v1/people/{person_id}/deactivation", b'{"reason": "x"}'),
        ("POST", f"/api/v1/people/{person_id}/reactivation", b'{"reason": "x"}'),
    ]
    for client in (employee, auditor):
        for method, path, body in writes:
            response = await client.request(method, path, content=body, headers=CSV)
            assert response.status_code == 403, (method, path, response.text)
    for path in ("/api/v1/staff", "/api/v1/staff/seats"):
        assert (await employee.get(path)).status_code == 403
        assert (await auditor.get(path)).status_code == 200
    assert (await post_csv(admin, SAMPLE)).json()["unchanged"] == 4
    assert len(await listed(auditor)) == 4


async def test_another_organisation_sees_and_changes_nothing(org: Org, migrated: Settings) -> None:
    report = (await post_csv(org.owner, SAMPLE)).json()
    person_id = report["report"][0]["person_id"]
    async with connected_client(migrated) as intruder:
        await sign_up(intruder, organisation_name="Intruder Imaging")
        for action in ("deactivation", "reactivation"):
            response = await intruder.post(
                f"/api/v1/people/{person_id}/{action}", json={"reason": "mine now"}
            )
            assert response.status_code == 404, response.text
            assert "Maria" not in response.text
        assert (await intruder.get("/api/v1/staff?activity=all")).json()["items"] == []
        assert await seats(intruder) == {"active": 0, "deactivated": 0}
        same = (await post_csv(intruder, SAMPLE)).json()
        assert same["created"] == 4, "employee numbers of another organisation do not match"
    assert await seats(org.owner) == {"active": 4, "deactivated": 0}


def staggered_deadlines(count: int, department: str = "") -> str:
    """A roster of ``count`` people whose ARDMS credentials, earned in different years and
    months, give them deadlines in a different order than their names."""
    return HEADER + "".join(
        f"E-{n},,Person {n:02},{department},,,,ARDMS:RDMS:{2026 - n % 4}-0{1 + n % 3}-15:AB\n"
        for n in range(1, count + 1)
    )


def soonest(person: dict[str, Any]) -> str:
    """The person's ``deadline``, the soonest of the cycles the list selected ("~" sorts last)."""
    return str(person["deadline"] or "~")


async def test_the_staff_list_sorts_by_deadline_soonest_first_and_pages_in_that_order(
    org: Org,
) -> None:
    rows = staggered_deadlines(7) + "E-8,,Person 08,,,,,\n"  # no credential, no deadline: last
    assert (await post_csv(org.owner, rows)).json()["created"] == 8
    by_deadline = await listed(org.owner, "&sort=deadline")
    keys = [(soonest(p), p["full_name"]) for p in by_deadline]
    assert keys == sorted(keys)
    assert by_deadline[-1]["full_name"] == "Person 08"
    assert by_deadline[-1]["deadline"] is None
    assert len({p["deadline"] for p in by_deadline}) > 3, "the deadlines must differ"
    for p in by_deadline:
        deadlines = [o["deadline"] for o in p["obligations"] if o["deadline"]]
        assert p["deadline"] == min(deadlines, default=None)
    assert await listed(org.owner) == by_deadline, "the soonest deadline first by default"
    by_name = await listed(org.owner, "&sort=name")
    assert [p["full_name"] for p in by_name] == [f"Person {n:02}" for n in range(1, 9)]
    bad = await org.owner.get("/api/v1/staff?sort=birthday")
    assert bad.status_code == 400


def old_cursor(*key: object) -> str:
    """A cursor of the form the list returned before cursors named their sort: the bare key."""
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


async def test_a_cursor_continues_its_own_sort_and_one_of_the_old_form_continues_by_name(
    org: Org,
) -> None:
    """A client paging without ``sort`` across the change of the default keeps its order; a
    cursor sent with another explicit sort is refused with a problem that says why."""
    assert (await post_csv(org.owner, staggered_deadlines(6))).json()["created"] == 6
    by_name = await listed(org.owner, BY_NAME)
    names = [p["full_name"] for p in by_name]
    assert names == [f"Person {n:02}" for n in range(1, 7)]

    old = old_cursor(by_name[1]["full_name"], by_name[1]["person_id"])
    for query in ("", BY_NAME):  # no sort, as the client sent it before; or sort=name
        rest = await listed(org.owner, f"{query}&cursor={old}")
        assert [p["full_name"] for p in rest] == names[2:], query

    by_deadline = await listed(org.owner)
    first = await org.owner.get(f"/api/v1/staff?limit=2&as_of={AS_OF}")
    cursor = first.json()["next_cursor"]
    rest = await listed(org.owner, f"&cursor={cursor}")  # the cursor's sort, not sent again
    assert rest == by_deadline[2:]
    assert await listed(org.owner, f"&sort=deadline&cursor={cursor}") == by_deadline[2:]

    mixed = await org.owner.get(f"/api/v1/staff?sort=name&cursor={cursor}")
    assert mixed.status_code == 400, mixed.text
    assert mixed.headers["content-type"].startswith("application/problem+json")
    assert "sort=deadline" in mixed.text
    old_mixed = await org.owner.get(f"/api/v1/staff?sort=deadline&cursor={old}")
    assert old_mixed.status_code == 400, old_mixed.text
    assert "sort=name" in old_mixed.text
