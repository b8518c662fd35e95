"""What the employer and auditor pages compute without I/O: the status bars, events in words,
the review form's fields, auditor access days, the staff and timeline filters, and the
compliance report's CSV and PDF."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import msgspec
import pytest
from pypdf import PdfReader

from domain.credits.verification import ExtractedFields
from services.api.portal.audit import timeline_filter, typed_name
from services.api.portal.events import event_fields, event_label
from services.api.portal.forms import Form
from services.api.portal.members import access_day, end_of_day, latest_access_day, until_text
from services.api.portal.reviews import fields_form, typed_fields
from services.api.portal.staff import staff_filter
from services.api.portal.status_bars import LABEL_WIDTH, MAX_LABEL, TOTAL_WIDTH, WIDTH, status_bars
from services.core.reports.compliance import (
    ComplianceReport,
    ReportCredential,
    ReportObligation,
    ReportPerson,
    ReportSelection,
    ReportStanding,
    YearCredits,
    credential_text,
    csv_columns,
    report_years,
    selection_text,
    to_csv,
    to_pdf,
)
from services.core.reviews.use_cases import corrected

pytestmark = pytest.mark.unit


def test_bars_are_as_long_as_their_totals_and_split_by_status_most_urgent_first() -> None:
    chart = status_bars(
        [
            ("Vascular", {"compliant": 2, "overdue": 1, "at_risk": 1}),
            ("Echo", {"on_track": 2}),
            ("Nobody", {}),
        ]
    )
    vascular, echo, nobody = chart.bars
    plot = WIDTH - LABEL_WIDTH - TOTAL_WIDTH
    assert [s.status for s in vascular.segments] == ["overdue", "at_risk", "compliant"]
    assert [s.count for s in vascular.segments] == [1, 1, 2]
    assert vascular.segments[0].x == LABEL_WIDTH
    assert vascular.end == pytest.approx(LABEL_WIDTH + plot)
    assert echo.end == pytest.approx(LABEL_WIDTH + plot / 2)
    for bar in (vascular, echo):
        for left, right in zip(bar.segments, bar.segments[1:], strict=False):
            assert right.x == pytest.approx(left.x + left.width, abs=0.1)
    assert (nobody.total, nobody.segments, nobody.end) == (0, (), LABEL_WIDTH)
    assert echo.y > vascular.y
    assert chart.statuses == ("overdue", "at_risk", "on_track", "compliant")


def test_bars_cut_long_names_and_leave_small_counts_to_the_table() -> None:
    name = "Interventional radiology and cardiac catheterisation"
    [bar] = status_bars([(name, {"compliant": 40, "overdue": 1})]).bars
    assert bar.name == name
    assert len(bar.label) == MAX_LABEL
    assert bar.label.endswith("…")
    overdue, compliant = bar.segments
    assert (overdue.labelled, compliant.labelled) == (False, True)
    assert status_bars([]).bars == ()


@pytest.mark.parametrize(
    ("tag", "words"),
    [
        ("people.CredentialAdded", "Credential added"),
        ("audits.ApiTokenCreated", "Api token created"),
        ("credits.CertificateNeedsReview", "Certificate needs review"),
        ("organisations.OrganisationOpened", "Organisation opened"),
        ("odd", "Odd"),
    ],
)
def test_event_types_read_as_words(tag: str, words: str) -> None:
    assert event_label(tag) == words


def test_event_data_is_flattened_into_labelled_values() -> None:
    data = {
        "credit_id": "c-1",
        "details": {
            "title": "Venous mapping",
            "topics": ["vascular", "sonography"],
            "academic": None,
        },
        "reasons": [{"code": "name_mismatch", "message": "Another name"}],
        "extra": {},
    }
    assert list(event_fields(data)) == [
        ("credit_id", "c-1"),
        ("details.title", "Venous mapping"),
        ("details.topics", "vascular, sonography"),
        ("details.academic", "none"),
        ("reasons[1].code", "name_mismatch"),
        ("reasons[1].message", "Another name"),
        ("extra", ""),
    ]


def test_the_review_form_reads_back_the_fields_it_was_filled_with() -> None:
    fields = ExtractedFields(
        participant_name="Ada Vance",
        title="Carotid duplex",
        provider="Gulfcoast Ultrasound Institute",
        credit_types=("sdms", "ama_pra_category_1"),
        completed_on=date(2026, 10, 2),
        credits=Decimal("1.25"),
        approval_number="SDMS-123",
    )
    form = fields_form(fields)
    typed = typed_fields(form)
    assert form.ok
    assert corrected(typed, fields) is None, "listing the credit types in another order"
    assert typed_fields(fields_form(None)) == ExtractedFields()
    assert corrected(ExtractedFields(), None) is None
    changed = Form("review", {**form.values, "credits": "1.5"})
    assert corrected(typed_fields(changed), fields) == msgspec.structs.replace(
        typed, credits=Decimal("1.5")
    )


def test_a_correction_keeps_the_words_of_the_fields_it_leaves_as_read() -> None:
    """The form does not show the words each field was read from: their absence corrects
    nothing, and a correction keeps those of the fields it did not change."""
    fields = ExtractedFields(
        participant_name="Ada Vance",
        credits=Decimal("1.25"),
        evidence={"participant_name": "ADA VANCE", "credits": "1.25 credits awarded"},
    )
    form = fields_form(fields)
    assert corrected(typed_fields(form), fields) is None
    changed = typed_fields(Form("review", {**form.values, "credits": "1.5"}))
    assert corrected(changed, fields) == msgspec.structs.replace(
        changed, evidence={"participant_name": "ADA VANCE"}
    )


def test_the_review_form_refuses_what_is_not_a_date_or_an_amount() -> None:
    form = Form(
        "review", {"completed_on": "2nd of October", "credits": "lots", "credit_types": "x"}
    )
    typed_fields(form)
    assert set(form.errors) == {"completed_on", "credits", "credit_types"}


def test_auditor_access_runs_to_the_end_of_a_day_at_most_a_year_ahead() -> None:
    now = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
    assert end_of_day(date(2026, 12, 24)) == datetime(2026, 12, 25, tzinfo=UTC)
    assert until_text(end_of_day(date(2026, 12, 24))) == "the end of 24 Dec 2026"
    assert until_text(datetime(2026, 12, 24, 9, 5, tzinfo=UTC)) == "24 Dec 2026, 09:05 UTC"
    latest = latest_access_day(now)
    assert end_of_day(latest) - now <= timedelta(days=366)
    assert end_of_day(latest + timedelta(days=1)) - now > timedelta(days=366)

    assert access_day(Form("grant", {"until": latest.isoformat()}), now) == latest
    for typed, problem in (
        ((latest + timedelta(days=1)).isoformat(), "at most a year"),
        ("2026-11-25", "today or a later day"),
        ("soon", "as a date"),
    ):
        form = Form("grant", {"until": typed})
        assert access_day(form, now) is None
        assert problem in form.errors["until"]


def test_the_staff_filter_reads_the_query_and_refuses_values_not_offered() -> None:
    form = Form("staff", {"q": " Okafor ", "status": "at_risk", "body": "ARDMS", "due": "30"})
    chosen = staff_filter(form)
    assert form.ok
    assert (chosen.search, chosen.status, chosen.body, chosen.due_within_days) == (
        "Okafor",
        "at_risk",
        "ARDMS",
        30,
    )
    assert chosen.activity == "active"
    refused = Form("staff", {"status": "great", "due": "7", "activity": "everyone"})
    staff_filter(refused)
    assert set(refused.errors) == {"status", "due", "activity"}


def test_the_timeline_filter_takes_whole_days_and_refuses_what_it_does_not_know() -> None:
    form = Form("timeline", {"from": "2026-10-01", "to": "2026-10-02"})
    chosen = timeline_filter(form, ["people.PersonRegistered"])
    assert form.ok
    assert chosen.since == datetime(2026, 10, 1, tzinfo=UTC)
    assert chosen.until == datetime(2026, 10, 3, tzinfo=UTC)
    bad = Form(
        "timeline",
        {
            "type": "people.Nope",
            "from": "2026-10-02",
            "to": "2026-10-01",
            "after": "-1",
        },
    )
    timeline_filter(bad, ["people.PersonRegistered"])
    assert set(bad.errors) == {"type", "to", None}


def test_a_typed_name_is_trimmed_and_refused_too_long_or_with_control_characters() -> None:
    assert typed_name(Form("timeline", {"name": "  Okafor "})) == "Okafor"
    assert typed_name(Form("timeline", {"name": " "})) is None
    long = Form("timeline", {"name": "x" * 1_000_000})
    typed_name(long)
    assert long.errors == {"name": "The name must be at most 200 characters"}
    assert long.value("name") == "x" * 200, "shown back cut short"
    for typed in ("Ada\tVance", "Ada\x7fVance", "Ada\u0085Vance"):
        control = Form("timeline", {"name": typed})
        typed_name(control)
        assert "control characters" in control.errors["name"]


def _report() -> ComplianceReport:
    selection = ReportSelection(as_of=date(2026, 11, 26), department="Vascular", body="ARDMS")
    years = [
        YearCredits(year=y, completed=Decimal(y - 2022), verified=Decimal(0))
        for y in report_years(selection.as_of)
    ]
    credential = ReportCredential(
        body="ARDMS",
        code="RDMS",
        earned_on=date(2020, 2, 10),
        status="active",
        specialties=["AB", "OB/GYN"],
        registry_id="1234567",
    )
    obligation = ReportObligation(
        body="ARDMS",
        period="current",
        window_start=date(2024, 1, 1),
        window_end=date(2026, 12, 31),
        deadline=date(2026, 12, 31),
        required=Decimal(30),
        counted=Decimal("12.5"),
        waived=Decimal(0),
        shortfall=Decimal("17.5"),
        status="at_risk",
        unconfirmed_rule=True,
    )
    standing = ReportStanding(
        body="ARDMS",
        status="at_risk",
        deadline=date(2026, 12, 31),
        shortfall=Decimal("17.5"),
        sentence="17.5 credits still to earn in 35 days (by 31 Dec 2026).",
    )
    people = [
        ReportPerson(
            person_id=uuid4(),
            full_name="Zoë Łukasiewicz",
            employee_number="E-7",
            department="Vascular",
            site=None,
            active=True,
            credentialed=True,
            credentials=[credential],
            obligations=[obligation, obligation],
            standings=[standing],
            credits_by_year=years,
        ),
        ReportPerson(
            person_id=uuid4(),
            full_name="Sam Reyes",
            employee_number=None,
            department="Vascular",
            site="South",
            active=True,
            credentialed=False,
            credentials=[],
            obligations=[],
            standings=[],
            credits_by_year=years,
        ),
    ]
    return ComplianceReport(
        organisation="Riverside Imaging",
        selection=selection,
        generated_at=datetime(2026, 11, 26, 9, tzinfo=UTC),
        ledger_seq=418,
        ledger_hash="c0" * 32,
        people=people,
        credentialed=1,
        by_status={"at_risk": 1},
    )


def test_the_csv_has_a_row_per_person_and_cycle_with_the_day_and_ledger_position() -> None:
    report = _report()
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert list(rows[0]) == csv_columns(report)
    assert [r["full_name"] for r in rows] == ["Zoë Łukasiewicz", "Zoë Łukasiewicz", "Sam Reyes"]
    first, _, sam = rows
    assert (
        first["as_of"],
        first["ledger_seq"],
        first["status"],
        first["standing"],
        first["shortfall"],
    ) == ("2026-11-26", "418", "at_risk", "at_risk", "17.5")
    assert (
        first["credentials"] == "ARDMS RDMS AB+OB/GYN (active, earned 2020-02-10, registry 1234567)"
    )
    assert (first["unconfirmed_rule"], first["credits_2025"], first["credits_2023"]) == (
        "yes",
        "3",
        "1",
    )
    assert (sam["credentialed"], sam["body"], sam["credits_2026"]) == ("no", "", "4")


def test_the_pdf_names_the_selection_the_ledger_position_and_every_person() -> None:
    report = _report()
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(to_pdf(report, generated_by="a@b.org"))).pages
    )
    text = " ".join(text.split())
    assert "Riverside Imaging Standing on 26 Nov 2026 Staff active staff" in text
    assert "holding ARDMS credentials, department Vascular" in text
    assert f"up to event 418, chain head {report.ledger_hash}" in text
    assert "Zoë Łukasiewicz" in text
    assert "Sam Reyes" in text
    assert "unconfirmed rule" in text
    assert "no credential recorded" in text
    assert "Body Standing What it means ARDMS At risk 17.5 credits still to earn in 35 days" in text
    assert "People by standing" in text
    assert "Standing People At risk 1" in text
    assert selection_text(
        ReportSelection(as_of=date(2026, 1, 1), activity="all", status="in_grace")
    ) == ("all staff, standing: in grace period")
    assert credential_text(report.people[0].credentials[0]).startswith("ARDMS RDMS AB+OB/GYN")
