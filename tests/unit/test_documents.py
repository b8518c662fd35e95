"""The transcript and the compliance report as people read them: every page is rendered to PNG
(pdftoppm) and kept under ``test-output/documents/``; the text (pdftotext) names the
organisation, the person, the registry ids, the day, the page numbers and the chain head, says
statuses and reasons in words, and carries no code, UUID or ISO date of the record."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import get_args
from uuid import uuid4

import pytest

from domain.compliance.evaluation import ExclusionReason, Obligation, Status
from domain.credits.credit import Credit, CreditType, VerificationStatus
from domain.people.credentials import CredentialStatus
from domain.people.person import Person
from services.core.documents import Verification, file_name
from services.core.people import transcripts
from services.core.reports import compliance as reports
from tests.unit.domain.cme_builders import credential, credit, obligations

pytestmark = [
    pytest.mark.unit,
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed"),
]

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-output" / "documents"
TODAY = date(2026, 12, 7)
AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
HEAD = "9f" * 32
VERIFIED_UP_TO = Verification(418, HEAD)
CODES = {
    code
    for vocabulary in (Status, ExclusionReason, VerificationStatus, CredentialStatus, CreditType)
    for code in get_args(vocabulary)
    if "_" in code
}
"""Codes that are never words (``at_risk``, ``needs_review``, ``outside_window``...)."""
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ISO_TIME = re.compile(r"\d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T")


def look_at(pdf: bytes, name: str) -> tuple[str, list[Path]]:
    """The PDF's text, and its pages rendered as PNG images kept under ``ARTEFACTS/name``."""
    folder = ARTEFACTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", str(folder / f"{name}.pdf"), str(folder / "page")],
        check=True,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(folder / f"{name}.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return text, sorted(folder.glob("page-*.png"))


def assert_readable(text: str) -> None:
    words = set(re.findall(r"[A-Za-z_]+", text))
    assert sorted(CODES & words) == []
    assert UUID.findall(text) == []
    assert ISO_DATE.findall(text) == []
    assert ISO_TIME.findall(text) == []


def assert_pages(text: str, pages: list[Path]) -> None:
    assert pages, "no page rendered"
    for number in range(1, len(pages) + 1):
        assert f"Page {number} of {len(pages)}" in text
    flat = " ".join(text.split())
    assert flat.count(f"up to event 418, chain head {HEAD}") == len(pages)


def ada() -> tuple[Person, list[Credit], list[Obligation]]:
    held = credential("ARDMS", "RDMS", date(2015, 3, 1))
    person = Person(
        person_id=uuid4(),
        full_name="Ada Lovelace",
        employee_number="E-17",
        registry_ids={"ARDMS": "1234567"},
        credentials=(held,),
    )
    credits = [
        credit(date(2021, 6, 1), "10", title="Fetal echo basics", verification="verified"),
        credit(date(2023, 2, 1), "12", title="Carotid Doppler", verification="verified"),
        credit(date(2024, 5, 3), "6", title="Renal artery workshop", verification="needs_review"),
        credit(date(2025, 9, 9), "4", title="Abdominal review", verification="pending"),
        credit(date(2026, 3, 3), "2", title="Retracted talk", retraction_reason="duplicate"),
        credit(date(2026, 12, 20), "3", title="Booked course", verification="pending"),
    ]
    return person, credits, obligations(person, credits, today=TODAY)


def test_the_transcript_is_a_table_per_cycle_in_words_with_page_numbers_and_chain_head() -> None:
    person, credits, found = ada()
    assert {o.status for o in found} - {"compliant"}, "the example shows a status in words"
    pdf = transcripts.to_pdf(
        person,
        credits,
        found,
        organisation="Riverside Imaging",
        generated_at=AT,
        verification=VERIFIED_UP_TO,
    )
    text, pages = look_at(pdf, "transcript")
    assert_readable(text)
    assert_pages(text, pages)
    flat = " ".join(text.split())
    for fact in ("Riverside Imaging", "Ada Lovelace", "ARDMS 1234567", "E-17", "7 Dec 2026"):
        assert fact in flat
    for o in found:
        assert transcripts.cycle_heading(o) in flat
    for c in credits:
        cycles = [o for o in found if c in transcripts.in_cycle(o, credits)]
        assert flat.count(c.details.title) == len(cycles), c.details.title
    assert flat.count("Cycle total") == sum(1 for o in found if transcripts.in_cycle(o, credits))


def _person(name: str, status: Status, shortfall: str) -> reports.ReportPerson:
    return reports.ReportPerson(
        person_id=uuid4(),
        full_name=name,
        employee_number="E-1",
        department="Echocardiography",
        site="North",
        active=True,
        credentialed=True,
        credentials=[
            reports.ReportCredential(
                body="ARDMS",
                code="RDCS",
                earned_on=date(2019, 4, 2),
                status="active",
                specialties=["AE"],
                registry_id="7654321",
            )
        ],
        obligations=[
            reports.ReportObligation(
                body="ARDMS",
                period=period,
                window_start=date(2024 - back, 1, 1),
                window_end=date(2026 - back, 12, 31),
                deadline=date(2026 - back, 12, 31),
                required=Decimal(30),
                counted=Decimal(30) - Decimal(shortfall),
                waived=Decimal(0),
                shortfall=Decimal(shortfall),
                status=status,
                unconfirmed_rule=back == 0,
            )
            for period, back in (("previous", 3), ("current", 0))
        ],
        standings=[
            reports.ReportStanding(
                body="ARDMS",
                status=status,
                deadline=date(2026, 12, 31),
                shortfall=Decimal(shortfall),
                sentence=f"{shortfall} credits still to earn by 31 Dec 2026.",
            )
        ],
        credits_by_year=[
            reports.YearCredits(year=y, completed=Decimal(5), verified=Decimal(3))
            for y in range(2023, 2027)
        ],
    )


def twelve_people(selection: reports.ReportSelection) -> reports.ComplianceReport:
    statuses: list[Status] = ["at_risk", "in_grace", "on_track", "overdue", "compliant"]
    people = [
        _person(f"Person {i:02d}", statuses[i % len(statuses)], str(i % 4)) for i in range(12)
    ]
    return reports.ComplianceReport(
        organisation="Riverside Imaging",
        selection=selection,
        generated_at=AT,
        ledger_seq=418,
        ledger_hash=HEAD,
        people=people,
        credentialed=12,
        by_status={"overdue": 2, "at_risk": 3, "on_track": 7},
    )


def test_the_compliance_report_is_tables_in_words_over_several_pages() -> None:
    report = twelve_people(
        reports.ReportSelection(as_of=TODAY, department="Echocardiography", status="at_risk")
    )
    people = report.people
    text, pages = look_at(reports.to_pdf(report, generated_by="owner@riverside.example"), "report")
    assert len(pages) > 1
    assert_readable(text)
    assert_pages(text, pages)
    flat = " ".join(text.split())
    for fact in ("Riverside Imaging", "7 Dec 2026", "7654321", "At risk", "In grace period"):
        assert fact in flat
    assert "department Echocardiography, standing: at risk" in flat
    assert all(p.full_name in flat for p in people)


def test_file_names_carry_the_person_and_the_day() -> None:
    assert file_name("transcript", "Ada Lovelace", TODAY, "pdf") == (
        "transcript-ada-lovelace-2026-12-07.pdf"
    )
    assert file_name("transcript", "Zoë Łukasiewicz", TODAY, "csv") == (
        "transcript-zoe-lukasiewicz-2026-12-07.csv"
    )


def test_each_persons_block_of_the_compliance_report_lies_on_one_page() -> None:
    report = twelve_people(reports.ReportSelection(as_of=TODAY))
    text, _ = look_at(reports.to_pdf(report, generated_by="owner@x.example"), "report-blocks")
    pages = text.split("\f")[:-1]
    assert len(pages) > 1
    for person in report.people:
        # a block starts with the person's name and ends with their credits per year
        holding = [n for n, page in enumerate(pages) if person.full_name in page]
        assert len(holding) == 1, f"{person.full_name} appears on pages {holding}"
        page = pages[holding[0]]
        start = page.index(person.full_name)
        assert "Verified" in page[start:], f"{person.full_name}'s block continues on a next page"
    for page in pages[1:]:
        first_block = min(
            (page.index(p.full_name) for p in report.people if p.full_name in page),
            default=len(page),
        )
        assert "Credits completed" not in page[:first_block], "a block began on an earlier page"
