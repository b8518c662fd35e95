"""Every CSV export over HTTP, from the API and from the portal: text recorded through the app
that a spreadsheet would run as a formula comes out neutralised (a leading single quote), the
product's numbers and days do not, and the content type names its charset once.

The exports are the transcript (``transcript.csv``) and the staff compliance report
(``compliance.csv``); the portal's download routes lead to them. Roster imports store such
text as typed, trimmed like any value: the export is what neutralises it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Org
from tests.e2e.test_people import CREDIT
from tests.e2e.test_staff import listed, post_csv

pytestmark = pytest.mark.e2e

PAYLOADS = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
REPORT = "/api/v1/reports/compliance.csv"


def neutralised(typed: str) -> str:
    """What the export holds for ``typed``: the value as stored (trimmed), behind a quote."""
    return "'" + typed.strip()


def rows_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CSV_CONTENT_TYPE
    return list(csv.DictReader(io.StringIO(response.text, newline="")))


async def _transcript_with_formulas(org: Org) -> tuple[AsyncTestClient[Any], str]:
    """An employee named like a formula, with one credit per payload as title and provider."""
    employee, _ = await org.member("employee")
    created = await employee.post("/api/v1/people", json={"full_name": "@SUM(A1)"})
    assert created.status_code == 201, created.text
    person_id = str(created.json()["person_id"])
    held = await employee.post(
        f"/api/v1/people/{person_id}/credentials",
        json={"body": "ARDMS", "code": "RVT", "earned_on": "2024-03-15", "specialties": ["VT"]},
    )
    assert held.status_code == 201, held.text
    for title, provider in zip(PAYLOADS, reversed(PAYLOADS), strict=True):
        recorded = await employee.post(
            f"/api/v1/people/{person_id}/credits",
            json={**CREDIT, "title": title, "provider": provider},
        )
        assert recorded.status_code == 201, recorded.text
    return employee, person_id


def assert_transcript_neutralised(rows: list[dict[str, str]]) -> None:
    credits = [r for r in rows if r["record"] == "credit"]
    assert credits, "the transcript lists the credits"
    assert {r["full_name"] for r in rows} == {"'@SUM(A1)"}
    by_credit = {r["credit_id"]: (r["title"], r["provider"]) for r in credits}
    assert sorted(by_credit.values()) == sorted(
        (neutralised(t), neutralised(p)) for t, p in zip(PAYLOADS, reversed(PAYLOADS), strict=True)
    )
    assert {(r["credits"], r["completed_on"]) for r in credits} == {
        (CREDIT["credits"], CREDIT["completed_on"])
    }, "the product's numbers and days stay numbers and days"


async def test_the_transcript_csv_neutralises_titles_providers_and_names(org: Org) -> None:
    employee, person_id = await _transcript_with_formulas(org)

    assert_transcript_neutralised(
        rows_of(await employee.get(f"/api/v1/people/{person_id}/transcript.csv"))
    )
    assert_transcript_neutralised(
        rows_of(await org.owner.get(f"/api/v1/people/{person_id}/transcript.csv?body=ARDMS"))
    )


async def test_the_portals_transcript_download_neutralises_the_same_cells(org: Org) -> None:
    employee, _ = await _transcript_with_formulas(org)

    downloaded = await employee.get(
        "/transcripts/download", params={"format": "csv", "body": "ARDMS", "period": "current"}
    )
    assert_transcript_neutralised(rows_of(downloaded))


def _roster() -> str:
    """One row per payload, in the name, department, site and employee number."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["employee_number", "email", "full_name", "department", "site", "credentials"])
    for n, payload in enumerate(PAYLOADS):
        writer.writerow(
            [
                f"{payload}#{n}",
                f"tech{n}@example.org",
                payload,
                payload,
                payload,
                "ARDMS:RVT:2024-03-15",
            ]
        )
    return out.getvalue()


async def test_an_import_stores_formula_like_text_as_typed_and_trimmed(org: Org) -> None:
    imported = await post_csv(org.owner, _roster())
    assert imported.status_code == 200, imported.text
    assert (imported.json()["created"], imported.json()["invalid"]) == (len(PAYLOADS), 0)

    stored = {p["email"]: p for p in await listed(org.owner)}
    for n, payload in enumerate(PAYLOADS):
        person = stored[f"tech{n}@example.org"]
        kept = payload.strip()
        assert (person["full_name"], person["department"], person["site"]) == (kept, kept, kept)
        assert person["employee_number"] == f"{kept}#{n}"


def assert_report_neutralised(rows: list[dict[str, str]]) -> None:
    by_number = {r["employee_number"]: r for r in rows}
    assert len(by_number) == len(PAYLOADS)
    for n, payload in enumerate(PAYLOADS):
        row = by_number[neutralised(f"{payload}#{n}")]
        cells = (row["full_name"], row["department"], row["site"])
        assert cells == (neutralised(payload),) * 3
    for row in rows:
        assert not row["ledger_seq"].startswith("'"), "a number stays a number"
        assert not row["as_of"].startswith("'"), "a day stays a day"
        assert row["credentials"].startswith("ARDMS RVT")


async def test_the_compliance_report_csv_neutralises_imported_roster_fields(org: Org) -> None:
    assert (await post_csv(org.owner, _roster())).status_code == 200

    assert_report_neutralised(rows_of(await org.owner.get(REPORT)))
    auditor, _ = await org.member("auditor")
    site = await auditor.get(REPORT, params={"site": "-2+3"})
    assert [r["site"] for r in rows_of(site)] == ["'-2+3"]


async def test_the_portals_report_download_neutralises_the_same_cells(org: Org) -> None:
    assert (await post_csv(org.owner, _roster())).status_code == 200

    downloaded = await org.owner.get("/reports/download", params={"format": "csv"})
    assert_report_neutralised(rows_of(downloaded))
