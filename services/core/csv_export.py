"""The one CSV writer of the product: every export goes through ``csv_text``, which neutralises
text that a spreadsheet would run as a formula (CSV or formula injection, OWASP).

Contract of ``csv_text(columns, rows)``:
- A header line, then one line per row (a mapping of column to cell; a column the row lacks is
  an empty cell, a key that is not a column raises ``ValueError``); CRLF line ends (RFC 4180);
  every field quoted, so no spreadsheet splitting at another separator (``;`` in many locales)
  can make a cell start inside a value.
- Numbers, days, times and ids the product computes (``int``, ``Decimal``, ``date``,
  ``datetime``, ``UUID``) are written as they print, ``-1.5`` and ``2026-01-31`` stay a number
  and a day; ``None`` is an empty cell. Any other type, ``bool`` included, raises ``TypeError``:
  a row says yes or no in words.
- Text (``str``) goes through ``neutralise``: a cell a spreadsheet could take for a formula gets
  a leading single quote (``'=1+1``), which spreadsheets read as "this is text"; every other
  text is written unchanged. A reader wanting the original drops that one quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

MEDIA_TYPE = "text/csv"
"""The media type of the exports, without a charset: Litestar adds ``; charset=utf-8`` to every
``text/`` type itself (the response encoding, UTF-8 as ``csv_text(...).encode()`` gives)."""

FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
"""What starts a formula: ``= + - @`` (OWASP) and their full-width forms, which some
spreadsheets (East Asian input) also take as formula signs."""
CONTROL_STARTS = frozenset("\t\r")
"""Characters that make a cell dangerous when it begins with them, whatever follows (OWASP)."""

Cell = str | int | Decimal | date | UUID | None
"""What a cell may hold: text (neutralised), or a value the product computed (written as is)."""


def neutralise(text: str) -> str:
    """``text`` prefixed with ``'`` when a spreadsheet could run it: it begins with a tab or a
    carriage return, or its first character after any leading whitespace starts a formula
    (``=1+1``, `` @SUM(A1)``, ``\\n-2+3``, ``＝1+1``); else ``text`` unchanged."""
    if text[:1] in CONTROL_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def _field(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return neutralise(cell)
    if isinstance(cell, bool) or not isinstance(cell, int | Decimal | date | UUID):
        raise TypeError(f"a CSV cell is text, a number, a day or an id, not {type(cell).__name__}")
    return str(cell)


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Cell]]) -> str:
    """The CSV file of ``rows`` under the header ``columns`` (see the module contract)."""
    known = set(columns)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        if unknown := row.keys() - known:
            raise ValueError(f"cells for unknown columns: {', '.join(sorted(unknown))}")
        writer.writerow([_field(row.get(column)) for column in columns])
    return out.getvalue()
