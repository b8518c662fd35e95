"""A person's CE transcript for an auditor: every credit with each body's acceptance (counted and
by which rule, or not counted and why), and each obligation's requirement lines and status.

The numbers are those of the obligations explanation (``queries.my_obligations``), never
recomputed here. Rendered as CSV (one flat table, a ``record`` column telling requirement rows
from credit rows) or as PDF (fpdf2; DejaVu Sans when installed so any name prints, else the
Latin-1 core font).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import msgspec
from fpdf import FPDF

from domain.compliance.evaluation import Obligation
from domain.compliance.status import STATUS_TEXT
from domain.credits.credit import Credit
from domain.people.person import Person
from services.core.csv_export import Cell, csv_text

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

COLUMNS = (
    "record",
    "person_id",
    "full_name",
    "body",
    "period",
    "window_start",
    "window_end",
    "deadline",
    "status",
    "requirement",
    "required",
    "counted",
    "waived",
    "shortfall",
    "credit_id",
    "completed_on",
    "title",
    "provider",
    "credits",
    "verification",
    "accepted",
    "reason",
)


class Acceptance(msgspec.Struct, frozen=True, kw_only=True):
    """How one obligation treats one credit."""

    credit: Credit
    accepted: bool
    counted: Decimal
    reason: str
    """The admitting rule(s) when counted, else why not (or that it was not considered)."""


def acceptance(obligation: Obligation, credits: list[Credit]) -> Iterator[Acceptance]:
    """Each credit as the obligation treats it, in the order of ``credits``."""
    for credit in credits:
        used = [u for u in obligation.used if u.credit_id == credit.credit_id]
        refused = [x for x in obligation.not_used if x.credit_id == credit.credit_id]
        if used:
            yield Acceptance(
                credit=credit,
                accepted=True,
                counted=sum((u.credits_counted for u in used), Decimal(0)),
                reason="; ".join(u.admitted_by for u in used),
            )
        else:
            reason = "; ".join(f"{x.reason}: {x.detail}" for x in refused)
            yield Acceptance(
                credit=credit,
                accepted=False,
                counted=Decimal(0),
                reason=reason or "not considered for this period",
            )


def _obligation_cells(person: Person, o: Obligation) -> dict[str, Cell]:
    return {
        "person_id": person.person_id,
        "full_name": person.full_name,
        "body": o.body,
        "period": o.period,
        "window_start": o.window.start,
        "window_end": o.window.end,
        "deadline": o.deadline,
        "status": o.status,
    }


def to_csv(person: Person, credits: list[Credit], obligations: list[Obligation]) -> str:
    """The transcript as one CSV table (``COLUMNS``), written by ``csv_export.csv_text``."""
    return csv_text(COLUMNS, _csv_rows(person, credits, obligations))


def _csv_rows(
    person: Person, credits: list[Credit], obligations: list[Obligation]
) -> Iterator[dict[str, Cell]]:
    for o in obligations:
        common = _obligation_cells(person, o)
        for line in o.lines:
            yield {
                **common,
                "record": "requirement",
                "requirement": line.label,
                "required": line.required,
                "counted": line.counted,
                "waived": line.waived,
                "shortfall": line.shortfall,
            }
        for a in acceptance(o, credits):
            details = a.credit.details
            yield {
                **common,
                "record": "credit",
                "counted": a.counted,
                "credit_id": a.credit.credit_id,
                "completed_on": details.completed_on,
                "title": details.title,
                "provider": details.provider,
                "credits": details.credits,
                "verification": a.credit.verification,
                "accepted": "yes" if a.accepted else "no",
                "reason": a.reason,
            }


class PdfDocument:
    """An A4 PDF written line by line; ``bytes(doc.pdf.output())`` is the file."""

    def __init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.unicode = DEJAVU.exists()
        if self.unicode:
            self.pdf.add_font("dejavu", fname=str(DEJAVU))
        self.family = "dejavu" if self.unicode else "helvetica"
        self.pdf.add_page()

    def text(self, text: str, size: float = 9) -> None:
        if not self.unicode:  # the core fonts carry Latin-1 only
            text = text.encode("latin-1", "replace").decode("latin-1")
        self.pdf.set_font(self.family, size=size)
        self.pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

    def gap(self) -> None:
        self.pdf.ln(2)


def to_pdf(
    person: Person,
    credits: list[Credit],
    obligations: list[Obligation],
    *,
    organisation: str,
    generated_at: datetime,
) -> bytes:
    doc = PdfDocument()
    doc.text(f"CE transcript: {person.full_name}", size=14)
    doc.text(
        f"Person {person.person_id}"
        + (f", employee number {person.employee_number}" if person.employee_number else "")
    )
    doc.text(f"{organisation}, generated {generated_at.isoformat(timespec='seconds')}")
    if not obligations:
        doc.gap()
        doc.text("No obligation for the chosen body and period.")
    for o in obligations:
        doc.gap()
        doc.text(
            f"{o.body}, {o.period} period {o.window.start} to {o.window.end}:"
            f" deadline {o.deadline}, status: {STATUS_TEXT[o.status].label.lower()}",
            size=11,
        )
        for line in o.lines:
            doc.text(
                f"{line.label}: required {line.required}, counted {line.counted}"
                f" ({line.counted - line.pending} verified, {line.pending} awaiting a check),"
                f" waived {line.waived}, shortfall {line.shortfall}"
            )
        for a in acceptance(o, credits):
            details = a.credit.details
            verdict = f"counted {a.counted}" if a.accepted else "not counted"
            doc.text(
                f"- {details.completed_on} {details.title} ({details.provider}),"
                f" {details.credits} credits, {a.credit.verification}: {verdict} ({a.reason})"
            )
    return bytes(doc.pdf.output())
