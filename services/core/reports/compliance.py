"""The staff compliance report for accreditation reviews (IAC, ACR): the credentials and CE
standing of the organisation's technical staff on a chosen day.

Contract of ``compliance_report``:
- People: those the staff list shows for the same selection on the same day
  (``staff.listing.matching_people``: active staff by default, by name); ``body`` also keeps
  only that body's obligations and standings.
- Per person: every credential held (with the date earned, status and registry id); whether
  they are credentialed, i.e. hold a national credential in good standing (IAC requires every
  technical staff member of an accredited lab to be credentialed [O13]); each obligation
  (current and previous cycle) with its numbers as ``queries.obligations_on`` gives them on the
  day, never recomputed; the standing per body (``domain.compliance.standing``), the status
  every view shows; and the credits completed in each calendar year up to the day, with
  the verified part (ACR measures CE over the previous full calendar years [O14]).
- Credits retracted or rejected count nowhere; credits completed after the day are left out.

Rendered as CSV (one row per person and obligation, the day and the ledger position on every
row) and PDF (a summary, then one block per person). The report says up to which event of the
organisation's chain it was read (``ledger_seq``), so a reviewer can tie it to the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from uuid import UUID

import msgspec

from domain import vocabulary
from domain.audits.reports import ComplianceReportExported, ReportFormat
from domain.compliance.evaluation import Obligation
from domain.compliance.standing import Standing, people_by_status
from domain.compliance.status import STATUS_TEXT, STATUSES, Status
from domain.people.credentials import STATE_BOARDS, Body, CredentialStatus
from services.core.application import UnitOfWork
from services.core.csv_export import Cell, csv_text
from services.core.db import Tx
from services.core.documents import Document, Verification, moment_text
from services.core.eventsourcing.store import EventStore, RecordedEvent
from services.core.mail_templates import credits_text, day_text
from services.core.offloop import off_loop
from services.core.organisation.queries import organisation_name
from services.core.people.queries import PersonStanding
from services.core.people.views import Person
from services.core.staff.listing import StaffFilter, matching_people

GOOD_STANDING: frozenset[CredentialStatus] = frozenset({"active", "probation"})
"""Credential statuses under which a person counts as credentialed."""
YEARS = 4
"""Calendar years of credits shown: the day's year (to date) and the three before it."""


class ReportSelection(StaffFilter, frozen=True, kw_only=True):
    """The staff list's selection (``StaffFilter``) on the day ``as_of``."""

    as_of: date


class ReportCredential(msgspec.Struct, frozen=True, kw_only=True):
    body: Body
    code: str
    earned_on: date
    status: CredentialStatus
    specialties: list[str]
    registry_id: str | None


class ReportObligation(msgspec.Struct, frozen=True, kw_only=True):
    body: Body
    period: str
    window_start: date
    window_end: date
    deadline: date
    required: Decimal
    counted: Decimal
    waived: Decimal
    shortfall: Decimal
    status: Status
    unconfirmed_rule: bool
    """The result rests on a rule the body's published sources do not confirm."""


class ReportStanding(msgspec.Struct, frozen=True, kw_only=True):
    body: Body
    status: Status
    deadline: date | None
    shortfall: Decimal
    sentence: str


class YearCredits(msgspec.Struct, frozen=True, kw_only=True):
    year: int
    completed: Decimal
    """Credits of activities completed that year (up to the day), retracted and rejected ones
    left out."""
    verified: Decimal
    """Of those, the credits whose certificate was verified."""


