"""Input the service cannot store or should not believe is refused at the edge with a problem
(API) or a readable page (portal), never a 500, and changes nothing: NUL characters, deeply
nested JSON, dates outside the documented range, over-long text and loose number syntax."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from domain.shared.limits import EARLIEST_DAY, LATEST_DAY, TITLE_LENGTH
from services.api.app import create_app
from services.api.input_limits import MAX_JSON_DEPTH
from services.core.settings import Settings
from tests.e2e.conftest import Org
from tests.e2e.test_people import CREDIT, own_record

pytestmark = pytest.mark.e2e


def assert_problem(response: Any, status: int, *, type_: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = dict(response.json())
    assert problem["type"].startswith("urn:cmeledger:problem:"), problem
    if type_ is not None:
        assert problem["type"] == f"urn:cmeledger:problem:{type_}", problem
    return problem


async def people_named(client: AsyncTestClient[Any], name: str) -> list[Any]:
    page = (await client.get("/api/v1/staff", params={"search": name})).json()
    return list(page["items"])


@pytest.mark.parametrize(
    "body",
    [
        {"full_name": "Nia\u0000Okafor"},
        {"full_name": "Nia Okafor", "department": "\u0000"},
        {"full_name": "Nia Okafor", "extra\u0000key": "x"},
    ],
)
async def test_a_nul_character_in_a_json_string_or_key_is_a_400_problem(
    org: Org, body: dict[str, Any]
) -> None:
    response = await org.owner.post("/api/v1/people", json=body)
    problem = assert_problem(response, 400, type_="bad_request")
    assert "NUL" in problem["detail"]
    assert await people_named(org.owner, "Nia") == []


@pytest.mark.parametrize(
    "query",
    ["department=a%00b", "search=%00", "as_of=2026-01-01%00", "cursor=%00&limit=2"],
)
async def test_a_nul_character_in_a_query_parameter_is_a_400_problem(org: Org, query: str) -> None:
    response = await org.owner.get(f"/api/v1/staff?{query}")
    assert "NUL" in assert_problem(response, 400, type_="bad_request")["detail"]


async def test_a_nul_character_in_a_portal_form_is_a_page_and_stores_nothing(org: Org) -> None:
    response = await org.owner.post("/profile", data={"full_name": "Nia\u0000Okafor"})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "NUL" in response.text
    assert (await org.owner.get(f"/api/v1/people/{org.owner_info['user_id']}")).status_code == 404


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000, 100_000])
async def test_deeply_nested_json_is_a_400_problem(org: Org, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    response = await org.owner.post(
        "/api/v1/people",
        content=f'{{"full_name": "Nia Okafor", "department": {nested}}}',
        headers={"content-type": "application/json"},
    )
    assert str(MAX_JSON_DEPTH) in assert_problem(response, 400)["detail"]


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("obligations", {"as_of": "9999-12-31"}, "as_of"),
        ("obligations", {"as_of": "0001-01-01"}, "as_of"),
        ("obligations", {"known_at": "9999-12-31T23:59:59Z"}, "known_at"),
        ("obligations", {"known_at": "0001-01-01T00:00:00Z"}, "known_at"),
        ("/api/v1/organisation/summary", {"as_of": "9999-12-31"}, "as_of"),
        ("/api/v1/staff", {"as_of": "0001-01-01"}, "as_of"),
        ("/api/v1/reports/compliance.csv", {"as_of": "0001-01-01"}, "as_of"),
        ("/api/v1/audit/events", {"since": "9999-12-31T23:59:59Z"}, "since"),
    ],
)
async def test_a_date_parameter_outside_its_range_is_a_422_naming_it(
    org: Org, path: str, query: dict[str, str], field: str
) -> None:
    person_id = await own_record(org.owner)
    url = f"/api/v1/people/{person_id}/obligations" if path == "obligations" else path
    problem = assert_problem(await org.owner.get(url, params=query), 422, type_="date_out_of_range")
    assert problem["detail"].startswith(f"{field} must lie between {EARLIEST_DAY}")


@pytest.mark.parametrize("day", [EARLIEST_DAY, LATEST_DAY])
async def test_obligations_evaluate_on_the_first_and_last_day_of_the_range(
    org: Org, day: Any
) -> None:
    person_id = await own_record(org.owner)
    assert (
        await org.owner.put(f"/api/v1/people/{person_id}/birth-month", json={"birth_month": 12})
    ).status_code == 200
    arrt = await org.owner.post(
        f"/api/v1/people/{person_id}/credentials",
        json={"body": "ARRT", "code": "R", "earned_on": "2020-06-01"},
    )
    assert arrt.status_code == 201, arrt.text
    recorded = await org.owner.post(f"/api/v1/people/{person_id}/credits", json=CREDIT)
    assert recorded.status_code == 201, recorded.text
    base = f"/api/v1/people/{person_id}/obligations"
    for query in ({"as_of": day.isoformat()}, {"known_at": f"{day.isoformat()}T23:59:59Z"}):
        response = await org.owner.get(base, params=query)
        assert response.status_code in (200, 404), response.text  # 404: not yet registered
    summary = await org.owner.get("/api/v1/organisation/summary", params={"as_of": str(day)})
    assert summary.status_code == 200, summary.text
    report = await org.owner.get("/api/v1/reports/compliance.csv", params={"as_of": str(day)})
    assert report.status_code == 200, report.text


@pytest.mark.parametrize(
    ("change", "status", "said"),
    [
        ({"title": "x" * (1 << 20)}, 400, f"title: Expected `str` of length <= {TITLE_LENGTH}"),
        ({"credits": "1_000"}, 400, "credits: Expected `str` matching regex"),
        ({"completed_on": "0001-01-01"}, 422, "completed_on must lie between 1950-01-01"),
        ({"completed_on": "1949-12-31"}, 422, "completed_on must lie between 1950-01-01"),
    ],
)
async def test_a_credit_over_its_limits_is_refused_with_the_limit_and_stores_nothing(
    org: Org, change: dict[str, Any], status: int, said: str
) -> None:
    person_id = await own_record(org.owner)
    response = await org.owner.post(
        f"/api/v1/people/{person_id}/credits", json={**CREDIT, **change}
    )
    assert said in assert_problem(response, status)["detail"]
    assert (await org.owner.get(f"/api/v1/people/{person_id}/credits")).json() == []


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/people", {"full_name": "Nia", "department": "d" * 201}),
        ("/api/v1/people", {"full_name": "Nia", "employee_number": "1" * 101}),
        ("/api/v1/tokens", {"name": "t" * 101, "scopes": ["read"]}),
        ("/api/v1/invitations", {"email": "a" * 300 + "@example.org", "role": "employee"}),
        ("/api/v1/providers", {"name": "p" * 100_000}),
    ],
)
async def test_every_free_text_field_has_a_length_cap(
    org: Org, path: str, body: dict[str, Any]
) -> None:
    response = await org.owner.post(path, json=body)
    assert response.status_code in (400, 422), response.text
    assert_problem(response, response.status_code)


async def test_a_token_expiring_after_the_range_is_refused(org: Org) -> None:
    response = await org.owner.post(
        "/api/v1/tokens",
        json={"name": "ci", "scopes": ["read"], "expires_at": "9999-12-31T23:59:59Z"},
    )
    assert "expires_at must lie between" in assert_problem(response, 422)["detail"]
    assert (await org.owner.get("/api/v1/tokens")).json() == []


async def test_a_moment_without_a_time_zone_is_a_400_naming_the_field_and_changes_nothing(
    org: Org,
) -> None:
    _, auditor = await org.member("auditor")
    access = f"/api/v1/members/{auditor['user_id']}/auditor-access"
    members_before = (await org.owner.get("/api/v1/members")).json()
    invitations_before = (await org.owner.get("/api/v1/invitations")).json()
    naive = "2027-01-01T00:00:00"

    for path, body, field in [
        ("/api/v1/tokens", {"name": "ci", "scopes": ["read"], "expires_at": naive}, "expires_at"),
        (
            "/api/v1/invitations",
            {"email": "auditor@example.org", "role": "auditor", "access_until": naive},
            "access_until",
        ),
    ]:
        problem = assert_problem(await org.owner.post(path, json=body), 400, type_="bad_request")
        assert problem["detail"].startswith(f"{field}: "), problem
    problem = assert_problem(
        await org.owner.put(access, json={"access_until": naive}), 400, type_="bad_request"
    )
    assert problem["detail"].startswith("access_until: "), problem

    assert (await org.owner.get("/api/v1/tokens")).json() == []
    assert (await org.owner.get("/api/v1/invitations")).json() == invitations_before
    assert (await org.owner.get("/api/v1/members")).json() == members_before


UNCAPPED_IN_SCHEMA = {
    "AddProvider.aliases[]": "Litestar drops the cap of tuple items from the schema; msgspec"
    " enforces it (test_every_free_text_field_has_a_length_cap)",
    "BlockProvider.aliases[]": "as AddProvider.aliases[]",
}
"""Strings the OpenAPI schema shows without a cap although one is enforced, and why."""


def test_every_string_a_request_sends_has_a_documented_length_cap(settings: Settings) -> None:
    schema = create_app(settings).openapi_schema.to_schema()
    components = schema["components"]["schemas"]
    uncapped: set[str] = set()

    def walk(node: dict[str, Any], where: str, seen: frozenset[str], capped: bool) -> None:
        capped = capped or "maxLength" in node
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(components[name], name, seen | {name}, capped)
            return
        for key in ("oneOf", "anyOf", "allOf"):
            for option in node.get(key, []):
                walk(option, where, seen, capped)
        for name, property_schema in node.get("properties", {}).items():
            walk(property_schema, f"{where}.{name}", seen, False)
        if "items" in node:
            walk(node["items"], f"{where}[]", seen, False)
        free_text = not ({"enum", "const"} & node.keys()) and node.get("format") not in (
            "uuid",
            "date",
            "date-time",
            "binary",
        )
        if node.get("type") == "string" and free_text and not capped:
            uncapped.add(where)

    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            label = f"{method.upper()} {path}"
            for content in operation.get("requestBody", {}).get("content", {}).values():
                walk(content["schema"], label, frozenset(), False)
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    walk(parameter["schema"], f"{label} ?{parameter['name']}", frozenset(), False)
    assert uncapped == set(UNCAPPED_IN_SCHEMA)


async def test_an_imported_row_over_the_limits_is_an_invalid_row_and_the_rest_is_imported(
    org: Org,
) -> None:
    rows = (
        "employee_number,email,full_name,department,credentials\n"
        "E-1,,Ada One,Echo,ARDMS:RDMS:2020-01-01:AB\n"
        f"E-2,,Bo Two,{'d' * 201},\n"
        "E-3,,Cy Three,Echo,ARDMS:RDMS:0001-01-01:AB\n"
    )
    imported = await org.owner.post(
        "/api/v1/staff/import?mode=valid_rows",
        content=rows.encode(),
        headers={"content-type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    report = imported.json()
    assert (report["created"], report["invalid"]) == (1, 2)
    errors = {row["line"]: row["errors"] for row in report["report"]}
    assert errors[3] == ["the department must be at most 200 characters, not 201"]
    assert "between 1950-01-01" in errors[4][0]


@pytest.mark.parametrize("moment", ["9999-12-31T23:59", "0001-01-01T00:00"])
async def test_a_portal_replay_moment_outside_the_range_is_a_field_message(
    org: Org, moment: str
) -> None:
    person_id = await own_record(org.owner)
    page = await org.owner.get(f"/audit/people/{person_id}", params={"at": moment})
    assert page.status_code == 200, page.text
    assert "Enter the moment between 1 Jan 1900 and 31 Dec 2200" in page.text


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (" ," * 16_000, "Enter the moment as a day and a time, like 7 Dec 2026 14:30"),
        ("7 Dec 2026" + " ," * 16_000 + " 14:30", "Enter the moment as a day and a time"),
        ("7 Dec 2026\x01 14:30", "Enter the moment without control characters"),
    ],
)
async def test_a_portal_replay_moment_longer_than_any_day_and_time_is_a_field_message(
    org: Org, moment: str, message: str
) -> None:
    person_id = await own_record(org.owner)
    page = await org.owner.get(f"/audit/people/{person_id}", params={"at": moment})
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert message in page.text
    assert "As recorded on" not in page.text
