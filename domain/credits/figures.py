"""Amounts as certificates print them, for the field finder and for the check of a figure
against its statement alike: numbers written in words ("One and one-half (1.5)") and CEUs
(continuing education units) in the contact hours credits are counted in."""

from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal

CEU = re.compile(r"\bCEUs?\b|continuing\s+education\s+units?", re.I)
CEU_HOURS = Decimal(10)
"""One CEU is ten contact hours."""


_EQUALS = r"\s*(?:=|equals?|(?:is\s+)?(?:equal|equivalent)\s+to)\s*"
_ONE = r"(?<![\d.,])1(?:\.0+)?(?![.,]?\d)"
_ANY = r"(?<![\d.,])\d+(?:[.,]\d+)?"
_NOTE_UNIT = r"(?:CEUs?|(?:contact\s+)?hours?|credits?(?:\s+hours?)?)\b"
CONVERSION_NOTE = re.compile(
    rf"{_ONE}\s*{_NOTE_UNIT}{_EQUALS}{_ANY}\s*{_NOTE_UNIT}"
    rf"|{_ANY}\s*{_NOTE_UNIT}{_EQUALS}{_ONE}\s*{_NOTE_UNIT}",
    re.I,
)
"""A note of how units convert ("1 CEU = 10 contact hours", "10 contact hours equal 1 CEU"),
one side of it 1 (written in figures): it awards and approves nothing."""


def without_conversion_notes(text: str) -> str:
    """``text`` with its conversion notes blanked (each character a space, so positions hold)."""
    return CONVERSION_NOTE.sub(lambda note: " " * len(note.group()), text)


def hours_per_ceu(credit_types: Collection[str]) -> Decimal:
    """The contact hours a printed CEU counts: ``CEU_HOURS``, except on a CCI-approved
    certificate, whose "CEUs" are hours [C2]."""
    return Decimal(1) if "cci_approved" in credit_types else CEU_HOURS


_NUMBER_WORDS = {
    word: index
    for index, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_FRACTIONS = {"half": Decimal("0.5"), "quarter": Decimal("0.25"), "quarters": Decimal("0.75")}
_IN_WORDS = re.compile(
    rf"\b(?P<whole>{'|'.join(_NUMBER_WORDS)})(?:\s+and\s+(?:a|one|three)[\s-]+"
    r"(?P<part>half|quarters?))?\b(?:\s*\((?P<figure>\d{1,3}(?:[.,]\d{1,2})?)\))?",
    re.I,
)
"""A number written in words ("One and one-half"), with the figure that may follow it in
brackets ("(1.5)")."""


def in_figures(text: str) -> str:
    """``text`` with numbers written in words as figures: the bracketed figure after them where
    one is printed, else their value ("three and one-half" is 3.5)."""

    def figure(match: re.Match[str]) -> str:
        if match.group("figure"):
            return match.group("figure")
        value = _NUMBER_WORDS[match.group("whole").lower()]
        part = match.group("part")
        return f"{value + _FRACTIONS[part.lower()]}" if part else str(value)

    return _IN_WORDS.sub(figure, text)
