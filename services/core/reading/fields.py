"""Finding a certificate's fields in the text a reader laid out, with the libraries the pure
finder (``domain.credits.fields``) may not use, and the words each field came from.

``find_fields_in`` takes what the pure finder found and adds:

- dates the finder's patterns do not know ("the 4th day of February, 2026", "22-APR-2026",
  "Saturday, January 17, 2026"), parsed by ``dateparser`` with the US month/day order, and a
  date printed without a label when it is the only one that is not for another purpose
  (issue, broadcast, renewal, expiry, birth);
- names in "LAST, First" order and with post-nominal letters, read with ``nameparser``;
- the evidence: for each field found, the words of the certificate it was read from (the value
  as printed and its label), so that a reviewer sees the words behind each reason and the
  credit cap can set exactly those words aside.

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
    CEU_HOURS,
    MAX_TEXT_CHARS,
    MONTH,
    OTHER_PURPOSE_DATE,
    dates_in,
    find_fields,
)
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
    return msgspec.structs.replace(fields, evidence=_evidence(fields, lines))


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
    """For each field found, the words it was read from: its value as printed, on the line
    that holds it best, with the label just before it (``_labelled``)."""
    evidence: dict[str, str] = {}
    for name in ExtractedFields.__struct_fields__:
        value = getattr(fields, name)
        if value is None or value == () or name == "evidence":
            continue
        if found := _printed(value, lines):
            evidence[name] = _labelled(*found)
    return evidence


def _printed(value: object, lines: list[str]) -> tuple[str, int, int] | None:
    """Where ``value`` is printed: a line and the span of the value's words on it (a date or an
    amount as lines write it; text where ``rapidfuzz`` aligns it best)."""
    if isinstance(value, tuple) or not lines:
        return None
    for line in lines:
        if span := _span(value, line):
            return line, *span
    if isinstance(value, date | Decimal):
        return None
    wanted = " ".join(str(value).split())[:_ALIGNED_CHARS]
    best: tuple[float, int, str, int, int] | None = None
    for line in lines:
        found = fuzz.partial_ratio_alignment(wanted, line)
        if found is not None:
            key = (found.score, found.dest_end - found.dest_start, line)
            if best is None or key[:2] > best[:2]:
                best = (*key, found.dest_start, found.dest_end)
    if best is None:
        return None
    *_, line, start, end = best
    return line, start, end + len(" ".join(str(value).split())) - len(wanted)


def _span(value: object, line: str) -> tuple[int, int] | None:
    """Where ``value`` is printed on ``line`` as it is: a date in a form the finders read, an
    amount (also in CEUs), or text word for word."""
    if isinstance(value, date):
        for printed, first, last in dates_in(line):
            if value in (first, last) and (start := line.find(printed)) >= 0:
                return start, start + len(printed)
        return next((m.span() for m, day in _dates(line) if day == value), None)
    if isinstance(value, Decimal):
        written = {f"{value.normalize():f}", f"{value:.2f}", f"{value:.1f}"}
        if value % CEU_HOURS == 0 or value < CEU_HOURS:
            written |= {f"{(value / CEU_HOURS).normalize():f}"}  # read in CEUs
        numbers = "|".join(re.escape(n) for n in sorted(written, key=len, reverse=True))
        found = re.search(rf"(?<![\d.])(?:{numbers})(?!\d)", line)
        return found.span() if found else None
    printed = " ".join(str(value).split())
    start = line.find(printed)
    return (start, start + len(printed)) if start >= 0 else None


_ALIGNED_CHARS = 120
"""Text is aligned by its first this many characters (``rapidfuzz`` aligns in time quadratic
in their number)."""
_LABEL_WORDS = (4, 2)
"""A label is at most this many words: with a colon or "#" at its end, and without."""


def _labelled(line: str, start: int, end: int) -> str:
    """The words of ``line`` from ``start`` to ``end`` (widened to whole words) and the label
    just before them: words without a digit that end with a colon or "#" ("Certificate #:"),
    or that open the line or follow another field's value (a word with a digit: "Credit" in
    "Certificate # 23008357 Credit 7.5")."""
    while start and not line[start - 1].isspace():
        start -= 1
    while end < len(line) and not line[end].isspace():
        end += 1
    before = line[:start].split()
    label: list[str] = []
    for word in reversed(before[-_LABEL_WORDS[0] :]):
        if any(ch.isdigit() for ch in word):
            break
        label.insert(0, word)
    if not (label and label[-1].endswith((":", "#"))):
        label = label[-_LABEL_WORDS[1] :]
        opens = len(label) == len(before) or any(ch.isdigit() for ch in before[-len(label) - 1])
        label = label if opens else []
    return " ".join([*label, line[start:end].strip(",;")])


# dateparser loads its language data on first use: here, once, in the fork server that
# imports this module, so that reader processes start with it
_parse("1 January 2026")
