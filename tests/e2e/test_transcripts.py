"""Transcript exports over HTTP: CSV and PDF carry the obligations' numbers and each credit's
acceptance, follow the record's access rules, and are recorded in the tenant's chain."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from pypdf import PdfReader

from domain.vocabulary import STATUSES
from services.core.settings import Settings
from tests.e2e.conftest import Org, connected_client, sign_up
from tests.e2e.test_people import CREDIT, own_record

pytestmark = pytest.mark.e2e

NAME = "Zoë Łukasiewicz-Nguyễn"
TOO_EARLY = {**CREDIT, "title": "Before the cycle", "completed_on": "2019-01-10"}


async def _person_with_credits(org: Org) -> tuple[AsyncTestClient[Any], str]:
    employee, _ = await org.member("employee")
    person_id = await own_record(employee, NAME)
    for body in (CREDIT, TOO_EARLY):
        recorded = await employee.post(f"/api/v1/people/{person_id}/credits", json=body)
        assert recorded.status_code == 201, recorded.text
    return employee, person_id


async def _exports(client: AsyncTestClient[Any]) -> list[dict[str, Any]]:
    found = await client.get("/api/v1/audit/events?event_type=audits.TranscriptExported")
    assert found.status_code == 200, found.text
    return [e["data"] for e in found.json()["events"]]


async def test_the_csv_carries_the_obligations_numbers_and_each_credits_acceptance(
    org: Org,
) -> None:
    employee, person_id = await _person_with_credits(org)
    obligations = (await employee.get(f"/api/v1/people/{person_id}/obligations")).json()

    response = await employee.get(f"/api/v1/people/{person_id}/transcript.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["full_name"] for r in rows} == {NAME}

    for o in obligations:
        mine = [r for r in rows if (r["body"], r["period"]) == (o["body"], o["period"])]
        lines = [r for r in mine if r["record"] == "requirement"]
        assert [(r["requirement"], r["required"], r["counted"], r["shortfall"]) for r in lines] == [
            (line["label"], line["required"], line["counted"], line["shortfall"])
            for line in o["lines"]
        ]
        assert {r["status"] for r in mine} == {o["status"]}
        credits = {r["credit_id"]: r for r in mine if r["record"] == "credit"}
        for use in o["used"]:
            assert credits[use["credit_id"]]["accepted"] == "yes"
            assert credits[use["credit_id"]]["counted"] == use["credits_counted"]
        for refused in o["not_used"]:
            assert credits[refused["credit_id"]]["accepted"] == "no"
            assert refused["reason"] in credits[refused["credit_id"]]["reason"]

    current = [r for r in rows if (r["body"], r["period"]) == ("ARDMS", "current")]
    early = next(r for r in current if r["title"] == "Before the cycle")
    assert (early["accepted"], early["counted"]) == ("no", "0")
    assert next(r for r in current if r["title"] == CREDIT["title"])["accepted"] == "yes"

    only = await employee.get(
        f"/api/v1/people/{person_id}/transcript.csv?body=ARDMS&period=current"
    )
    assert {(r["body"], r["period"]) for r in csv.DictReader(io.StringIO(only.text))} == {
        ("ARDMS", "current")
    }
    exports = await _exports(org.owner)
    assert [(e["format"], e["body"], e["period"]) for e in exports] == [
        ("csv", None, None),
        ("csv", "ARDMS", "current"),
    ]
    assert {e["person_id"] for e in exports} == {person_id}


async def test_the_pdf_names_the_person_body_and_numbers(org: Org) -> None:
    employee, person_id = await _person_with_credits(org)
    obligations = (await employee.get(f"/api/v1/people/{person_id}/obligations")).json()
    current = next(o for o in obligations if (o["body"], o["period"]) == ("ARDMS", "current"))
    total = current["lines"][0]

    auditor, _ = await org.member("auditor")
    response = await auditor.get(f"/api/v1/people/{person_id}/transcript.pdf?period=current")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert NAME in text
    assert "ARDMS, current cycle" in text
    assert f"Total {total['required']} {total['counted']} {total['waived']}" in text
    assert STATUSES[current["status"]] in text
    assert "previous cycle" not in text
    assert "Before the cycle" not in text, "a credit appears only in the cycles it falls in"
    assert person_id not in text
    found = await auditor.get("/api/v1/audit/events?event_type=audits.TranscriptExported")
    [recorded] = found.json()["events"]
    assert f"up to event {recorded['seq']}, chain head {recorded['hash']}" in text
    assert "Page 1 of 1" in text
    disposition = response.headers["content-disposition"]
    today = datetime.now(UTC).date()
    assert f'filename="transcript-zoe-lukasiewicz-nguyen-{today}.pdf"' in disposition
    [export] = await _exports(auditor)
    assert (export["format"], export["period"], export["person_id"]) == (
        "pdf",
        "current",
        person_id,
    )


async def test_a_colleague_may_not_export_and_another_organisation_sees_nothing(
    org: Org, migrated: Settings
) -> None:
    _, person_id = await _person_with_credits(org)
    colleague, _ = await org.member("employee")
    async with connected_client(migrated) as stranger:
        await sign_up(stranger)
        for suffix in ("csv", "pdf"):
            url = f"/api/v1/people/{person_id}/transcript.{suffix}"
            assert (await colleague.get(url)).status_code == 403
            response = await stranger.get(url)
            assert response.status_code == 404
            assert NAME not in response.text
    assert await _exports(org.owner) == []
