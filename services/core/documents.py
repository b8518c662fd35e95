"""Typeset PDF documents people read (the transcript, the compliance report): A4 pages with a
running header (title and organisation), tables drawn by fpdf2's table API, "Page n of N" and a
verification footer naming the organisation's chain head the document was read up to.

Dates print as people write them ("7 Dec 2026"), statuses and reasons in the words of
``domain.vocabulary``; file names carry the person's name and the day. DejaVu Sans is used when
installed so any name prints, else the Latin-1 core font.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import cast

from fpdf import FPDF, FontFace
from slugify import slugify

from services.core.mail_templates import day_text

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
_HEADINGS = FontFace(emphasis="BOLD", fill_color=(226, 232, 240))
_TOTALS = FontFace(emphasis="BOLD")
_MUTED = (90, 90, 90)


def moment_text(moment: datetime) -> str:
    """A moment in UTC as people write it: 7 Dec 2026, 09:30 UTC."""
    utc = moment.astimezone(UTC)
    return f"{day_text(utc.date())}, {utc:%H:%M} UTC"


def file_name(kind: str, name: str, day: date, extension: str) -> str:
    """``transcript-ada-lovelace-2026-12-07.pdf``: ASCII (python-slugify transliterates, so
    "Zoë Łukasiewicz" gives ``zoe-lukasiewicz``), lower case, words joined by dashes."""
    return "-".join(part for part in (kind, slugify(name), day.isoformat()) if part) + (
        f".{extension}"
    )


def printable(text: str, *, unicode: bool) -> str:
    """``text`` as the font prints it: the core fonts carry Latin-1 only."""
    return text if unicode else text.encode("latin-1", "replace").decode("latin-1")


class PdfDocument:
    """An A4 PDF written line by line, without tables (a certificate, the bundle's summary);
    ``bytes(doc.pdf.output())`` is the file."""

    def __init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.unicode = DEJAVU.exists()
        if self.unicode:
            self.pdf.add_font("dejavu", fname=str(DEJAVU))
        self.family = "dejavu" if self.unicode else "helvetica"
        self.pdf.add_page()

    def text(self, text: str, size: float = 9) -> None:
        self.pdf.set_font(self.family, size=size)
        self.pdf.multi_cell(
            0, size * 0.5, printable(text, unicode=self.unicode), new_x="LMARGIN", new_y="NEXT"
        )

    def gap(self) -> None:
        self.pdf.ln(2)


class Verification:
    """Where the organisation's chain stood when the document was read."""

    def __init__(self, seq: int, head: str) -> None:
        self.seq = seq
        self.head = head

    def text(self) -> str:
        return (
            f"Read from the organisation's record up to event {self.seq}, chain head {self.head}."
            " Check it against the audit bundle or the audit trail."
        )


class Document(FPDF):
    """An A4 document; ``bytes(doc.output())`` is the file."""

    def __init__(self, *, title: str, organisation: str, verification: Verification) -> None:
        super().__init__(format="A4")
        self.title_text = title
        self.organisation = organisation
        self.verification = verification
        self.unicode = DEJAVU.exists() and DEJAVU_BOLD.exists()
        if self.unicode:
            self.add_font("dejavu", fname=str(DEJAVU))
            self.add_font("dejavu", style="B", fname=str(DEJAVU_BOLD))
        self.family = "dejavu" if self.unicode else "helvetica"
        self.set_title(title)
        self.set_author(organisation)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=22)
        self.add_page()

    def header(self) -> None:
        self.set_font(self.family, "B", 9)
        self.set_text_color(*_MUTED)
        self.cell(self.epw / 2, 5, self.clean(self.title_text))
        self.cell(self.epw / 2, 5, self.clean(self.organisation), align="R")
        self.ln(8)
        self.set_text_color(0, 0, 0)
        self.content_top = self.y

    def footer(self) -> None:
        self.set_y(-18)
        self.set_font(self.family, size=6.5)
        self.set_text_color(*_MUTED)
        self.multi_cell(self.epw, 3, self.verification.text(), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, size=8)
        self.cell(self.epw, 5, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def keep_together(self, render: Callable[[Document], None]) -> None:
        """Run ``render`` (which draws on the document it is given) so that what it draws
        starts on a new page when it would otherwise break across pages; a block taller than a
        page still breaks."""
        at_top = self.y <= self.content_top
        with self.offset_rendering() as trial:
            render(cast(Document, trial))
        if trial.page_break_triggered and not at_top:
            self.add_page()
        render(self)

    def clean(self, text: str) -> str:
        """``text`` as the font can print it (the core fonts carry Latin-1 only)."""
        return printable(text, unicode=self.unicode)

    def heading(self, text: str, size: float = 13) -> None:
        if self.get_y() > self.h - 60:  # never a heading alone at the foot of a page
            self.add_page()
        self.ln(2)
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def paragraph(self, text: str, size: float = 9) -> None:
        self.set_font(self.family, size=size)
        self.multi_cell(0, size * 0.5, self.clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def facts(self, rows: Sequence[tuple[str, str]]) -> None:
        """Label and value pairs as a borderless two-column table."""
        self.set_font(self.family, size=9)
        with self.table(
            col_widths=(1, 3),
            first_row_as_headings=False,
            borders_layout="NONE",
            line_height=5,
            text_align="LEFT",
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(self.clean(label), style=_TOTALS)
                row.cell(self.clean(value))
        self.ln(2)

    def grid(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float],
        numeric: frozenset[int] = frozenset(),
        totals: Sequence[str] | None = None,
    ) -> None:
        """A table with a heading row (repeated on each page it spans), ``numeric`` columns
        right-aligned, and an optional bold totals row."""
        self.set_font(self.family, size=8)
        align = tuple("RIGHT" if i in numeric else "LEFT" for i in range(len(headings)))
        with self.table(
            col_widths=tuple(widths),
            headings_style=_HEADINGS,
            line_height=4.2,
            text_align=align,
            padding=1,
            repeat_headings=1,
        ) as table:
            for cells in (headings, *rows):
                row = table.row()
                for text in cells:
                    row.cell(self.clean(text))
            if totals is not None:
                row = table.row()
                for text in totals:
                    row.cell(self.clean(text), style=_TOTALS)
        self.ln(3)