class ReportPerson(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    full_name: str
    employee_number: str | None
    department: str | None
    site: str | None
    active: bool
    credentialed: bool
    credentials: list[ReportCredential]
    obligations: list[ReportObligation]
    standings: list[ReportStanding]
    credits_by_year: list[YearCredits]


class ComplianceReport(msgspec.Struct, frozen=True, kw_only=True):
    organisation: str
    selection: ReportSelection
    generated_at: datetime
    ledger_seq: int
    """The organisation's last event when the report was read."""
    people: list[ReportPerson]
    credentialed: int
    ledger_hash: str
    """That event's chain hash (the chain head)."""
    by_status: dict[Status, int]
    """People listed with a standing of each status, most urgent first (as the overview's
    tiles count them)."""


_CREDITS_BY_YEAR = """
SELECT person_id, extract(year FROM completed_on)::int AS year,
    sum((state->'details'->>'credits')::numeric) AS completed,
    sum((state->'details'->>'credits')::numeric) FILTER (WHERE verification = 'verified')
        AS verified
FROM credits
WHERE tenant_id = $1 AND person_id = ANY($2::uuid[]) AND completed_on BETWEEN $3 AND $4
  AND NOT retracted AND verification <> 'rejected'
GROUP BY person_id, year
"""
"""Each listed person's credits (retracted and rejected ones left out) summed per year of
completion, all of them and the verified ones: summed by the database, as stored (the
amounts of the stored views, so a sum keeps their scale), none decoded here."""


async def compliance_report(
    tx: Tx, store: EventStore, selection: ReportSelection, *, generated_at: datetime
) -> ComplianceReport:
    """The report of ``selection`` (see the module docstring) from the tenant's read models."""
    tenant = tx.require_tenant()
    ledger_seq, ledger_hash = await store.head(tx)
    found = await matching_people(tx, selection, today=selection.as_of)
    years = report_years(selection.as_of)
    sums = {
        (row["person_id"], row["year"]): YearCredits(
            year=row["year"], completed=row["completed"], verified=row["verified"] or Decimal(0)
        )
        for row in await tx.pg.fetch(
            _CREDITS_BY_YEAR,
            tenant,
            [each.person.person_id for each in found],
            date(years[0], 1, 1),
            selection.as_of,
        )
    }
    listed = await off_loop(_listed, selection, found, sums, years)
    counts = people_by_status([s.status for s in p.standings] for p in listed)
    return ComplianceReport(
        organisation=await organisation_name(tx),
        selection=selection,
        generated_at=generated_at,
        ledger_seq=ledger_seq,
        ledger_hash=ledger_hash,
        people=listed,
        credentialed=sum(1 for p in listed if p.credentialed),
        by_status={s: counts[s] for s in STATUSES if counts.get(s)},
    )


def _listed(
    selection: ReportSelection,
    found: list[PersonStanding],
    sums: dict[tuple[UUID, int], YearCredits],
    years: range,
) -> list[ReportPerson]:
    """The report's people from their standings and credit sums (pure CPU work, run off the
    event loop)."""
    return [
        _person(
            each.person,
            [o for o in each.obligations if selection.body in (None, o.body)],
            [s for s in each.standings if selection.body in (None, s.body)],
            [
                sums.get((each.person.person_id, year))
                or YearCredits(year=year, completed=Decimal(0), verified=Decimal(0))
                for year in years
            ],
        )
        for each in found
    ]


def _person(
    person: Person,
    obligations: list[Obligation],
    standings: list[Standing],
    by_year: list[YearCredits],
) -> ReportPerson:
    return ReportPerson(
        person_id=person.person_id,
        full_name=person.full_name,
        employee_number=person.employee_number,
        department=person.department,
        site=person.site,
        active=person.active,
        credentialed=any(
            c.body not in STATE_BOARDS and c.status in GOOD_STANDING for c in person.credentials
        ),
        credentials=[
            ReportCredential(
                body=c.body,
                code=c.code,
                earned_on=c.earned_on,
                status=c.status,
                specialties=[s.specialty for s in c.specialties],
                registry_id=person.registry_ids.get(c.body),
            )
            for c in person.credentials
        ],
        obligations=[
            ReportObligation(
                body=o.body,
                period=o.period,
                window_start=o.window.start,
                window_end=o.window.end,
                deadline=o.deadline,
                required=o.lines[0].required,
                counted=o.lines[0].counted,
                waived=o.lines[0].waived,
                shortfall=o.lines[0].shortfall,
                status=o.status,
                unconfirmed_rule=bool(o.flags),
            )
            for o in obligations
        ],
        standings=[
            ReportStanding(
                body=s.body,
                status=s.status,
                deadline=s.deadline,
                shortfall=s.shortfall,
                sentence=s.sentence,
            )
            for s in standings
        ],
        credits_by_year=by_year,
    )


async def record_report_export(
    uow: UnitOfWork, report: ComplianceReport, *, user_id: UUID, fmt: ReportFormat
) -> RecordedEvent:
    """Append the export of ``report`` (as ``fmt``) to the member's access stream, before the
    file is sent: an export that fails half-way is on record too."""
    chosen = report.selection
    event = ComplianceReportExported(
        user_id=user_id,
        format=fmt,
        as_of=chosen.as_of,
        activity=chosen.activity,
        body=chosen.body,
        department=chosen.department,
        site=chosen.site,
        status=chosen.status,
        credential=chosen.credential,
        search=chosen.search,
        due_within_days=chosen.due_within_days,
        people=len(report.people),
    )
    return await uow.record_access(user_id, event)


def credential_text(c: ReportCredential) -> str:
    """``ARDMS RDMS AB+OB/GYN (active, earned 2020-02-10, registry 1234567)``."""
    name = " ".join([c.body, c.code, *(["+".join(c.specialties)] if c.specialties else [])])
    registry = f", registry {c.registry_id}" if c.registry_id else ""
    return f"{name} ({c.status}, earned {c.earned_on}{registry})"


def report_years(as_of: date) -> range:
    """The calendar years whose credits the report shows, oldest first."""
    return range(as_of.year - YEARS + 1, as_of.year + 1)


def csv_columns(report: ComplianceReport) -> list[str]:
    years = report_years(report.selection.as_of)
    return [
        "as_of",
        "ledger_seq",
        "person_id",
        "full_name",
        "employee_number",
        "department",
        "site",
        "active",
        "credentialed",
        "credentials",
        "body",
        "period",
        "window_start",
        "window_end",
        "deadline",
        "required",
        "counted",
        "waived",
        "shortfall",
        "status",
        "standing",
        "unconfirmed_rule",
        *(f"credits_{year}" for year in years),
        *(f"verified_{year}" for year in years),
    ]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def to_csv(report: ComplianceReport) -> str:
    """One row per person and obligation (a person without any: one row, obligation cells
    empty), written by ``csv_export.csv_text``."""
    return csv_text(csv_columns(report), _csv_rows(report))


def _csv_rows(report: ComplianceReport) -> Iterator[dict[str, Cell]]:
    for p in report.people:
        common: dict[str, Cell] = {
            "as_of": report.selection.as_of,
            "ledger_seq": report.ledger_seq,
            "person_id": p.person_id,
            "full_name": p.full_name,
            "employee_number": p.employee_number,
            "department": p.department,
            "site": p.site,
            "active": _yes(p.active),
            "credentialed": _yes(p.credentialed),
            "credentials": "; ".join(credential_text(c) for c in p.credentials),
        }
        for y in p.credits_by_year:
            common[f"credits_{y.year}"] = y.completed
            common[f"verified_{y.year}"] = y.verified
        if not p.obligations:
            yield common
        standing = {s.body: s.status for s in p.standings}
        for o in p.obligations:
            yield {
                **common,
                "body": o.body,
                "period": o.period,
                "window_start": o.window_start,
                "window_end": o.window_end,
                "deadline": o.deadline,
                "required": o.required,
                "counted": o.counted,
                "waived": o.waived,
                "shortfall": o.shortfall,
                "status": o.status,
                "standing": standing[o.body],
                "unconfirmed_rule": _yes(o.unconfirmed_rule),
            }


def selection_text(selection: ReportSelection) -> str:
    """The selection in words, e.g. ``active staff, ARDMS, department Vascular``."""
    parts = [
        {"active": "active staff", "deactivated": "deactivated staff", "all": "all staff"}[
            selection.activity
        ]
    ]
    if selection.body:
        parts.append(f"holding {selection.body} credentials")
    if selection.department:
        parts.append(f"department {selection.department}")
    if selection.site:
        parts.append(f"site {selection.site}")
    if selection.credential:
        parts.append(f"holding {selection.credential}")
    if selection.search:
        parts.append(f"matching '{selection.search}'")
    if selection.status:
        parts.append(f"standing: {STATUS_TEXT[selection.status].label.lower()}")
    if selection.due_within_days is not None:
        parts.append(f"a deadline within {selection.due_within_days} days")
    return ", ".join(parts)


def to_pdf(report: ComplianceReport, *, generated_by: str) -> bytes:
    """A summary of the selection and the statuses, then per person their credentials, one
    table of their cycles per body with the numbers and the status in words, and their credits
    per calendar year, each person's block kept on one page; page numbers and the chain head in
    every page's footer."""
    chosen = report.selection
    doc = Document(
        title="Staff credentials and continuing education",
        organisation=report.organisation,
        verification=Verification(report.ledger_seq, report.ledger_hash),
    )
    doc.heading("Staff credentials and continuing education", size=15)
    doc.facts(
        [
            ("Organisation", report.organisation),
            ("Standing on", day_text(chosen.as_of)),
            ("Staff", selection_text(chosen)),
            ("Made", f"{moment_text(report.generated_at)} by {generated_by}"),
            ("People listed", f"{len(report.people)} ({report.credentialed} credentialed)"),
        ]
    )
    doc.grid(
        ("Standing", "People"),
        [(STATUS_TEXT[s].label, str(n)) for s, n in report.by_status.items()] or [("None", "0")],
        widths=(4, 1),
        numeric=frozenset({1}),
    )
    doc.paragraph(
        "Credentialed: holding a national credential that is active or on probation. Credits"
        " per calendar year count activities completed that year up to the day of the report"
        " (retracted and rejected credits excluded); 'verified' is the part whose certificate"
        " was verified. People by standing: someone with two bodies in different standings"
        " counts under both. Cycles marked 'unconfirmed rule' rest on a requirement the"
        " certifying body's published sources do not confirm.",
        size=8,
    )
    if not report.people:
        doc.paragraph("Nobody matches this selection.")
    for p in report.people:
        doc.keep_together(partial(_person_pdf, p=p))
    return bytes(doc.output())


def _person_pdf(doc: Document, p: ReportPerson) -> None:
    doc.heading(p.full_name, size=12)
    placed = [
        *([("Employee number", p.employee_number)] if p.employee_number else []),
        *([("Department", p.department)] if p.department else []),
        *([("Site", p.site)] if p.site else []),
        ("Credentialed", _yes(p.credentialed)),
        *([] if p.active else [("Staff", "deactivated")]),
    ]
    doc.facts(placed)
    doc.grid(
        ("Credential", "Status", "Earned", "Registry id"),
        [
            (
                " ".join([c.body, c.code, *(["+".join(c.specialties)] if c.specialties else [])]),
                vocabulary.CREDENTIAL_STATUSES[c.status],
                day_text(c.earned_on),
                c.registry_id or "not recorded",
            )
            for c in p.credentials
        ]
        or [("no credential recorded", "", "", "")],
        widths=(5, 2, 2.5, 3),
    )
    doc.grid(
        ("Body", "Standing", "What it means"),
        [(s.body, STATUS_TEXT[s.status].label, s.sentence) for s in p.standings]
        or [("none", "", "")],
        widths=(1.5, 3, 9),
    )
    for body in dict.fromkeys(o.body for o in p.obligations):
        cycles = [o for o in p.obligations if o.body == body]
        doc.grid(
            (
                f"{body} cycle",
                "Deadline",
                "Required",
                "Counted",
                "Waived",
                "Still needed",
                "Status",
            ),
            [
                (
                    f"{o.period.capitalize()}: {day_text(o.window_start)} to"
                    f" {day_text(o.window_end)}",
                    day_text(o.deadline),
                    credits_text(o.required),
                    credits_text(o.counted),
                    credits_text(o.waived),
                    credits_text(o.shortfall),
                    STATUS_TEXT[o.status].label
                    + (" (unconfirmed rule)" if o.unconfirmed_rule else ""),
                )
                for o in cycles
            ],
            widths=(5, 2.3, 1.7, 1.7, 1.6, 1.9, 3),
            numeric=frozenset({2, 3, 4, 5}),
        )
    years = p.credits_by_year
    completed = [y.completed for y in years]
    verified = [y.verified for y in years]
    doc.grid(
        ("Credits completed", *(str(y.year) for y in years), "Total"),
        [
            (label, *map(credits_text, amounts), credits_text(sum(amounts, Decimal(0))))
            for label, amounts in (("All", completed), ("Verified", verified))
        ],
        widths=(3, *(1.5 for _ in years), 1.5),
        numeric=frozenset(range(1, len(years) + 2)),
    )
