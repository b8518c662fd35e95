"""Finding a certificate's fields in the text a reader laid out, with the libraries the pure
finder (``domain.credits.fields``) may not use, and the words each field came from.

``find_fields_in`` takes what the pure finder found and adds:

- dates the finder's patterns do not know ("the 4th day of February, 2026", "22-APR-2026",
  "Saturday, January 17, 2026"), parsed by ``dateparser`` with the US month/day order, and a
  date printed without a label when it is the only one that is not for another purpose
  (issue, broadcast, renewal, expiry, birth);
- names in "LAST, First" order and with post-nominal letters, read with ``nameparser``;
- the evidence: for each field found, the line of the certificate it was read from, so that a
  reviewer sees the words behind each reason; lines as the finder cleans them, the lines the
  accreditation statement is made of, so that the credit cap can set a row glued to the
  statement aside.

Every step is linear in the length of the text (``MAX_TEXT_CHARS`` at most).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import dateparser  # type: ignore[import-untyped]
import msgspec
from nameparser import HumanName
from rapidfuzz import fuzz

from domain.credits.fields import (
    MAX_TEXT_CHARS,
    MONTH,
    OTHER_PURPOSE_DATE,
    cleaned_lines,
    dates_in,
    find_fields,
)
from domain.credits.figures import CEU_HOURS
from domain.credits.verification import ExtractedFields

_DATE_SETTINGS = {"DATE_ORDER": "MDY", "PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": True}
_LOOSE_DATE = re.compile(
    rf"\b(?:(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:day\s+)?of\s+{MONTH},?\s+(?:19|20)\d\d"
    rf"|\d{{1,2}}[-\s]{MONTH}[-\s](?:19|20)\d\d"
    rf"|{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d"
    rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)\d\d)\b",
    re.I,
)
_COMPLETED = re.compile(r"complet|finish|earned|passed|awarded|achiev|attend|held|\bon\b", re.I)


class Found(msgspec.Struct, frozen=True, kw_only=True):
    """The fields found and, for each field found, the line it was read from."""

    fields: ExtractedFields
    evidence: dict[str, str]


def find_fields_in(text: str) -> ExtractedFields:
    """The fields printed in ``text`` (see the module docstring), with their evidence."""
    text = text[:MAX_TEXT_CHARS]
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    found = find_fields(text)
    changes: dict[str, object] = {}
    if found.completed_on is None and found.activity_date is None:
        changes["completed_on"] = _loose_completion_date(lines)
    if found.participant_name is not None:
        changes["participant_name"] = _person(found.participant_name)
    fields = msgspec.structs.replace(found, **changes)
    return msgspec.structs.replace(fields, evidence=_evidence(fields, cleaned_lines(text)))


def _parse(text: str) -> date | None:
    cleaned = re.sub(
        r"\b(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+)?of\s+", r"\1 ", text, flags=re.I
    )
    parsed = dateparser.parse(cleaned, languages=["en"], settings=_DATE_SETTINGS)
    return parsed.date() if parsed is not None and 1990 <= parsed.year <= 2100 else None


def _dates(line: str) -> list[tuple[re.Match[str], date]]:
    return [(match, day) for match in _LOOSE_DATE.finditer(line) if (day := _parse(match.group()))]


def _loose_completion_date(lines: list[str]) -> date | None:
    """The completion date among dates the pure finder's patterns missed or left without a
    label: one labelled as completed or held, else the only date not printed for another
    purpose (by the words before it on its line, or on a short line just above)."""
    candidates: list[tuple[bool, date]] = []
    for index, line in enumerate(lines):
        for match, day in _dates(line):
            before = line[: match.start()]
            if not before.strip() and index and len(lines[index - 1].split()) <= 4:
                before = lines[index - 1]
            if OTHER_PURPOSE_DATE.search(before[-60:]):
                continue
            candidates.append((bool(_COMPLETED.search(before[-60:])), day))
    labelled = [day for is_labelled, day in candidates if is_labelled]
    if labelled:
        return labelled[0]
    days = {day for _, day in candidates}
    return days.pop() if len(days) == 1 else None


def _person(printed: str) -> str:
    """The name without a courtesy title or post-nominal letters the pure finder left
    ("Dr. José Martínez, MD"), as ``nameparser`` reads them; otherwise as printed."""
    name = HumanName(printed)
    if not (name.first and name.last) or not (name.title or name.suffix):
        return printed
    return " ".join(part for part in (name.first, name.middle, name.last) if part)


def _evidence(fields: ExtractedFields, lines: list[str]) -> dict[str, str]:
    """For each field found, the line that holds it best (``rapidfuzz``'s partial ratio of
    the value as printed, or a date or amount written the way lines write it)."""
    evidence: dict[str, str] = {}
    for name in ExtractedFields.__struct_fields__:
        value = getattr(fields, name)
        if value is None or value == () or name == "evidence":
            continue
        line = _line_of(value, lines)
        if line is not None:
            evidence[name] = line
    return evidence


def _line_of(value: object, lines: list[str]) -> str | None:
    if isinstance(value, date):
        return next(
            (line for line in lines if any(value in days for days in dates_in(line))), None
        ) or next((line for line in lines for _, day in _dates(line) if day == value), None)
    if isinstance(value, Decimal):
        written = {f"{value.normalize():f}", f"{value:.2f}", f"{value:.1f}"}
        if value % CEU_HOURS == 0 or value < CEU_HOURS:
            written |= {f"{(value / CEU_HOURS).normalize():f}"}  # read in CEUs
        return next((line for line in lines if any(_number_in(n, line) for n in written)), None)
    if isinstance(value, tuple):
        return None
    wanted = str(value)[:120]
    return max(lines, key=lambda line: fuzz.partial_ratio(wanted, line), default=None)


def _number_in(number: str, line: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", line) is not None


# dateparser loads its language data on first use: here, once, in the fork server that
# imports this module, so that reader processes start with it
_parse("1 January 2026")
