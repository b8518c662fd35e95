"""A person's CE transcript for an auditor: every credit with each body's acceptance (counted and
by which rule, or not counted and why), and each obligation's requirement lines and status.

The numbers are those of the obligations explanation (``queries.my_obligations``), never
recomputed here. Rendered as CSV (one flat table, a ``record`` column telling requirement rows
from credit rows, codes as in the API) or as a typeset PDF for people (``services.core.documents``:
words instead of codes, each credit once per cycle it falls in).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from domain import vocabulary
from domain.compliance.evaluation import Obligation
from services.core.credits.views import Credit
from services.core.csv_export import Cell, csv_text
from services.core.documents import Document, Verification, moment_text
from services.core.mail_templates import credits_text, day_text
from services.core.people.views import Person

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


def to_csv(
    person: Person,
    credits: list[Credit],
    obligations: list[Obligation],
    *,
    certified: frozenset[UUID] = frozenset(),
) -> str:
    """The transcript as one CSV table (``COLUMNS``), written by ``csv_export.csv_text``;
    ``certified``: the credits with a certificate attached (the ``verification`` column says
    ``no_certificate`` for the others still pending, as the pages do)."""
    return csv_text(COLUMNS, _csv_rows(person, credits, obligations, certified))


def _csv_rows(
    person: Person,
    credits: list[Credit],
    obligations: list[Obligation],
    certified: frozenset[UUID],
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
                "verification": vocabulary.certificate_state(
                    a.credit.verification, has_certificate=a.credit.credit_id in certified
                ),
                "accepted": "yes" if a.accepted else "no",
                "reason": a.reason,
            }


def in_cycle(obligation: Obligation, credits: list[Credit]) -> list[Credit]:
    """The credits that fall in the obligation's cycle: completed inside its window, or counted
    toward it (made up in its grace window), in the order of ``credits``."""
    used = {u.credit_id for u in obligation.used}
    window = obligation.window
    return [
        c
        for c in credits
        if c.credit_id in used or window.start <= c.details.completed_on <= window.end
    ]


def _why(obligation: Obligation, credit: Credit) -> str:
    """Why the obligation counts the credit or not, in words."""
    used = [u.admitted_by for u in obligation.used if u.credit_id == credit.credit_id]
    refused = [
        vocabulary.EXCLUSIONS[x.reason]
        for x in obligation.not_used
        if x.credit_id == credit.credit_id
    ]
    return "; ".join([*(f"Counts as {rule}" for rule in used), *refused]) or "Not considered"


def cycle_heading(o: Obligation) -> str:
    """``ARDMS, current cycle 1 Jan 2024 to 31 Dec 2026: At risk``."""
    return (
        f"{o.body}, {o.period} cycle {day_text(o.window.start)} to {day_text(o.window.end)}:"
        f" {vocabulary.STATUSES[o.status]}"
    )


def registry_text(person: Person) -> str:
    """``ARDMS 1234567, ARRT 7654321`` (or ``none recorded``)."""
    return ", ".join(f"{b} {n}" for b, n in person.registry_ids.items()) or "none recorded"


def to_pdf(
    person: Person,
    credits: list[Credit],
    obligations: list[Obligation],
    *,
    organisation: str,
    generated_at: datetime,
    verification: Verification,
    certified: frozenset[UUID] = frozenset(),
) -> bytes:
    """A header with the organisation, the person, their registry ids and the day; then per
    body and cycle its status in words, requirement lines and a table of the credits falling
    in the cycle, with totals; page numbers and the chain head in every page's footer.
    ``certified``: the credits with a certificate attached (the others say so)."""
    doc = Document(
        title=f"CE transcript: {person.full_name}",
        organisation=organisation,
        verification=verification,
    )
    doc.heading(f"Continuing education transcript: {person.full_name}", size=15)
    held = ", ".join(
        f"{c.body} {c.code} ({vocabulary.CREDENTIAL_STATUSES[c.status]})"
        for c in person.credentials
    )
    doc.facts(
        [
            ("Organisation", organisation),
            ("Person", person.full_name),
            *([("Employee number", person.employee_number)] if person.employee_number else []),
            ("Registry ids", registry_text(person)),
            ("Credentials", held or "none recorded"),
            ("Date", f"{day_text(generated_at.date())} (made {moment_text(generated_at)})"),
        ]
    )
    if not obligations:
        doc.paragraph("No obligation for the chosen body and period.")
    for o in obligations:
        doc.heading(cycle_heading(o), size=11)
        doc.paragraph(
            f"Deadline {day_text(o.deadline)}. {vocabulary.BODIES[o.body]}."
            + (" Rests on a rule the body's published sources do not confirm." if o.flags else "")
        )
        doc.grid(
            ("Requirement", "Required", "Counted", "Waived", "Still needed"),
            [
                (
                    line.label[:1].upper() + line.label[1:],
                    credits_text(line.required),
                    credits_text(line.counted),
                    credits_text(line.waived),
                    credits_text(line.shortfall),
                )
                for line in o.lines
            ],
            widths=(8, 2, 2, 2, 2),
            numeric=frozenset({1, 2, 3, 4}),
        )
        falling = in_cycle(o, credits)
        if not falling:
            doc.paragraph("No credit completed in this cycle.")
            continue
        counted = {c.credit_id: Decimal(0) for c in falling}
        for use in o.used:
            if use.credit_id in counted:
                counted[use.credit_id] += use.credits_counted
        doc.grid(
            ("Completed", "Activity", "Provider", "Credits", "Certificate", "Counted", "Why"),
            [
                (
                    day_text(c.details.completed_on),
                    c.details.title,
                    c.details.provider,
                    credits_text(c.details.credits),
                    vocabulary.VERIFICATION[
                        vocabulary.certificate_state(
                            c.verification, has_certificate=c.credit_id in certified
                        )
                    ],
                    credits_text(counted[c.credit_id]),
                    _why(o, c),
                )
                for c in falling
            ],
            widths=(2.6, 4.2, 3.4, 1.8, 2.2, 2.0, 4.2),
            numeric=frozenset({3, 5}),
            totals=(
                "Cycle total",
                f"{len(falling)} activit{'y' if len(falling) == 1 else 'ies'}",
                "",
                credits_text(sum((c.details.credits for c in falling), Decimal(0))),
                "",
                credits_text(sum(counted.values(), Decimal(0))),
                "",
            ),
        )
    return bytes(doc.output())
