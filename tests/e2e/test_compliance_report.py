"""The staff compliance report over HTTP: the same numbers as each person's obligations, the
selection (department, site, body, status, deactivated staff), the credits per calendar year,
CSV and PDF exports recorded in the chain, and who may read it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from pypdf import PdfReader

from tests.e2e.conftest import Org
from tests.e2e.test_people import CREDIT

pytestmark = pytest.mark.e2e

REPORT = "/api/v1/reports/compliance"


async def _staff(
    owner: AsyncTestClient[Any], name: str, department: str, site: str, credential: dict[str, Any]
) -> str:
    created = await owner.post(
        "/api/v1/people", json={"full_name": name, "department": department, "site": site}
    )
    assert created.status_code == 201, created.text
    person_id = str(created.json()["person_id"])
    held = await owner.post(f"/api/v1/people/{person_id}/credentials", json=credential)
    assert held.status_code == 201, held.text
    return person_id


async def _lab(owner: AsyncTestClient[Any]) -> dict[str, str]:
    """Three technologists: two in Vascular (one with credits), one in Echo, one deactivated."""
    rvt = {"body": "ARDMS", "code": "RVT", "earned_on": "2024-03-15", "specialties": ["VT"]}
    rcs = {"body": "CCI", "code": "RCS", "earned_on": "2023-05-01"}
    people = {
        "ada": await _staff(owner, "Ada Vance", "Vascular", "North", rvt),
        "bo": await _staff(owner, "Bo Lindqvist", "Vascular", "South", rvt),
        "cy": await _staff(owner, "Cy Moreau", "Echo", "North", rcs),
        "dee": await _staff(owner, "Dee Okoro", "Vascular", "North", rvt),
    }
    for credit in (CREDIT, {**CREDIT, "title": "Venous mapping", "completed_on": "2025-03-04"}):
        recorded = await owner.post(f"/api/v1/people/{people['ada']}/credits", json=credit)
        assert recorded.status_code == 201, recorded.text
    gone = await owner.post(
        f"/api/v1/people/{people['dee']}/deactivation", json={"reason": "left the lab"}
    )
    assert gone.status_code == 201, gone.text
    return people


async def _report(client: AsyncTestClient[Any], **params: str) -> dict[str, Any]:
    response = await client.get(REPORT, params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_report_carries_each_persons_credentials_and_the_numbers_of_their_cycles(
    org: Org,
) -> None:
    people = await _lab(org.owner)
    report = await _report(org.owner, as_of="2026-11-26")

    assert [p["full_name"] for p in report["people"]] == ["Ada Vance", "Bo Lindqvist", "Cy Moreau"]
    assert report["organisation"] == "Riverside Imaging"
    assert report["selection"]["as_of"] == "2026-11-26"
    history = (await org.owner.get("/api/v1/audit/chain")).json()
    assert 0 < report["ledger_seq"] <= history["head_seq"]
    ada = report["people"][0]
    assert ada["person_id"] == people["ada"]
    assert ada["credentialed"] is True
    assert [(c["body"], c["code"], c["specialties"]) for c in ada["credentials"]] == [
        ("ARDMS", "RVT", ["VT"])
    ]
    obligations = (
        await org.owner.get(f"/api/v1/people/{people['ada']}/obligations?as_of=2026-11-26")
    ).json()
    assert [
        (o["body"], o["period"], o["status"], o["required"], o["counted"], o["shortfall"])
        for o in ada["obligations"]
    ] == [
        (
            o["body"],
            o["period"],
            o["status"],
            o["lines"][0]["required"],
            o["lines"][0]["counted"],
            o["lines"][0]["shortfall"],
        )
        for o in obligations
    ]
    years = {y["year"]: (y["completed"], y["verified"]) for y in ada["credits_by_year"]}
    assert years == {2023: ("0", "0"), 2024: ("0", "0"), 2025: ("1.25", "0"), 2026: ("1.25", "0")}
    for status, people in report["by_status"].items():
        having = [p for p in report["people"] if status in {s["status"] for s in p["standings"]}]
        assert people == len(having), status
    assert all(len(p["standings"]) == 1 for p in report["people"]), "one body each"
    assert report["credentialed"] == 3


async def test_the_selection_narrows_the_people_and_the_cycles_shown(org: Org) -> None:
    await _lab(org.owner)

    vascular = await _report(org.owner, department="Vascular")
    assert [p["full_name"] for p in vascular["people"]] == ["Ada Vance", "Bo Lindqvist"]
    north = await _report(org.owner, department="Vascular", site="North")
    assert [p["full_name"] for p in north["people"]] == ["Ada Vance"]
    cci = await _report(org.owner, body="CCI")
    assert [p["full_name"] for p in cci["people"]] == ["Cy Moreau"]
    assert {o["body"] for o in cci["people"][0]["obligations"]} == {"CCI"}
    everyone = await _report(org.owner, activity="all")
    assert [p["full_name"] for p in everyone["people"]][-1] == "Dee Okoro"
    assert everyone["people"][-1]["active"] is False

    status = next(
        o["status"] for o in vascular["people"][1]["obligations"] if o["period"] == "current"
    )
    chosen = await _report(org.owner, status=status)
    assert "Bo Lindqvist" in [p["full_name"] for p in chosen["people"]]
    assert all(
        any(o["status"] == status and o["period"] == "current" for o in p["obligations"])
        for p in chosen["people"]
    )
    later = await _report(org.owner, as_of="2025-06-30")
    ada = later["people"][0]
    assert [y["year"] for y in ada["credits_by_year"]] == [2022, 2023, 2024, 2025]
    assert ada["credits_by_year"][-1]["completed"] == "1.25"


async def test_csv_and_pdf_exports_are_recorded_with_their_selection(org: Org) -> None:
    await _lab(org.owner)

    response = await org.owner.get(f"{REPORT}.csv", params={"department": "Vascular"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["full_name"] for r in rows} == {"Ada Vance", "Bo Lindqvist"}
    ada = [r for r in rows if r["full_name"] == "Ada Vance"]
    assert {r["period"] for r in ada} <= {"current", "previous"}
    assert len(ada) >= 1
    year = datetime.now(UTC).year
    assert ada[0][f"credits_{year}"] == "1.25"
    assert ada[0]["credentials"].startswith("ARDMS RVT VT (active, earned 2024-03-15")

    pdf = await org.owner.get(f"{REPORT}.pdf", params={"body": "CCI"})
    assert pdf.status_code == 200, pdf.text
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Cy Moreau" in text
    assert "Ada Vance" not in text
    assert "holding CCI credentials" in text

    found = await org.owner.get(
        "/api/v1/audit/events", params={"event_type": "audits.ComplianceReportExported"}
    )
    exports = [e["data"] for e in found.json()["events"]]
    assert [(e["format"], e["department"], e["body"], e["people"]) for e in exports] == [
        ("csv", "Vascular", None, 2),
        ("pdf", None, "CCI", 1),
    ]


async def test_auditors_read_the_report_employees_may_not_and_bad_input_is_a_problem(
    org: Org,
) -> None:
    await _lab(org.owner)
    auditor, _ = await org.member("auditor")
    assert (await auditor.get(REPORT)).status_code == 200
    assert (await auditor.get(f"{REPORT}.pdf")).status_code == 200
    employee, _ = await org.member("employee")
    refused = await employee.get(f"{REPORT}.csv")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")

    before = await org.owner.get(
        "/api/v1/audit/events", params={"event_type": "audits.ComplianceReportExported"}
    )
    for params in ({"as_of": "yesterday"}, {"body": "XYZ"}, {"status": "great"}):
        bad = await org.owner.get(f"{REPORT}.csv", params=params)
        assert bad.status_code == 400, (params, bad.text)
        assert bad.headers["content-type"].startswith("application/problem+json")
    after = await org.owner.get(
        "/api/v1/audit/events", params={"event_type": "audits.ComplianceReportExported"}
    )
    assert len(after.json()["events"]) == len(before.json()["events"]) == 1
