"""Staff records over HTTP: own record, credentials, credits with immediate acceptance,
obligations, and who may read or change whose record."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient

from services.core.settings import Settings
from tests.e2e.conftest import Org, connected_client, sign_up
from tests.payloads import CREDIT

pytestmark = pytest.mark.e2e


async def own_record(client: AsyncTestClient[Any], name: str = "Nia Okafor") -> str:
    created = await client.post("/api/v1/people", json={"full_name": name})
    assert created.status_code == 201, created.text
    person_id = created.json()["person_id"]
    credential = await client.post(
        f"/api/v1/people/{person_id}/credentials",
        json={"body": "ARDMS", "code": "RVT", "earned_on": "2024-03-15", "specialties": ["VT"]},
    )
    assert credential.status_code == 201, credential.text
    return str(person_id)


async def test_an_employee_records_a_credit_and_sees_at_once_who_accepts_it(org: Org) -> None:
    employee, me = await org.member("employee")
    person_id = await own_record(employee)
    assert person_id == me["user_id"]

    recorded = await employee.post(f"/api/v1/people/{person_id}/credits", json=CREDIT)
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert body["credit"]["details"]["credits"] == "1.25"
    [ardms] = [a for a in body["acceptance"] if a["period"] == "current"]
    assert (ardms["body"], ardms["counted"], ardms["not_counted"]) == ("ARDMS", "1.25", [])
    assert ardms["admitted_by"]

    obligations = (await employee.get(f"/api/v1/people/{person_id}/obligations")).json()
    current = next(o for o in obligations if o["period"] == "current" and o["body"] == "ARDMS")
    total = next(line for line in current["lines"] if not line["topics"])
    assert (total["counted"], total["required"]) == ("1.25", "30")
    assert current["status"] in {"on_track", "at_risk"}

    before = await employee.get(f"/api/v1/people/{person_id}/obligations?as_of=2026-01-01")
    assert before.status_code == 200
    assert all(not o["used"] for o in before.json()), "a credit completed later cannot count"


async def test_corrections_keep_history_and_need_a_reason(org: Org) -> None:
    employee, _ = await org.member("employee")
    person_id = await own_record(employee)
    credit_id = (await employee.post(f"/api/v1/people/{person_id}/credits", json=CREDIT)).json()[
        "credit"
    ]["credit_id"]
    base = f"/api/v1/people/{person_id}/credits/{credit_id}"

    no_reason = await employee.post(f"{base}/retraction", json={"reason": ""})
    assert no_reason.status_code == 400
    amended = await employee.post(
        f"{base}/amendments", json={"details": {**CREDIT, "credits": "2"}, "reason": "typo"}
    )
    assert amended.status_code == 201, amended.text
    assert amended.json()["details"]["credits"] == "2"
    retracted = await employee.post(f"{base}/retraction", json={"reason": "duplicate entry"})
    assert retracted.status_code == 201
    assert retracted.json()["retraction_reason"] == "duplicate entry"
    again = await employee.post(f"{base}/amendments", json={"details": CREDIT, "reason": "x"})
    assert again.status_code == 422


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"credits": "0.3"}, 422),
        ({"credits": "0"}, 422),
        ({"credits": "-1"}, 400),
        ({"credits": "1_000"}, 400),
        ({"credits": " 1"}, 400),
        ({"credits": "1e1"}, 400),
        ({"credits": "\u0661"}, 400),
        ({"credit_types": ["made_up"]}, 400),
        ({"completed_on": "not a date"}, 400),
        ({"title": 42}, 400),
    ],
)
async def test_bad_credits_are_clear_problems_and_store_nothing(
    org: Org, change: dict[str, Any], status: int
) -> None:
    employee, _ = await org.member("employee")
    person_id = await own_record(employee)
    response = await employee.post(f"/api/v1/people/{person_id}/credits", json={**CREDIT, **change})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]
    assert (await employee.get(f"/api/v1/people/{person_id}/credits")).json() == []


async def test_malformed_json_is_a_problem(org: Org) -> None:
    response = await org.owner.post(
        "/api/v1/people", content=b'{"full_name": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_employees_see_and_change_only_their_own_record(org: Org) -> None:
    employee, _ = await org.member("employee")
    colleague, _ = await org.member("employee")
    mine = await own_record(employee)
    theirs = await own_record(colleague, name="Sam Reyes")
    for method, path, body in [
        ("GET", f"/api/v1/people/{theirs}", None),
        ("GET", f"/api/v1/people/{theirs}/credits", None),
        ("GET", f"/api/v1/people/{theirs}/obligations", None),
        ("POST", f"/api/v1/people/{theirs}/credits", CREDIT),
        ("PUT", f"/api/v1/people/{theirs}/birth-month", {"birth_month": 4}),
        ("POST", "/api/v1/people", {"full_name": "Ghost", "person_id": theirs}),
        ("GET", "/api/v1/organisation/summary", None),
        ("PUT", f"/api/v1/people/{mine}/assignment", {"department": "Echo"}),
    ]:
        response = await employee.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.text)
    assert (await employee.get(f"/api/v1/people/{mine}")).status_code == 200


async def test_auditors_read_everything_and_change_nothing(org: Org) -> None:
    employee, _ = await org.member("employee")
    auditor, _ = await org.member("auditor")
    person_id = await own_record(employee)
    for path in ("", "/credits", "/obligations"):
        assert (await auditor.get(f"/api/v1/people/{person_id}{path}")).status_code == 200
    assert (await auditor.get("/api/v1/organisation/summary")).status_code == 200
    for method, path, body in [
        ("POST", f"/api/v1/people/{person_id}/credits", CREDIT),
        (
            "POST",
            f"/api/v1/people/{person_id}/credentials",
            {"body": "ARRT", "code": "S", "earned_on": "2020-01-01"},
        ),
        ("PUT", f"/api/v1/people/{person_id}/birth-month", {"birth_month": 4}),
        ("POST", "/api/v1/people", {"full_name": "Audit Self"}),
        ("POST", "/api/v1/invitations", {"email": "x@example.org", "role": "employee"}),
    ]:
        response = await auditor.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.text)


async def test_admins_manage_staff_and_see_the_organisation_summary(org: Org) -> None:
    admin, _ = await org.member("admin")
    created = await admin.post(
        "/api/v1/people",
        json={
            "full_name": "Lee Park",
            "department": "Vascular",
            "site": "North",
            "employee_number": "E-104",
        },
    )
    assert created.status_code == 201, created.text
    person_id = created.json()["person_id"]
    moved = await admin.put(
        f"/api/v1/people/{person_id}/assignment",
        json={"department": "Echo", "site": "North", "employee_number": "E-104"},
    )
    assert moved.json()["department"] == "Echo"
    summary = (await admin.get("/api/v1/organisation/summary")).json()
    assert "Echo" in {group["name"] for group in summary["by_department"]}


async def test_another_organisation_gets_404_for_every_person_path(
    org: Org, migrated: Settings
) -> None:
    employee, _ = await org.member("employee")
    person_id = await own_record(employee)
    credit_id = (await employee.post(f"/api/v1/people/{person_id}/credits", json=CREDIT)).json()[
        "credit"
    ]["credit_id"]
    async with connected_client(migrated) as intruder:
        await sign_up(intruder, organisation_name="Intruder Imaging")
        for method, path, body in [
            ("GET", f"/api/v1/people/{person_id}", None),
            ("GET", f"/api/v1/people/{person_id}/credits", None),
            ("GET", f"/api/v1/people/{person_id}/obligations", None),
            ("POST", f"/api/v1/people/{person_id}/credits", CREDIT),
            (
                "POST",
                f"/api/v1/people/{person_id}/credentials",
                {"body": "ARRT", "code": "S", "earned_on": "2020-01-01"},
            ),
            ("PUT", f"/api/v1/people/{person_id}/birth-month", {"birth_month": 4}),
            ("PUT", f"/api/v1/people/{person_id}/assignment", {"department": "X"}),
            (
                "POST",
                f"/api/v1/people/{person_id}/credits/{credit_id}/retraction",
                {"reason": "mine now"},
            ),
            (
                "POST",
                f"/api/v1/people/{uuid4()}/credits/{credit_id}/retraction",
                {"reason": "mine now"},
            ),
        ]:
            response = await intruder.request(method, path, json=body)
            assert response.status_code == 404, (method, path, response.text)
            assert "Carotid" not in response.text
            assert "Nia" not in response.text
    still = (await employee.get(f"/api/v1/people/{person_id}/credits")).json()
    assert [c["retraction_reason"] for c in still] == [None]


async def test_an_arrt_technologist_records_the_cqr_of_a_time_limited_credential(org: Org) -> None:
    employee, _ = await org.member("employee")
    created = await employee.post("/api/v1/people", json={"full_name": "Ari Cohen"})
    person_id = created.json()["person_id"]
    await employee.put(f"/api/v1/people/{person_id}/birth-month", json={"birth_month": 3})
    added = await employee.post(
        f"/api/v1/people/{person_id}/credentials",
        json={"body": "ARRT", "code": "R", "earned_on": "2017-05-10"},
    )
    [credential] = added.json()["credentials"]

    def cqr(obligations: list[dict[str, Any]]) -> dict[str, Any]:
        current = next(o for o in obligations if o["body"] == "ARRT" and o["period"] == "current")
        [step] = current["qualifications"]
        return dict(step)

    url = f"/api/v1/people/{person_id}/obligations"
    before = cqr((await employee.get(url)).json())
    assert (before["code"], before["completed_on"]) == ("R", None)
    assert (before["period"]["start"], before["status"]) == ("2017-05-10", "open")

    done = await employee.post(
        f"/api/v1/people/{person_id}/credentials/{credential['credential_id']}/cqr-completion",
        json={"completed_on": "2025-06-01"},
    )
    assert done.status_code == 201, done.text
    after = cqr((await employee.get(url)).json())
    assert (after["completed_on"], after["status"]) == ("2025-06-01", "completed")
