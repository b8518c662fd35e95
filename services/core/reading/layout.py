"""A page as words in boxes, put into rows and blocks, and the text the field finders read.

Both readers give words with where they stand: the PDF text layer (PDFium's characters with
their boxes, ``services.core.reading.text``) and OCR (tesseract's word boxes). ``page_text``
lays them out the way a person reads the sheet:

- words level with each other form a row, also across columns (a label and its value in
  another column share a row again, as do the cells of a table's row); a row is cut where a
  wide gap separates independent fields ("Date: June 1, 2026        Credits: 2.0" gives two
  lines, "Participant          Jane Doe" one);
- a blank line starts a block: after a wide vertical gap, or where the letters change size
  (a heading above body text);
- a heading set over two rows in the same large letters is one line when one row ends or the
  next begins with a joining word ("American Society of" / "Echocardiography").
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable

import msgspec


class Word(msgspec.Struct, frozen=True):
    """A word and its box (page units or pixels, y growing downwards); ``confidence`` 0-100
    (100 for a text layer)."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    confidence: float = 100.0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


class Row(msgspec.Struct):
    """Words that stand level with each other, left to right once ``rows`` is done."""

    words: list[Word]

    @property
    def height(self) -> float:
        return sorted(word.height for word in self.words)[len(self.words) // 2]

    @property
    def size(self) -> float:
        """The letters' size: the tallest word's height (OCR boxes of words without
        ascenders or descenders are lower)."""
        return max(word.height for word in self.words)

    @property
    def top(self) -> float:
        return min(word.top for word in self.words)

    @property
    def bottom(self) -> float:
        return max(word.bottom for word in self.words)

    @property
    def middle(self) -> float:
        return sum(word.middle for word in self.words) / len(self.words)

    @property
    def left(self) -> float:
        return min(word.left for word in self.words)

    @property
    def right(self) -> float:
        return max(word.right for word in self.words)

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


def rows(lines: Iterable[Row]) -> list[Row]:
    """``lines`` (single words, or lines a reader found) put side by side where they stand side
    by side, top to bottom: a line joins a row level with it (middles within half a letter's
    height of the row's first line), of letters of about its size, that it does not overlap
    across."""
    found: list[tuple[float, float, Row]] = []  # each row's first middle and height
    for line in sorted(lines, key=lambda line: line.middle):
        middle, height = line.middle, line.height
        level = (
            row
            for row_middle, row_height, row in reversed(found[-8:])
            if abs(middle - row_middle) < 0.5 * row_height
            and 0.6 < height / max(row_height, 1e-6) < 1.6
            and all(line.left >= word.right or line.right <= word.left for word in row.words)
        )
        if row := next(level, None):
            row.words.extend(line.words)
        else:
            found.append((middle, height, Row(list(line.words))))
    for _, _, row in found:
        row.words.sort(key=lambda word: word.left)
    return [row for _, _, row in found]


COLUMN_GAP = 2.5
"""A gap wider than this many letter heights separates the parts of a row."""
BLOCK_GAP = 1.0
"""A vertical gap wider than this many letter heights starts a block."""
SIZE_CHANGE = 1.45
"""Letters this many times larger or smaller than the row before start a block."""
_JOINING = re.compile(r"^(?:of|for|and|&|the|in|on|at|to)$", re.I)
_LABEL = re.compile(r"^[^:]{1,40}:$|^(?:[^\s:\d]+\s+){0,3}[^\s:\d]+$")
"""The first part of a row that labels the part right of it: ends with a colon, or is at most
four words without a colon or a digit."""
_OWN_LABEL = re.compile(r"^(?!(?:Dr|Mr|Mrs|Ms|Mx|Prof)\.)[A-Za-z]{1,12}[.:#]\s*\S")
"""A part that opens with a label of its own ("No. HW14205", "Date: June 1"), not a
courtesy title: a field of its own, not the value of the part left of it."""


def parts(row: Row) -> list[list[Word]]:
    """The row cut where a gap wider than ``COLUMN_GAP`` letter heights lies between words."""
    cut: list[list[Word]] = [[row.words[0]]]
    height = row.height
    for before, word in zip(row.words, row.words[1:], strict=False):
        if word.left - before.right > COLUMN_GAP * height:
            cut.append([word])
        else:
            cut[-1].append(word)
    return cut


def _row_lines(row: Row) -> list[str]:
    """A row as lines: one per part where its parts are independent fields (two parts, the
    first not a label of the second; or labelled fields side by side), else one (a label and
    its value; a table's row)."""
    texts = [" ".join(word.text for word in part) for part in parts(row)]
    if len(texts) == 2 and (not _LABEL.match(texts[0]) or _OWN_LABEL.match(texts[1])):
        return texts
    if len(texts) > 2 and all(":" in text[:-1] for text in texts):
        return texts
    return [" ".join(texts)]


def _heading_continues(above: Row, row: Row) -> bool:
    """Two rows of one heading: letters of the same size, close together, joined by a word."""
    return (
        abs(row.size - above.size) <= 0.1 * above.size
        and row.top - above.bottom < 0.8 * above.size
        and bool(_JOINING.match(above.words[-1].text) or _JOINING.match(row.words[0].text))
    )


MIN_COLUMN_ROWS = 1
"""Rows each of two columns must hold on its own (beside nothing in the other), between the
rows whose parts share the gutter, for a page's band to be read as two columns: a form's
labels and values share every row but where a long value runs on."""


def columns(page_rows: list[Row]) -> list[Row]:
    """``page_rows`` with a band set in two columns read a column at a time: the rows of the
    left column, then those of the right. A band is in two columns where a gutter (an edge at
    which parts of rows start after a wide gap) runs down consecutive rows that no word crosses,
    and each column has rows of its own (``MIN_COLUMN_ROWS``): labels with their values in a
    column of their own have no rows of their own on the left, and stay paired row by row."""
    cut = [parts(row) for row in page_rows]
    tried: float | None = None
    for edge, height in sorted(
        (p[0].left, row.height) for row, ps in zip(page_rows, cut, strict=True) for p in ps[1:]
    ):
        if tried is not None and edge - tried <= height:
            continue  # an edge tried already, give or take a letter
        tried = edge
        band = _band(page_rows, cut, edge, height)
        if band is None:
            continue
        first, last = band
        left = [Row([w for w in row.words if w.right <= edge]) for row in page_rows[first:last]]
        right = [Row([w for w in row.words if w.right > edge]) for row in page_rows[first:last]]
        return [
            *page_rows[:first],
            *(row for row in left if row.words),
            *(row for row in right if row.words),
            *columns(page_rows[last:]),
        ]
    return page_rows


def _band(
    page_rows: list[Row], cut: list[list[list[Word]]], edge: float, height: float
) -> tuple[int, int] | None:
    """The rows (first, past the last) around the rows that have a part starting at ``edge``
    that no word crosses, if between those rows each side holds ``MIN_COLUMN_ROWS`` rows of
    its own (a signature under a form's labels is not a column)."""
    tolerance = height

    def crossed(row: Row) -> bool:
        return any(w.left < edge - tolerance and w.right > edge - tolerance for w in row.words)

    at = [
        index
        for index, row_parts in enumerate(cut)
        if any(abs(part[0].left - edge) <= tolerance for part in row_parts[1:])
    ]
    if len(at) < 2:
        return None
    first, last = at[0], at[-1] + 1
    if any(crossed(row) for row in page_rows[first:last]):
        return None
    sides = [
        (any(w.right <= edge for w in row.words), any(w.right > edge for w in row.words))
        for row in page_rows[first:last]
    ]
    left_only = sum(on_left and not on_right for on_left, on_right in sides)
    right_only = sum(on_right and not on_left for on_left, on_right in sides)
    if min(left_only, right_only) < MIN_COLUMN_ROWS:
        return None
    while first > 0 and not crossed(page_rows[first - 1]):
        first -= 1
    while last < len(page_rows) and not crossed(page_rows[last]):
        last += 1
    return first, last


def page_text(page_rows: list[Row]) -> str:
    """The rows as text (``columns`` first): a line per row (or per independent part of a
    row), a blank line between blocks (and before a column), a heading over two rows as one
    line."""
    page_rows = columns(page_rows)
    lines: list[str] = []
    body = statistics.median(row.size for row in page_rows) if page_rows else 0.0
    previous: Row | None = None
    for row in page_rows:
        if previous is not None and row.top < previous.top:  # the top of the next column
            lines.append("")
        elif previous is not None:
            if previous.size > 1.15 * body and _heading_continues(previous, row):
                lines[-1] += " " + row.text
                previous = row
                continue
            ratio = row.size / max(previous.size, 1e-6)
            if row.top - previous.bottom > BLOCK_GAP * max(row.size, previous.size) or not (
                1 / SIZE_CHANGE < ratio < SIZE_CHANGE
            ):
                lines.append("")
        lines += _row_lines(row)
        previous = row
    return "\n".join(lines)
