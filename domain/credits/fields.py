"""Finding a certificate's fields in its text: participant, activity title, provider,
accreditation statement, credit types, dates, credits and reference numbers.

``find_fields`` reads what a PDF text layer or OCR gives: lines in reading order, labels on the
same line as their values or on the line before, sentences broken across lines, and OCR noise
(O for 0 and l for 1 in numbers, stray marks from borders and table rules, lost ™ and ® signs).
It reports only what the certificate prints: a field it cannot find is None (or empty), never a
guess from elsewhere. Dates the certificate prints for other purposes (issue, release,
expiry of the approval, birth) are never taken for the activity or completion date.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

import msgspec

from domain.credits.credit import CreditType
from domain.credits.figures import CEU, hours_per_ceu, in_figures
from domain.credits.names import acronym, organisation_tokens
from domain.credits.verification import ExtractedFields

MAX_CREDITS = Decimal(200)
"""More credits than any single activity awards: a number above it is something else."""
MAX_TEXT_CHARS = 50_000
"""Characters of a certificate's text that are searched (a certificate prints 1 000-3 000, a
ten-page transcript under 30 000); the rest is ignored. With the finder linear in the length of
the text, this bounds its work on a hostile file to well under a second."""
MAX_LINE_CHARS = 1_000
"""A longer line (a text layer without line breaks) is cut at spaces into lines this long: the
patterns run line by line, some in time growing faster than a line's length."""


def find_fields(text: str) -> ExtractedFields:
    """The fields printed in ``text``, the text of one certificate (its first
    ``MAX_TEXT_CHARS`` characters)."""
    doc = _Doc(text[:MAX_TEXT_CHARS])
    table = _table_row(doc)
    participant = _participant(doc)
    statement = _statement(doc)
    activity_date, completed_on = _dates(doc, table)
    credit_types = _credit_types(doc.flat)
    return ExtractedFields(
        participant_name=participant[1] if participant else None,
        title=_title(doc, table, participant[0] if participant else None),
        provider=_provider(doc),
        accreditation_statement=statement,
        credit_types=credit_types,
        activity_date=activity_date,
        completed_on=completed_on,
        credits=_credits(doc, table, credit_types),
        certificate_number=_reference(doc.flat, _CERTIFICATE_NUMBER),
        approval_number=_reference(doc.flat, _APPROVAL_NUMBER)
        or (table.approval_number if table else None),
    )


# --- text clean-up -----------------------------------------------------------------------------

_DROPPED = dict.fromkeys(map(ord, "™®©℠\u200b\u200c\u200d\ufeff\u00ad"), None)
_REPLACED = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "´": "'",
        "`": "'",
        "–": "-",
        "—": "-",
        "‒": "-",
        "−": "-",
        "‐": "-",
        "‑": "-",
        "\u00a0": " ",
        "\t": " ",
        "|": " ",
        "_": " ",
    }
)
_EDGE_NOISE = " _~*•·'\"«»,;:!=+<>\\/[]{}()^-."
_LOOKALIKE_NUMBER = re.compile(r"(?<![\w.])[\dOoIl]+(?:[/.,-][\dOoIl]+)*(?![\w])")
_LOOKALIKES = str.maketrans("OoIl", "0011")
_TM_SUFFIX = re.compile(
    r"(?<=credit)(s?)(?:\s?(?:TM|\(TM\))(?![a-z])|[\"'*°^](?=[\s.,;:]|$))", re.I
)
"""A ™ after "Credit(s)" that OCR read as "TM", a quote or an asterisk."""


def _fix_number(match: re.Match[str]) -> str:
    """``O``/``o`` read for 0 and ``l``/``I`` for 1 inside numbers ("2O26", "l.5", "lO.OO")."""
    token = match.group()
    numeric = any(ch.isdigit() for ch in token) or re.fullmatch(r"\w+[.,/-]\w+", token)
    return token.translate(_LOOKALIKES) if numeric else token


_SPACED_CAPITALS = re.compile(r"\b[A-Z](?: [A-Z]){3,}\b")
"""A word set in spaced-out capitals, as logos and headings print it ("M E R I D I A N")."""


def _closed_up(match: re.Match[str]) -> str:
    """Spaced-out capitals as one word when they read as one (a vowel, three different
    letters), not a border read as a row of letters."""
    word = match.group().replace(" ", "")
    return word if len(set(word)) >= 3 and re.search("[AEIOUY]", word) else match.group()


def _clean_line(line: str) -> str:
    line = _LOOKALIKE_NUMBER.sub(_fix_number, line)
    line = re.sub(r"\s+", " ", line).strip()
    line = _SPACED_CAPITALS.sub(_closed_up, line)
    # stray marks at the ends (borders, rules) but not the closing parts of real text
    while line and line[0] in _EDGE_NOISE and not line.startswith(("(", '"', "'")):
        line = line[1:].lstrip()
    while line and line[-1] in " _~*•·\\/|=<>^-" and not line.endswith("A+"):
        line = line[:-1].rstrip()
    return line


def _is_text(line: str) -> bool:
    """Enough letters or digits to be text rather than a smudge or a border read as a row of
    single letters."""
    alnum = sum(ch.isalnum() for ch in line)
    tokens = line.split()
    singles = sum(len(token) == 1 for token in tokens)
    return (
        alnum >= 2
        and alnum >= 0.45 * len(line.replace(" ", ""))
        and not (len(tokens) >= 4 and singles >= 0.6 * len(tokens))
    )


_BULLET = re.compile(r"\s*[•·●▪¢*-]\s")
"""The mark of a list's item (OCR reads "•" as "¢" or "*")."""


class _Doc:
    """The text as cleaned lines; ``breaks`` marks lines that start a new block (a blank line
    before them), ``items`` lines that start a list's item, ``flat`` is the lines joined by
    newlines."""

    def __init__(self, text: str) -> None:
        text = unicodedata.normalize("NFKC", text.translate(_DROPPED).translate(_REPLACED))
        text = _TM_SUFFIX.sub(r"\1", text)
        text = _RANGE_BROKEN.sub(r"\1 ", _YEAR_BROKEN.sub(r"\1 \2", text))
        self.lines: list[str] = []
        self.breaks: list[bool] = []
        self.items: list[bool] = []
        blank = True
        for raw in itertools.chain.from_iterable(map(_cut, text.splitlines())):
            line = _clean_line(raw)
            if not line or not _is_text(line):
                blank = blank or not line
                continue
            self.lines.append(line)
            self.breaks.append(blank)
            self.items.append(_BULLET.match(raw) is not None)
            blank = False
        self.flat = "\n".join(self.lines)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def following(self, index: int) -> Iterator[tuple[str, bool]]:
        """Lines after ``index``, each with whether a blank line comes before it."""
        for later in range(index + 1, len(self.lines)):
            yield self.lines[later], self.breaks[later]


def cleaned_lines(text: str) -> list[str]:
    """The lines of ``text`` as the finder reads them, and the statement is made of: look-alike
    letters in numbers read as digits ("23O0" is 2300), stray marks at the ends and smudges
    left out."""
    return _Doc(text[:MAX_TEXT_CHARS]).lines


def _cut(line: str) -> Iterator[str]:
    """``line`` in pieces of at most ``MAX_LINE_CHARS``, cut at the last space before the limit
    where there is one."""
    while len(line) > MAX_LINE_CHARS:
        cut = line.rfind(" ", 0, MAX_LINE_CHARS) + 1 or MAX_LINE_CHARS
        yield line[:cut]
        line = line[cut:]
    yield line


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- dates -------------------------------------------------------------------------------------

_MONTH_NAMES = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_D = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_Y = r"(?:19|20)\d\d"
_TO = r"\s*(?:-|~|to|through|thru)\s*"
_DATE_PATTERNS = [
    re.compile(p, re.I)
    for p in (
        rf"\b(?P<m1>{MONTH})\s+(?P<d1>{_D}),?\s+(?P<y1>{_Y}){_TO}(?P<m2>{MONTH})\s+(?P<d2>{_D}),?\s+"
        rf"(?P<y>{_Y})\b",
        rf"\b(?P<m1>{MONTH})\s+(?P<d1>{_D}){_TO}(?P<m2>{MONTH})\s+(?P<d2>{_D}),?\s+(?P<y>{_Y})\b",
        rf"\b(?P<m1>{MONTH})\s+(?P<d1>{_D}){_TO}(?P<d2>{_D}),?\s+(?P<y>{_Y})\b",
        rf"\b(?P<m1>{MONTH})\s+(?P<d1>{_D}),?\s+(?P<y>{_Y})\b",
        rf"\b(?P<d1>{_D}){_TO}(?P<d2>{_D})\s+(?P<m1>{MONTH}),?\s+(?P<y>{_Y})\b",
        rf"\b(?P<d1>{_D})(?:\s+|-)(?P<m1>{MONTH})(?:,?\s+|-)(?P<y>{_Y})\b",
        rf"\b(?P<d1>{_D})\s+day\s+of\s+(?P<m1>{MONTH}),?\s+(?P<y>{_Y})\b",
        rf"\b(?P<n1>\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:{_Y}|\d\d)){_TO}"
        rf"(?P<n2>\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:{_Y}|\d\d))\b",
        rf"\b(?P<iso>{_Y}-\d{{1,2}}-\d{{1,2}})\b",
        rf"\b(?P<n1>\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:{_Y}|\d\d))(?![\d/.-]*\d)",
    )
]

DateKind = Literal["completion", "activity", "other", "unlabelled"]
OTHER_PURPOSE_DATE = re.compile(  # the words before a date printed for another purpose
    r"expir|releas|valid|renew|broadcast|aired|originally|recorded\s+on|next\b|due\b"
    r"|review(?:ed)?\s+(?:on|date)|until|approv\w*\s+(?:through|until"
    r"|period|date|expires?)|issued?\b|print|generated|birth|\bdob\b|effective|revis|updated"
    r"|\bdated\b|signed|signature|today|report",
    re.I,
)
_COMPLETION_DATE = re.compile(r"complet|finish|earned|passed|awarded|achiev", re.I)
_ACTIVITY_DATE = re.compile(
    r"\bheld\b|\bdates?\b|attend|activity|course|session|event|conference|presented"
    r"|participat|live|webinar|meeting|symposium|convention|workshop|seminar|\bon\b|\bfrom\b",
    re.I,
)


_YEAR_BROKEN = re.compile(
    rf"(\b{MONTH}\s+{_D}(?:\s*[-~]\s*{_D})?,?)[ \t]*\n\s*((?:19|20)\d\d)\b", re.I
)
"""A date whose year went onto the next line ("August 24-25," / "2025")."""
_RANGE_BROKEN = re.compile(rf"(\d\s*[-~])[ \t]*\n\s*(?={MONTH}\s+\d)", re.I)
"""A range broken after its dash ("March 27, 2026 -" / "March 28, 2026")."""
_COLUMN_LABEL = re.compile(r"(?<=\bdate)\s+", re.I)
"""Where a row of date labels is cut into its columns' labels ("Course Date Issue Date")."""


class _Dated(msgspec.Struct, frozen=True):
    first: date
    last: date
    kind: DateKind


def _month(name: str) -> int:
    return _MONTH_NAMES[name[:3].lower()]


def _day(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _numeric(text: str) -> date:
    a, b, year = (int(part) for part in re.split(r"[/.-]", text))
    year += 2000 if year < 100 else 0
    month, day = (a, b) if a <= 12 else (b, a)  # US month first, unless it cannot be a month
    return date(year, month, day)


def _parse_date(match: re.Match[str]) -> tuple[date, date]:
    found = {k: v for k, v in match.groupdict().items() if v}
    if "iso" in found:
        day = date.fromisoformat("-".join(f"{int(p):02d}" for p in found["iso"].split("-")))
        return day, day
    if "n1" in found:
        first = _numeric(found["n1"])
        return first, _numeric(found["n2"]) if "n2" in found else first
    year = int(found["y"])
    first_month = _month(found["m1"])
    first = date(int(found.get("y1", year)), first_month, _day(found["d1"]))
    if "d2" not in found:
        return first, first
    last_month = _month(found["m2"]) if "m2" in found else first_month
    last = date(year, last_month, _day(found["d2"]))
    if first > last and "y1" not in found:  # "December 30 - January 2, 2027"
        first = first.replace(year=year - 1)
    return first, last


def _date_kind(doc: _Doc, index: int, start: int, column: str | None = None) -> DateKind:
    """What a date is for, from the words before it: its ``column``'s label, on its line (back
    to the previous date or sentence), or a short label line just above it when the date
    opens its line."""
    line = doc.lines[index]
    before = re.split(r"(?<=[.!?])\s|\d{4}\b", line[:start])[-1]
    if column is not None:
        before = column
    elif (
        not before.strip()
        and index > 0
        and len(doc.lines[index - 1].split()) <= 4
        and not _dates_in(doc.lines[index - 1])  # a label line holds no date of its own
    ):
        before = doc.lines[index - 1]
    label = " ".join(before.split()[-4:])
    if OTHER_PURPOSE_DATE.search(label):
        return "other"
    if _COMPLETION_DATE.search(before):
        return "completion"
    if _ACTIVITY_DATE.search(before):
        return "activity"
    return "unlabelled"


def dates_in(line: str) -> list[tuple[date, date]]:
    """The dates (first and last day) printed on ``line``, whatever they are for."""
    return [(found.first, found.last) for found in _all_dates(_Doc(line[:MAX_LINE_CHARS]))]


def _all_dates(doc: _Doc) -> list[_Dated]:
    found = []
    for index, line in enumerate(doc.lines):
        taken: list[tuple[int, int]] = []
        for pattern in _DATE_PATTERNS:
            for match in pattern.finditer(line):
                if any(match.start() < end and start < match.end() for start, end in taken):
                    continue
                try:
                    first, last = _parse_date(match)
                except ValueError:
                    continue
                if not (1990 <= first.year <= 2100) or last < first:
                    continue
                taken.append(match.span())
                found.append((index, match.start(), first, last))
    found.sort(key=lambda item: (item[0], item[1]))
    columns: dict[tuple[int, int], str] = {}
    for index, on_line in itertools.groupby(found, key=lambda item: item[0]):
        starts = [start for _, start, _, _ in on_line]
        labels = _COLUMN_LABEL.split(doc.lines[index - 1]) if index else []
        if len(starts) >= 2 and len(labels) == len(starts):
            columns |= {(index, start): label for start, label in zip(starts, labels, strict=True)}
    return [
        _Dated(first, last, _date_kind(doc, i, start, columns.get((i, start))))
        for i, start, first, last in found
    ]


def _dates(doc: _Doc, table: _Row | None) -> tuple[date | None, date | None]:
    """(activity_date, completed_on): a completion date where one is printed, else the last day
    of the activity; the activity date only when printed apart from the completion date or as
    the first day of a range."""
    dated = _all_dates(doc)
    if table and table.completed:
        dated.insert(0, table.completed)
    completion = next((d for d in dated if d.kind == "completion"), None)
    activity = next((d for d in dated if d.kind == "activity"), None)
    if completion:
        return (activity.first if activity else None), completion.last
    if not activity:
        # a date printed without a label ("March 5-7, 2026" under the title), when it is the
        # only one not printed for another purpose
        unlabelled = {(d.first, d.last) for d in dated if d.kind == "unlabelled"}
        if len(unlabelled) != 1:
            return None, None
        [(first, last)] = unlabelled
        activity = _Dated(first, last, "activity")
    return (activity.first if activity.first != activity.last else None), activity.last


# --- credits -----------------------------------------------------------------------------------

_NUMBER = (
    r"(?P<n>\d{1,3}(?:[.,]\d{1,2})?)(?![\d/])(?!\s*[-/]\s*\d)(?![.,]\d)"
    r"(?!(?:st|nd|rd|th)?,?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s)"
)
_UNIT = (
    r"(?:credits?|credit\s+hours?|contact\s+hours?|hours?|CEUs?|CMEs?|points|PDUs?"
    r"|professional\s+development\s+(?:units?|hours?|points)|continuing\s+education\s+units?)\b"
)
_CREDITS_AFTER_LABEL = re.compile(
    rf"\b(?:{_UNIT}|CME|CE)(?:\s+(?P<how>awarded|claimed|earned|received|granted|total))?"
    rf"(?:(?:[ \t]+(?:[a-z]+|\([a-z -]+\))){{1,6}}[ \t]*(?=:|-[ \t]))?[ \t]*[:#=-]?\s*"
    rf"(?:{_NUMBER}|(?P<none>none|nil)\b)",
    re.I,
)
"""An amount after its label, which may run on in a few words (or words in brackets) to its
colon or dash ("Credits earned by this learner: 0.00", "... learner (post-test) - 0.00"); "none"
or "nil" there is zero."""
_CREDITS_BEFORE_UNIT = re.compile(
    rf"(?<![\w.#-]){_NUMBER}\s*(?:[\w+-]+\s+){{0,6}}?{_UNIT}",
    re.I,
)
_NOT_AN_AMOUNT = re.compile(
    r"(?:categor(?:y|ies)|cat\.?|level|part|vol(?:ume)?\.?|no\.?|#)\s*$", re.I
)
_MAXIMUM = re.compile(r"maximum\s+of\s*$|up\s+to\s*$|max\.?\s*$", re.I)
_AWARDED = re.compile(r"(?:awarded|claimed|earned|received|granted|total)\b[\w\s:]{0,12}$", re.I)
_APPROVED_FOR = re.compile(r"\b(?:approved|designated|valid|eligible)\b[^.]{0,80}\bfor\s*$", re.I)

CreditRank = int
"""Lower is better: awarded (0), a labelled amount (1), an amount with its unit (2), the
amount an approval statement names (3), a designated maximum (4)."""


def _amount(text: str) -> Decimal | None:
    try:
        amount = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return amount if 0 <= amount <= MAX_CREDITS else None


def _credits(doc: _Doc, table: _Row | None, types: tuple[CreditType, ...]) -> Decimal | None:
    """The credits awarded: an awarded/claimed amount first, then a labelled amount or one with
    its unit, then the amount an approval names; a designated maximum only when nothing else
    is printed [O19]. An amount in CEUs counts ``CEU_HOURS`` each (contact hours), except on a
    CCI-approved certificate, whose "CEUs" are hours [C2]. Zero is an amount ("0.00 credits":
    none awarded)."""
    ceu = hours_per_ceu(types)
    table_credits = [(1, 0, table.credits)] if table and table.credits is not None else []
    flat = in_figures(doc.flat)
    candidates = table_credits + _printed_credits(flat, ceu)
    return min(candidates)[2] if candidates else None


def _printed_credits(flat: str, ceu: Decimal) -> list[tuple[CreditRank, int, Decimal]]:
    """Each amount printed in ``flat`` with its rank and position (see ``_credits``)."""
    candidates: list[tuple[CreditRank, int, Decimal]] = []
    for match in _CREDITS_AFTER_LABEL.finditer(flat):
        amount = Decimal(0) if match.group("none") else _in_hours(_amount(match["n"]), match, ceu)
        before = flat[max(0, match.start() - 40) : match.start()]
        just_before = flat[max(0, match.start("n") - 40) : match.start("n")]
        if amount is not None and not _NOT_AN_AMOUNT.search(just_before):
            rank = 0 if match.group("how") or _AWARDED.search(before) else 1
            candidates.append((rank, match.start(), amount))
    for match in _CREDITS_BEFORE_UNIT.finditer(flat):
        amount = _in_hours(_amount(match.group("n")), match, ceu)
        before = flat[max(0, match.start() - 120) : match.start()]
        if amount is None or _NOT_AN_AMOUNT.search(before):
            continue
        if _MAXIMUM.search(before):
            rank = 4
        elif _AWARDED.search(before[-40:]):
            rank = 0
        elif _APPROVED_FOR.search(before):
            rank = 3
        else:
            rank = 2
        candidates.append((rank, match.start(), amount))
    return candidates


def _in_hours(amount: Decimal | None, match: re.Match[str], ceu: Decimal) -> Decimal | None:
    """``amount`` in the hours credits are counted in: times ``ceu`` where its unit (the
    label before it or the unit after it) is CEUs."""
    if amount is None or not CEU.search(match.group().replace(match.group("n"), " ", 1)):
        return amount
    return amount * ceu


# --- credit types ------------------------------------------------------------------------------

_BY = r"(?:approved|accredited|recogni[sz]ed|certified|endorsed)\b[^.]{0,60}?\bby\s+(?:the\s+)?"
_FOLLOWED_BY = (
    r"[\s-]*(?:approved|CME|CE|CEUs?|credits?|contact\s+hours?|hours|file\s*(?:no|number|#)"
    r"|CPD|points)\b"
)


def _approver(names: str) -> re.Pattern[str]:
    """An approver named with an approval: "approved by the SDMS", "SDMS-approved",
    "SDMS CME credits" (not the approver merely mentioned, e.g. as the provider)."""
    return re.compile(rf"{_BY}(?:{names})\b|\b(?:{names}){_FOLLOWED_BY}", re.I)


_CREDIT_TYPES: list[tuple[CreditType, re.Pattern[str]]] = [
    (
        "ama_pra_category_1",
        re.compile(r"\bAMA\s*(?:PRA\s*)?Cat(?:egory|\.)?\s*(?:1|I|one)\b", re.I),
    ),
    (
        "arrt_category_a_plus",
        re.compile(
            r"\bcat(?:egory|\.)?\s*A\s*(?:\+|plus\b|t\b)|\bA\s*(?:/|and|&|or)\s*A\s*\+", re.I
        ),
    ),
    ("arrt_category_a", re.compile(r"\bcat(?:egory|\.)?\s*A\b(?!\s*(?:\+|plus\b|t\b))", re.I)),
    (
        "sdms",
        _approver(r"(?<!C)SDMS|(?<!Canadian\s)Society\s+of\s+Diagnostic\s+Medical\s+Sonography"),
    ),
    ("svu", _approver(r"SVU|Society\s+for\s+Vascular\s+Ultrasound")),
    ("aium", _approver(r"AIUM|American\s+Institute\s+of\s+Ultrasound\s+in\s+Medicine")),
    ("ase", _approver(r"ASE|American\s+Society\s+of\s+Echocardiography")),
    ("iame", _approver(r"IAME|Institute\s+for\s+Advanced\s+Medical\s+Education")),
    ("spectrum_health", _approver(r"Spectrum\s+Health")),
    ("asum", _approver(r"ASUM|Australasian\s+Society\s+for\s+Ultrasound\s+in\s+Medicine")),
    ("cma", _approver(r"CMA|Canadian\s+Medical\s+Association")),
    ("csdms", _approver(r"CSDMS|Canadian\s+Society\s+of\s+Diagnostic\s+Medical\s+Sonography")),
    (
        "snmmi",
        re.compile(
            _approver(
                r"SNMMI(?:-TS)?|Society\s+of\s+Nuclear\s+Medicine(?:\s+and\s+Molecular"
                r"\s+Imaging)?"
            ).pattern
            + r"|\bVOICE\s+credits?\b",
            re.I,
        ),
    ),
    ("cci_approved", _approver(r"CCI|Cardiovascular\s+Credentialing\s+International")),
]
_LIFE_SUPPORT_ISSUER = re.compile(
    r"\b(?:American\s+Heart\s+Association|AHA|American\s+Safety\s+(?:&|and)\s+Health\s+Institute"
    r"|ASHI)\b"
)
_LIFE_SUPPORT_COURSE = re.compile(
    r"\b(?:ACLS|PALS|BLS|Advanced\s+Cardiovascular\s+Life\s+Support|Pediatric\s+Advanced\s+Life"
    r"\s+Support|Basic\s+Life\s+Support)\b",
    re.I,
)
_ASRT_APPROVAL = _approver(r"ASRT|American\s+Society\s+of\s+Radiologic\s+Technologists")


_UNITS_AWARDED = re.compile(
    rf"(?<![\w.]){_NUMBER}\s*(?:[\w()+-]+\s+){{0,6}}?{_UNIT}[^.]{{0,40}}?\b(?:are|is)\s+"
    r"(?:awarded|designated|granted)\b",
    re.I,
)
"""Credits a body the finder does not know awards ("2.50 Professional Development Units
(PDUs) are awarded for this program"): a credit type of its own, "other"."""
_NEGATED = re.compile(
    r"\b(?:not|never|no\s+longer)\s+(?:been\s+|be\s+)?(?:approved|accredited|designated|eligible"
    r"|valid|recogni[sz]ed|accepted)\b[^.;]*|\bnon-?(?:approved|accredited)\b[^.;]*",
    re.I,
)
"""An approval denied ("not approved for SDMS, ASRT or AMA PRA credit"), to the sentence's end."""


def _credit_types(flat: str) -> tuple[CreditType, ...]:
    """Every approval or designation the certificate names, sorted."""
    text = _NEGATED.sub(" ", _squash(flat))
    found: set[CreditType] = {kind for kind, pattern in _CREDIT_TYPES if pattern.search(text)}
    if _LIFE_SUPPORT_ISSUER.search(text) and _LIFE_SUPPORT_COURSE.search(text):
        found.add("aha_ashi")
    if _ASRT_APPROVAL.search(text) and "arrt_category_a_plus" not in found:
        found.add("arrt_category_a")  # the ASRT approves as a RCEEM(+): Category A at least
    if not found and (awarded := _UNITS_AWARDED.search(text)) and _amount(awarded.group("n")):
        found.add("other")
    return tuple(sorted(found))


# --- accreditation statement -------------------------------------------------------------------

_STATEMENT_START = re.compile(
    r"\b(?:[i1l]s|are|has\s+been|have\s+been|was|were)\s+(?:\w+\s+){0,2}?(?:accredited|approved"
    r"|designated|recogni[sz]ed)\b|\bdesignates\s+this\b|\bapproved\s+(?:by|for)\b"
    r"|\bin\s+accordance\s+with\s+the\s+(?:accreditation\b|curriculum\s+of\b)"
    r"|\bjoint(?:ly)?\s+provid"
    r"|\bRecogni[sz]ed\s+Continuing\s+Education\s+Evaluation\s+Mechanism\b|\bRCEEM\b"
    r"|\b(?:approved|accredited)\s+provider\b",
    re.I,
)
_STATEMENT_MORE = re.compile(
    _STATEMENT_START.pattern
    + r"|\bphysicians\s+should\s+claim\b|\bcommensurate\s+with\b|\baccepted\s+(?:as|by)\b",
    re.I,
)
_APPROVAL_OPENING = re.compile(
    r"^(?:\S+\s+){0,6}?(?:(?:[i1l]s|are|has\s+been|have\s+been|was|were)\s+(?:\w+\s+){0,2}?"
    r"(?:accredited|approved|designated|planned)\b|designates\s+this\b|approved\s+(?:by|for)\b)",
    re.I,
)
"""A line that opens an approval sentence: its verb within its first words ("This activity has
been planned and implemented in accordance with the accreditation requirements")."""
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Inc|Ltd|Co|Corp|Dr|St|No|Mr|Mrs|Ms|Prof|Jr|Sr|vs|etc|Vol|Dept|Univ|approx)"
    r"|\b[A-Z]|\be\.g|\bi\.e|\bU\.S)\.$"
)
_LABEL_LINE = re.compile(r"^[A-Za-z][\w .#/()'-]{0,40}:\s*\S")
_LABEL_ALONE = re.compile(r"^[A-Za-z][\w .#/()'-]{0,40}:$")
"""A label alone on its line, its value on the next ("Credits:" / "8.0 Category A")."""
_CONNECTORS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "by",
        "for",
        "and",
        "or",
        "to",
        "in",
        "on",
        "at",
        "with",
        "from",
        "as",
        "its",
        "their",
        "this",
        "that",
        "is",
        "are",
        "be",
    ]
)


def _sentences(doc: _Doc) -> list[str]:
    """The text split into sentences; a sentence also ends before and after a label line (or a
    label alone on its line and the value on the next), and where a line ends without a
    connecting word and the next starts an approval sentence ("This activity is approved
    ..."). Blank lines do not end sentences: OCR puts them inside paragraphs."""
    sentences: list[str] = []
    current: list[str] = []  # the pieces of the sentence read so far (joined once, when it ends)
    for index, line in enumerate(doc.lines):
        if current:
            last_word = current[-1].rsplit(" ", 1)[-1].lower()
            new_sentence = (
                _LABEL_LINE.match(line) is not None
                or _LABEL_LINE.match(doc.lines[index - 1]) is not None
                or _LABEL_ALONE.match(line) is not None
                or (index >= 2 and _LABEL_ALONE.match(doc.lines[index - 2]) is not None)
                or (
                    line[:1].isupper()
                    and last_word not in _CONNECTORS
                    and _APPROVAL_OPENING.match(line) is not None
                )
            )
            if new_sentence:
                sentences.append(" ".join(current))
                current = []
        for piece in re.split(r"(?<=[.!?])\s+(?=[A-Z(\"])", line):
            if piece.strip():
                current.append(piece.strip())
            if current and re.search(r"[.!?]$", piece) and not _ABBREVIATIONS.search(piece):
                sentences.append(" ".join(current))
                current = []
    if current:
        sentences.append(" ".join(current))
    return sentences


def _statement(doc: _Doc) -> str | None:
    """The accreditation/approval statement as printed: the first sentence that accredits,
    designates or approves, and the sentences right after it that continue it."""
    sentences = _sentences(doc)
    for index, sentence in enumerate(sentences):
        if (
            _STATEMENT_START.search(sentence)
            and not _LABEL_LINE.match(sentence)
            and not _NEGATED.search(sentence)
        ):
            kept = [sentence]
            for more in sentences[index + 1 :]:
                if not _STATEMENT_MORE.search(more) or _LABEL_LINE.match(more):
                    break
                kept.append(more)
            return " ".join(kept)
    return None


# --- participant -------------------------------------------------------------------------------

_PARTICIPANT_ANCHORS = [
    re.compile(p, re.I)
    for p in (
        r"\b(?:this\s+is\s+to\s+)?certif(?:y|ies)\s+that\b",
        r"\bthis\s+(?:(?:certificate|document|letter)\s+)?(?:verifies|confirms|acknowledges)"
        r"\s+that\b",
        r"\b(?:presented|awarded|granted|issued)\s+to\b",
        r"^(?:participant|lea(?:rn|rm|m)er|attendee|student|member|registrant|recipient|licensee)"
        r"(?:['’]s)?(?:\s+(?:full\s+)?name)?(?:\b|(?-i:(?=[A-Z\u00c0-\u00de])))"
        r"(?!\s+(?:id|number|no)\b)",
        r"^(?:full\s+)?name(?:\s+of\s+(?:participant|learner|attendee))?\s*:",
        r"^dear\s+(?:(?:dr|mr|mrs|ms|mx|prof)\b\.?)?",
    )
]
_LABEL_AFTER_NAME = re.compile(
    r"\s+(?:id|arrt|ardms|registry)\b.*$|\s+\S+\s+(?:id|no\.?|number|#)\s*:.*$|\s{2,}.*$",
    re.I,
)
_SENTENCE = "has|have|had|for|who|is|was|participated|attended|completed|successfully"
_SENTENCE_AFTER_NAME = re.compile(
    # a sentence word in lower case or in capitals, or capitalised but followed by more words
    # ("Has Successfully Completed"): "Anna ten Have" is a name
    rf"\s+(?-i:{_SENTENCE}|{_SENTENCE.upper()})\b.*$|\s+(?:{_SENTENCE})\s+\S.*$",
    re.I,
)
_CREDENTIAL = re.compile(
    r"^(?:R\.?T\.?(?:\s*\([A-Z]{1,3}\))*(?:\s*\(ARRT\))?|RDMS|RDCS|RVT|RVS|RPVI|RMSKS|RCS|RCIS|"
    r"RCES|CNMT|NMT|RRA|RN|BSN|MSN|BS|BA|MS|MA|MBA|MPH|MD|DO|PhD|FSDMS|FASE|FSVU|RMS|RPhS|"
    r"ARRT|CRT|CCT|RT\(?[A-Z]\)?(?:\([A-Z]{1,3}\))*)$"
)
_NOT_A_NAME = re.compile(
    r"certif|complet|course|activity|program|credit|educat|conference|session|ultrasound|date"
    r"|hereby|society|institute|association",
    re.I,
)


def _person(value: str) -> str | None:
    """A person's name out of ``value``: without the post-nominal letters (", RDMS, RVT") and
    whatever follows the name; None if it does not look like a name."""
    value = _SENTENCE_AFTER_NAME.sub("", _LABEL_AFTER_NAME.sub("", value))
    value = _MISREAD_L.sub("l", _INITIAL_COMMA.sub(". ", value)).strip(" ,.:;'\"")
    parts = [part.strip() for part in value.split(",")]
    name = parts[0]
    if len(parts) > 1 and _family_first(name, parts[1]):
        name = f"{parts[1]} {name}"
    words = _without_trailing_specks(name.split())
    while len(words) > 2 and _CREDENTIAL.match(words[-1].strip(".,")):
        words.pop()
    words = [f"{word}." if len(word) == 1 and word.isupper() else word for word in words]
    name = " ".join(words).strip(" .")
    if not 2 <= len(words) <= 6 or _NOT_A_NAME.search(name) or re.search(r"\d", name):
        return None
    if sum(ch.isalpha() for ch in name) < 0.75 * len(name.replace(" ", "")):
        return None
    if not all(_capitalised(word) for word in (words[0], words[-1])) or not all(
        _capitalised(word) or _PARTICLE.fullmatch(word) for word in words[1:-1]
    ):
        return None
    return name


_GIVEN_NAME = re.compile(r"[^\W\d_][^\W\d_'-]*(?:['-][^\W\d_]+)*")
_INITIAL = re.compile(r"[^\W\d_]\.?")
_VOWEL = re.compile(r"[aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿ]", re.I)
_SUFFIX = re.compile(r"(?:Jr|Sr|[IVX]+)\.?$", re.I)


def _family_first(family: str, given: str) -> bool:
    """Whether "``family``, ``given``" is a name printed family name first ("KOWALSKI, Robert
    J.", "O'NEILL-HUGHES, DEBORAH A.", "Van der Berg, Zoë K."): ``given`` is one to three given
    names or initials, the first a word with a vowel, not post-nominal letters ("RDMS") or a
    suffix ("Jr."). A family name of several words in mixed case ("Ní Bhriain, Siobhán")
    takes one given name, or given names ending in an initial, so that a role after a name
    ("Jane Doe, Staff Sonographer") is not taken for given names; a name with an initial inside
    ("Dana K. Whitfield, Sonographer") is in its natural order already."""
    words, family_words = given.split(), family.split()
    if not 1 <= len(words) <= 3 or not 1 <= len(family_words) <= 4:
        return False
    if any(_INITIAL.fullmatch(word) for word in family_words[1:-1]):
        return False
    first = words[0]
    if (
        not _GIVEN_NAME.fullmatch(first)
        or len(first) < 2
        or not _VOWEL.search(first)
        or _SUFFIX.match(first)
        or _CREDENTIAL.match(given.strip("."))
        or not all(_GIVEN_NAME.fullmatch(w) or _INITIAL.fullmatch(w) for w in words)
        or not all(_capitalised(w) for w in words)
    ):
        return False
    several = len(family_words) > 1 and not family.isupper()
    return not several or len(words) == 1 or _INITIAL.fullmatch(words[-1]) is not None


_PARTICLE = re.compile(r"(?!(?:and|for|the|of|in|on|to|at|by|an|a)\b)[a-z]{1,3}'?")
_INITIAL_COMMA = re.compile(r"(?<=\b[A-Z]),\s+(?=[A-Z][a-z])")
"""A middle initial's full stop read as a comma by OCR ("Zoé K, Van der Berg")."""
_MISREAD_L = re.compile(r"(?<=[A-Za-z])[\]\[!|](?=[-A-Za-z])")
"""An "l" OCR read as a bracket or a bar inside a word ("Ahmad A]-Rashidi")."""


def _without_trailing_specks(words: list[str]) -> list[str]:
    """A name printed in capitals without the words after it that are not (OCR's specks from
    a signature or a seal: "DEBORAH A. O'NEILL-HUGHES Oe ieees")."""
    if len(words) < 2 or not all(word.isupper() for word in words[:2]):
        return words
    end = next((i for i, word in enumerate(words) if not word.isupper()), len(words))
    return words[:end]


"""A lower-case word that joins parts of a name: "van der", "de la", "dos", "bin", "d'"."""


def _capitalised(word: str) -> bool:
    """Whether a word of a name has a capital: "Cruz", "McNeil", "d'Angelo", "al-Hassan"."""
    return any(ch.isupper() for ch in word)


def _after_anchor(doc: _Doc, index: int, end: int) -> Iterator[tuple[int, str]]:
    """Where a label's value may be, with its line: the rest of its line, then the next line."""
    rest = doc.lines[index][end:].strip(" :-")
    if rest:
        yield index, rest
    if index + 1 < len(doc.lines):
        yield index + 1, doc.lines[index + 1]


_BEFORE_ACHIEVEMENT = re.compile(
    r"^(?:has|have)\s+(?:successfully\s+)?(?:completed|participated|attended|earned|fulfilled"
    r"|satisfactorily|met)\b",
    re.I,
)
_ACHIEVEMENT = re.compile(
    _BEFORE_ACHIEVEMENT.pattern
    + r"|^(?:successfully\s+)?(?:completed|participated|attended)\b"
    + r"|^for\s+(?:participation|attendance)",
    re.I,
)
"""The sentence under a participant's name, also without "has" ("attended", "completed the
on-demand webinar", "for participation in the symposium")."""
_NAME_CAPTION = re.compile(
    r"^(?:(?:participant|learner|attendee|student)(?:['’]s)?(?:\s+(?:full\s+)?name)?"
    r"|(?:full\s+)?name(?:\s+of\s+(?:the\s+)?(?:participant|learner|attendee))?)\b",
    re.I,
)
"""A caption printed under the name it labels ("Name", "Name of participant Credential(s)")."""
_CERTIFICATE_HEADING = re.compile(r"certif|^of\s+(?:completion|attendance|participation)\b", re.I)


def _participant(doc: _Doc) -> tuple[int, str] | None:
    """The participant: the line just above "has successfully completed" (or "attended", ...),
    else after "certifies that", "presented to", a "Participant" label or "Dear", else above
    a "Name" caption, else a name standing alone in its block under the certificate's
    heading (a signature's name is followed by its role, in the same block). With the index
    of the line it is on."""
    for index, line in enumerate(doc.lines[1:], start=1):
        if _ACHIEVEMENT.match(line) and (name := _person(doc.lines[index - 1])):
            return index - 1, name
    for pattern in _PARTICIPANT_ANCHORS:
        for index, line in enumerate(doc.lines):
            match = pattern.search(line)
            if match is None:
                continue
            if (over := _over_caption(doc, index)) is not None:
                return over
            for at, value in _after_anchor(doc, index, match.end()):
                if name := _person(value):
                    return at, name
    for index, line in enumerate(doc.lines[1:], start=1):
        if _NAME_CAPTION.match(line) and (name := _person(doc.lines[index - 1])):
            return index - 1, name
    return _standing_alone(doc)


def _over_caption(doc: _Doc, index: int) -> tuple[int, str] | None:
    """The name over line ``index`` when that line is a caption naming it, alone and without
    a colon ("Participant Name" under the rule the name is written on), and the line over it
    is not the certificate's first (its heading). Where a name is printed under the caption
    too, the caption is the label of that one ("Faculty" / "Dana K. Whitfield" / "Participant
    Name" / "Jordan P. Smith"), unless the line under it is a caption as well: the form's
    captions are under their values."""
    line = doc.lines[index] if index < len(doc.lines) else ""
    if index < 2 or not _NAME_CAPTION.fullmatch(line) or not re.search(r"\bname\b", line, re.I):
        return None
    under = doc.lines[index + 1 : index + 3]
    if under and _person(under[0]) and not (len(under) > 1 and _title_caption(under[1])):
        return None
    name = _person(doc.lines[index - 1])
    return (index - 1, name) if name else None


def _title_caption(line: str) -> bool:
    """Whether ``line`` is a title's label alone on its line ("Activity Title")."""
    label = _TITLE_LABEL.match(line)
    return label is not None and label.end() == len(line)


def _standing_alone(doc: _Doc) -> tuple[int, str] | None:
    """The first name after the certificate's heading that is a block of its own."""
    heading = next(
        (i for i, line in enumerate(doc.lines) if _CERTIFICATE_HEADING.search(line)), None
    )
    if heading is None:
        return None
    for index in range(heading + 1, len(doc.lines)):
        alone = doc.breaks[index] and (index + 1 == len(doc.lines) or doc.breaks[index + 1])
        if alone and (name := _person(doc.lines[index])):
            return index, name
    return None


# --- title -------------------------------------------------------------------------------------

_TITLE_LABEL = re.compile(
    r"^(?:(?:(?:activity|course|program(?:me)?|session|event|module|webinar|lecture"
    r"|presentation)\s+(?:title|name)|title(?:\s+of\s+(?:the\s+)?(?:activity|course|program))?)"
    r"\b\s*[:-]?|(?:course|activity|program(?:me)?|topic|subject|session|event|module)\s*:"
    r"|(?-i:ACTIVITY|COURSE|PROGRAM|TOPIC|SESSION)\s+(?=[A-Z0-9\"])"
    r"|(?-i:Activity|Course|Program|Topic|Title)(?=(?-i:[A-Z])))\s*",
    re.I,
)
_TITLE_SENTENCE = re.compile(
    r"\b(?:successfully\s+)?(?:completed|completing|completion\s+of|participated\s+in"
    r"|participation\s+in|attended|attending|attendance\s+at)\b\s*(?:the\s+)?"
    r"(?:(?:live|online|virtual|in-person|home-study|home\s+study|self-study|self-paced"
    r"|enduring|web-based|recorded|journal-based|educational|continuing\s+education|on-demand"
    r"|on-site|onsite|on-line|\d+-(?:day|hour|part|week)|full-day|half-day|hands-on|interactive"
    r"|applications|clinical|vendor|CE|CME)\s+)*"
    r"(?:course|activity|program(?:me)?|webinar|module|workshop|conference|seminar|lecture"
    r"|directed\s+reading|session|symposium|meeting|material|tutorial|training|grand\s+rounds"
    r"|in-service|inservice|event|case\s+study)?s?"
    r"\s*(?:entitled|titled|called|named|listed\s+below)?\s*[:-]?\s*",
    re.I,
)
_FOR_THE_KIND = re.compile(
    r"\bfor\s+(?:the\s+)?(?:course|program(?:me)?|activity|webinar|module|workshop|seminar"
    r"|lecture|session|symposium)\s*(?:entitled|titled)?\s*[:-]?\s*",
    re.I,
)
"""A title after "for the course"."""
_KIND_PREFIX = re.compile(
    r"^(?:grand\s+rounds|webinar|lecture|workshop|seminar|symposium|session|module)\s*:\s*",
    re.I,
)
"""The kind of event with its own colon before a title ("Grand Rounds: Strain Imaging")."""
_FIELD_WORDS = (
    r"(?:held|on|date|dates|from|credits?|category|and\s+(?:is|was|has|claimed|earned|received)"
    r"|awarded"
    r"|presented|provided|sponsored|approved|location|format|provider|this|the\s+[A-Z]+\s+is"
    r"|certificate|participant|learner|ardms|arrt|sdms|release|expiration|completion|approval"
    r"|completed|in\s+[A-Z][a-z]+,|total|contact|hours"
    r"|(?-i:FACULTY|MODERATORS?|SPEAKERS?|PRESENTERS?|INSTRUCTORS?|VENUE)"
    r"|(?:faculty|moderators?|speakers?|presenters?|instructors?|venue)(?=\s*:))"
)
"""Words that start another field; the neighbours printed under a title (faculty, venue) only
as a label: in capitals or before a colon."""
_TITLE_ENDS = re.compile(rf"\s+(?:{_FIELD_WORDS})\b.*$|[.;]\s.*$", re.I)
_FIELD_LINE = re.compile(rf"^(?:{_FIELD_WORDS})\b", re.I)
_UNFINISHED = re.compile(
    r"(?:[:,&-]|\b(?:and|of|the|for|in|on|with|to|using|a|an|from|versus|vs\.?))$", re.I
)


_LIFE_SUPPORT_CARD = re.compile(
    r"\b(?:ACLS|PALS|BLS|Heartsaver(?:\s+[A-Z][\w/&-]*){0,3})\s+(?:EP\s+)?(?:Provider|Instructor)\b"
)
"""A life-support card's course as its heading names it ("ACLS Provider")."""
_CODE_LINE = re.compile(r"[A-Z]{0,5}\d{3,}")
"""A line that starts with a reference number: never a title's continuation."""
_QUOTED_TITLE = re.compile(r'[^"]{0,30}?"([^"]{3,200})"')


def _title_value(doc: _Doc, index: int, end: int) -> str | None:
    """The title after its anchor (line ``index``, column ``end``): in quotes (over lines), on
    the rest of the line, or on the next line; continued over at most two more lines that hold
    no other field and start no list item."""
    quoted = _QUOTED_TITLE.match(doc.flat, doc.starts[index] + end)
    if quoted:
        return _squash(quoted.group(1))
    rest = doc.lines[index][end:].lstrip(" :-")
    lines = []
    at = index + 1
    if rest:
        title, ended = _up_to_other_fields(rest)
        lines.append(title)
        if ended:
            return _title_text(lines)
    elif at < len(doc.lines):
        if _FIELD_LINE.match(doc.lines[at]):
            return None
        lines.append(_up_to_other_fields(doc.lines[at])[0])
        at += 1
    for line, block_break, item in zip(
        doc.lines[at:], doc.breaks[at:], doc.items[at:], strict=True
    ):
        if (
            len(lines) >= 3
            or item
            or (block_break and not _UNFINISHED.search(lines[-1]))
            or _FIELD_LINE.match(line)
            or _LABEL_LINE.match(line)
            or _CODE_LINE.match(line)
            or _dates_in(line)
        ):
            break
        lines.append(line)
    return _title_text(lines)


def _up_to_other_fields(text: str) -> tuple[str, bool]:
    """``text`` up to where another field starts (a field's word, a date, a sentence's end),
    and whether one does."""
    ends = [found.start() for found in (_TITLE_ENDS.search(text), _first_date(text)) if found]
    cut = min(ends, default=len(text))
    return text[:cut].rstrip(" ,"), cut < len(text)


def _first_date(text: str) -> re.Match[str] | None:
    found = [match for pattern in _DATE_PATTERNS if (match := pattern.search(text))]
    return min(found, key=lambda match: match.start(), default=None)


def _dates_in(line: str) -> bool:
    return any(pattern.search(line) for pattern in _DATE_PATTERNS)


def _title_text(lines: list[str]) -> str | None:
    title = _KIND_PREFIX.sub("", _squash(" ".join(lines)).strip(" ,:-\"'"))
    if len(title) < 4 or sum(ch.isalpha() for ch in title) < 4:
        return None
    return title


def _title(doc: _Doc, table: _Row | None, name_line: int | None) -> str | None:
    """The activity's title: after its label (or above it, where the label is a caption under
    it), after the words that say what the participant did ("completed the on-demand webinar",
    "for the course"), in a transcript's row, else the first title-like line after the
    participant's name (on line ``name_line``). On a form whose name is written over its
    caption, a label alone on its line is a caption too."""
    captions_under = name_line is not None and _over_caption(doc, name_line + 1) is not None
    for index, line in enumerate(doc.lines):
        label = _TITLE_LABEL.match(line)
        if not label or _is_table_header(line):
            continue
        alone = label.end() == len(line)
        if alone and index and captions_under and (title := _caption_of(doc, index)):
            return title
        if title := _title_value(doc, index, label.end()):
            return title
        if alone and index and (title := _caption_of(doc, index)):
            return title
    for index, line in enumerate(doc.lines):
        if _is_table_header(line):
            continue
        for pattern in (_TITLE_SENTENCE, _FOR_THE_KIND):
            for match in pattern.finditer(line):
                rest = line[match.end() :]
                if rest and not rest[:1].isalnum() and not rest.startswith('"'):
                    continue
                title = _title_value(doc, index, match.end())
                if title and not title[0].islower():  # "the cognitive and skills evaluations"
                    return title
    if table and table.title:
        return table.title
    if card := _LIFE_SUPPORT_CARD.search(doc.flat):
        return card.group()
    return _after_name(doc, name_line) if name_line is not None else None


def _caption_of(doc: _Doc, index: int) -> str | None:
    """The title printed above its caption (line ``index``, "Program title")."""
    above = doc.lines[index - 1]
    if _FIELD_LINE.match(above) or _LABEL_LINE.match(above) or re.search(r"\d", above):
        return None
    return _title_text([above])


_TITLE_AFTER_NAME_LINES = 6
"""Lines after the participant's name searched for a title printed without a label."""


def _after_name(doc: _Doc, name_line: int) -> str | None:
    """The first line after the participant's name that reads like a title (words in title
    case, no figures, no label, not a sentence), with its continuation lines."""
    for index in range(name_line + 1, min(len(doc.lines), name_line + 1 + _TITLE_AFTER_NAME_LINES)):
        line = doc.lines[index]
        if (
            len(line.split()) >= 2
            and _title_case(line)
            and not re.search(r"\d", line)
            and len(_up_to_other_fields(line)[0].split()) >= 2  # not a row of labels
            and not _TITLE_LABEL.match(line)
            and not _STATEMENT_START.search(line)
        ):
            return _title_value(doc, index, 0)
    return None


# --- a transcript row: "Course title | Completed | Credit type | Credits" ---------------------

_HEADER_WORDS = re.compile(
    r"\b(?:course|title|activity|program|completed|date|credits?|hours|type|category|status"
    r"|provider|approval)\b",
    re.I,
)


_ROW_PARTS = (
    re.compile(r"[A-Za-z]{3,}"),
    re.compile(r"\s\d{1,2}/\d{1,2}/\d{2,4}\s"),
    re.compile(r"\b(?:ASRT|ARRT|AMA|SDMS|SVU|AIUM|CCI|Category)\b", re.I),
    re.compile(r"\s\d{1,3}(?:[.,]\d{1,2})?$"),
)
"""A transcript row without its header, in this order: title, date, credit type, amount."""


def _row_shaped(line: str) -> bool:
    """Whether ``line`` holds the parts of ``_ROW_PARTS`` one after the other (each searched
    once from where the previous ended: linear, where one pattern with ``.*`` between the parts
    backtracks cubically in the line's length)."""
    position = 0
    for part in _ROW_PARTS:
        found = part.search(line, position)
        if found is None:
            return False
        position = found.end()
    return True


_ROW_CREDIT_TYPE = re.compile(
    r"\b(?:ASRT|ARRT|AMA|SDMS|SVU|AIUM|CCI|Category|Cat\.)\b|\s\d{1,3}(?:[.,]\d{1,2})?$", re.I
)


_ROW_REFERENCE = re.compile(r"\s[A-Z]{0,5}\d{5,}\b")
"""A reference number in a transcript's row (an approval number's column)."""


class _Row(msgspec.Struct, frozen=True):
    title: str | None
    credits: Decimal | None
    completed: _Dated | None
    approval_number: str | None = None


def _is_table_header(line: str) -> bool:
    words = line.split()
    heads = len(_HEADER_WORDS.findall(line))
    return (
        heads >= 3
        and heads >= 0.6 * len(words)
        and bool(re.search(r"credit|hour|categor", line, re.I))
    )


def _table_row(doc: _Doc) -> _Row | None:
    """The first row under a transcript-like header, or else the first line shaped like one
    (title, date, credit type, amount): its title (up to the date or credit type), its date
    (a completion date) and the amount at its end."""
    for index, line in enumerate(doc.lines):
        if _is_table_header(line) and index + 1 < len(doc.lines):
            return _row(
                doc,
                index + 1,
                dated=bool(re.search(r"complet|date", line, re.I)),
                approvals=bool(re.search(r"approval", line, re.I)),
            )
    for index, line in enumerate(doc.lines):
        if _row_shaped(line):
            return _row(doc, index, dated=True)
    return None


def _row(doc: _Doc, index: int, *, dated: bool, approvals: bool = False) -> _Row:
    """The transcript row on line ``index``; its date is the completion date if ``dated``, its
    reference number the approval number if ``approvals`` (a column of them)."""
    row = doc.lines[index]
    leading = _first_date(row)
    start = leading.end() if leading and not row[: leading.start()].strip() else 0
    cuts = [
        start + found.start()
        for pattern in (*_DATE_PATTERNS, _ROW_CREDIT_TYPE, _ROW_REFERENCE)
        if (found := pattern.search(row[start:]))
    ]
    title = row[start : min(cuts)] if cuts else row[start:]
    # OCR's specks before the title ("t 'a Ultrasound ...")
    title_lines = [re.sub(r"^(?:[^\sA-Z0-9]{1,2}\s+)+(?=[A-Z0-9])", "", title)]
    for more, block_break in doc.following(index):
        if block_break or _STATEMENT_START.search(more) or re.search(r"\d", more):
            break
        title_lines.append(more)
    amount = re.search(r"(\d{1,3}(?:[.,]\d{1,2})?)\s*$", row)
    row_dates = _all_dates(_Doc(row))
    completed = (
        _Dated(row_dates[0].first, row_dates[0].last, "completion") if row_dates and dated else None
    )
    reference = _ROW_REFERENCE.search(row) if approvals else None
    return _Row(
        title=_title_text(title_lines),
        credits=_amount(amount.group(1)) if amount else None,
        completed=completed,
        approval_number=reference.group().strip() if reference else None,
    )


# --- provider ----------------------------------------------------------------------------------

_LABEL = (
    r"(?:(?:jointly\s+)?(?:provided|presented|sponsored|offered|issued|hosted|organi[sz]ed)"
    r"\s+by|(?:course\s+|education\s+|accredited\s+|activity\s+)?provider(?:\s+name)?|sponsor"
    r"|organi[sz]ation)"
)
_PROVIDER_LABEL = re.compile(rf"^{_LABEL}\s*:?\s+(?P<name>.+)$", re.I)
_PROVIDER_LABEL_ALONE = re.compile(
    rf"^(?:{_LABEL}|training\s+(?:center|centre|site)(?:\s+name)?)\s*:?$", re.I
)
"""A provider label alone on its line, the name on the next ("Training Center" on an eCard)."""
_HEADER_END = re.compile(
    r"c\s?e\s?r\s?t\s?i\s?f|\bdear\b|\bthis\s+is\s+to\b|transcript|\bawarded\b|\bpresented\b"
    r"|\battendance\s+record\b|\brecord\s+of\b"
    r"|^(?:has|have)\s+(?:successfully\s+)?(?:completed|participated|attended)\b",
    re.I,
)
_EVENT = re.compile(
    r"\b(?:sessions?|conference|symposium|convention|meeting|congress|summit|annual|course"
    r"|workshop|webinar)\b",
    re.I,
)
_ORGANISATION_LAST_WORD = (
    r"(?:society|association|institute|college|academy|university|hospital|health|center"
    r"|centre|ctr|clinic|foundation|council|collaborative|network|group|partners|department"
    r"|division|services|systems|inc|llc|ltd|corp|corporation|gmbh|plc)"
)
_ORGANISATION_END = re.compile(rf"\b{_ORGANISATION_LAST_WORD}\.?$", re.I)
"""The last word of an organisation's name: a name with an event word ("Heartland Radiography
Workshop, Inc.", "Summit Imaging Society") is still a name when it ends with one."""
_ORGANISATION_WORD = re.compile(
    r"\b(?:society|association|institute|college|academy|university|hospital|council"
    r"|foundation)\b",
    re.I,
)
"""A word only an organisation's name holds, anywhere in it."""
_UNIT_START = re.compile(r"^(?:department|division|section|school|office|program)\s+of\b", re.I)
"""A heading's second line naming a unit of the first ("Department of Radiology")."""
_ADDRESS = re.compile(
    r"\d.*\d|\bP\.?\s?O\.?\s+Box\b|\b(?:suite|street|avenue|boulevard|road|drive|parkway)\b"
    r"|@|www\.|https?:",
    re.I,
)
_STATEMENT_SUBJECT = re.compile(
    r"(?:^|[.]\s+)(?:The\s+)?(?P<name>[A-Z][\w&.,'-]*(?:\s+(?:of|for|in|and|&|the|[A-Z][\w&.,'-]*))"
    r"{0,8}?)\s+(?:is\s+accredited\s+by|designates\s+this)\b"
)


_SEPARATOR = re.compile(r"[·•«»|]|\s[-+*]\s")
"""Separators of taglines and addresses ("PEPconnect · Personalized Education Plan"; OCR reads
a bullet as "*" or "+")."""
_NAME_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_LEGAL_SUFFIX = re.compile(r",?\s+(?:inc|llc|ltd|corp|iic|lnc|l\.l\.c)\.?$", re.I)
"""A legal suffix at the end of a name, as printed or as OCR reads it ("IIc", "lnc")."""
_NUMBER_AFTER = re.compile(r"\s+(?:No\.?|#)\s*[A-Z]{0,4}-?\d[\w-]*$")
"""A certificate number OCR read into the end of the heading's line ("... Inc. No. HW14205")."""
"""A word of a name, with its possessive ("LUKE'S")."""


def _title_case(line: str) -> bool:
    words: list[str] = re.findall(r"[A-Za-z][\w'&-]*", line)
    if not words or not words[0][0].isupper():
        return False
    significant = [w for w in words if len(w) > 3]
    return sum(w[0].isupper() for w in significant) >= 0.75 * len(significant)


def _heading_name(line: str, *, event: bool = False) -> bool:
    """Whether a heading line can be an organisation's name: in title case or all in lower case
    (a logo), of real words, and not an address, a date, a tagline with separators or an event
    (unless it ends as an organisation's name does, or ``event``: the line ends a name begun
    above it, "GREAT LAKES" / "VASCULAR SUMMIT")."""
    words = _NAME_WORD.findall(line)
    logo = _LEGAL_SUFFIX.sub("", line)
    return (
        (_title_case(line) or logo == logo.lower())
        and all(len(word) >= 2 for word in words)
        and any(len(word) >= 4 for word in words)
        and not _ADDRESS.search(line)
        and not _dates_in(line)
        and (event or not (_EVENT.search(line) and not _ORGANISATION_END.search(line)))
        and not _SEPARATOR.search(line)
    )


def _provider(doc: _Doc) -> str | None:
    """The provider: a "Provided by" label (the name after it, or on the next line and the one
    under it in the same block when the name runs on), else the
    name in the heading above the certificate's title or a first line ending as an
    organisation's name does (a longer one rather than a lone word
    such as a logo's acronym, which gives way to its spelt-out name nearby; a name set over two
    lines is joined), else an organisation's name right under the document's kind ("Continuing
    Education Transcript"), else the subject of "... is accredited by"/"... designates"."""
    for index, line in enumerate(doc.lines):
        label = _PROVIDER_LABEL.match(line)
        if label and _title_case(label.group("name")):
            return _organisation(label.group("name"))
        if _PROVIDER_LABEL_ALONE.match(line) and index + 1 < len(doc.lines):
            value = doc.lines[index + 1]
            if _heading_name(value) and _title_case(value):
                more = doc.lines[index + 2 : index + 3]
                running_on = more and not doc.breaks[index + 2]
                return _organisation(_with_lines_under(value, more) if running_on else value)
    heading_end = next((i for i, line in enumerate(doc.lines[:8]) if _HEADER_END.search(line)), 0)
    if heading_end and _BEFORE_ACHIEVEMENT.match(doc.lines[heading_end]):
        heading_end -= 1  # the participant's name stands above "has completed"
    # no certificate word read (spaced-out letters are dropped as noise): a first line that
    # ends as an organisation's name does
    heading = doc.lines[:heading_end] or [
        line for line in doc.lines[:1] if _ORGANISATION_END.search(line.rstrip(" ,."))
    ]
    single_word = None
    for index, line in enumerate(heading):
        line = _NUMBER_AFTER.sub("", line)
        if (beside := _name_beside_tagline(line)).isupper():
            line = beside
        if _heading_name(line):
            name = _with_lines_under(line, heading[index + 1 :])
            if " " in name:
                return _organisation(name)
            single_word = single_word or _organisation(line)
    if single_word:
        return _spelt_out(single_word, doc.lines[:8]) or single_word
    under = doc.lines[heading_end + 1 : heading_end + 2] if heading_end < 8 else []
    if under and _heading_name(under[0]) and _ORGANISATION_WORD.search(under[0]):
        return _organisation(under[0])  # the name under the document's kind
    subject = _STATEMENT_SUBJECT.search(_squash(doc.flat))
    if subject and not re.match(r"(?:This|It|Our|We)\b", subject.group("name")):
        return _organisation(subject.group("name"))
    return _in_footer(doc)


_NAME_LINES = 3
"""The most lines of a heading one name is set over."""
_ACRONYM_LETTERS = 5
"""A single word of at most this many letters may be a logo's acronym, never a name's start."""


def _with_lines_under(line: str, following: list[str]) -> str:
    """``line`` and the heading lines under it while the name runs on (``_runs_on``), up to
    ``_NAME_LINES`` in all. A tagline beside a line ("IMAGING ACADEMY · advancing imaging
    education") is left out; a tagline alone between two lines of the name ("LOWCOUNTRY" /
    "Education • Research • Care" / "VASCULAR SYMPOSIUM") is passed over."""
    name, lines = line, 1
    for below in following:
        if lines == _NAME_LINES:
            break
        part = _name_beside_tagline(below)
        if _runs_on(name, part):
            name, lines = f"{name} {part}", lines + 1
        elif not _SEPARATOR.search(below):
            break
    return name


def _name_beside_tagline(line: str) -> str:
    """``line`` before the separator of a tagline beside it, and of that, the words in capitals
    a tagline in other letters follows on the same row ("LOWCOUNTRY Education * Research")."""
    if not _SEPARATOR.search(line):
        return line
    words = _SEPARATOR.split(line)[0].split()
    capitals = list(itertools.takewhile(str.isupper, words))
    return " ".join(capitals or words)


def _runs_on(name: str, below: str) -> bool:
    """Whether heading line ``below`` continues ``name``: both set alike (capitals, lower case
    or neither), and ``name`` stops short of an organisation's last word ("Lakeshore Vascular"
    / "Imaging Institute", "NORTHERN PLAINS" / "SONOGRAPHY EDUCATION" / "CONSORTIUM", the last
    line perhaps an event word: "GREAT LAKES" / "VASCULAR SUMMIT") or both are in capitals and
    ``below`` names a unit of ``name`` ("SAINT LUKE'S HOSPITAL" / "DEPARTMENT OF RADIOLOGY").
    A name begun by one word is one in capitals longer than an acronym ("MERIDIAN" / "IMAGING
    ACADEMY"; never "ASRT" over its spelt-out name)."""
    alike = (name.isupper() == below.isupper()) and (name.islower() == below.islower())
    one_word = " " not in name
    return (
        alike
        and _heading_name(below, event=True)
        and (not one_word or (name.isupper() and len(name) > _ACRONYM_LETTERS))
        and (
            not _ORGANISATION_END.search(name.rstrip(" ,."))
            or bool(name.isupper() and _UNIT_START.match(below))
        )
    )


_FOOTER_LINES = 8
"""The last lines of a certificate searched for a provider printed only at its foot."""
_FOOTER_NAME = re.compile(
    rf"^.*\b(?:{_ORGANISATION_LAST_WORD}|education|learning|training)\b\.?", re.I
)
"""A line up to its last word that ends an organisation's name or says what it provides
("Harbor Point Ultrasound Education"), leaving what OCR read beside it on the row (a signer)."""
_NOT_AN_ISSUER = re.compile(
    r"^continuing\b|\b(?:director|chair|chairman|chairperson|coordinator|manager|president"
    r"|officer|dean|specialist|educator|office|by|approved|accredited|designates)\b",
    re.I,
)
"""A kind of activity ("Continuing Medical Education"), a signer's role, an office or an
approval ("Approved by the American Society ...")."""


def _in_footer(doc: _Doc) -> str | None:
    """An organisation's name at the foot of the page (beside a seal, over its address or
    office): among the last lines, one in title case up to its last word that ends an
    organisation's name or says what it provides (``_FOOTER_NAME``), on a line that holds no
    signer's role."""
    for line in doc.lines[-_FOOTER_LINES:]:
        name = _FOOTER_NAME.match(line)
        if (
            name
            and " " in name.group()
            and _heading_name(name.group())
            and _title_case(name.group())
            and not _NOT_AN_ISSUER.search(line)
        ):
            return _organisation(name.group())
    return None


def _spelt_out(acronym_line: str, lines: list[str]) -> str | None:
    """A line near the top that spells out ``acronym_line`` ("ASRT" over "American Society of
    Radiologic Technologists")."""
    letters = acronym_line.replace(".", "").lower()
    if not (letters.isalpha() and 2 <= len(letters) <= 8):
        return None
    for line in lines:
        if " " in line and _heading_name(line):
            tokens = tuple(organisation_tokens(line))
            if acronym(tokens) == letters:
                return _organisation(line)
    return None


def _organisation(name: str) -> str:
    """``name`` without surrounding punctuation, keeping an abbreviation's full stop."""
    name = name.strip(" ,;:")
    return name if _ABBREVIATIONS.search(name) else name.rstrip(".")


# --- reference numbers -------------------------------------------------------------------------

_ID = r"(?P<id>[A-Z0-9][A-Z0-9/.-]{2,30}[A-Z0-9])"
_BARE_ID = r"(?P<bare_id>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,30}[A-Z0-9])(?![.,/]?\d)"
"""A reference number straight after "Certificate": letters, digits and dashes only (not a
figure such as "12.0" or a date)."""
_ACCREDITORS = r"(?:ASRT|SVU|SDMS|RCEEM|ARRT)"
_CERTIFICATE_NUMBER = re.compile(
    r"(?:serial(?:\s*(?:no\.?|number|#))?|e-?card\s*code|(?:transcript|credential)\s*[I1l]D"
    r"|\bref\.?(?=\s)|(?<![^\n])no\.)\s*[:#.]?\s*"
    rf"{_ID.replace('?P<id>', '?P<other_id>')}"
    r"|(?:\b|(?<=[a-z0-9]))(?:c[a-z]{1,4}f[a-z]{0,3}cate|cert\.?|transcript|tracking|verification"
    r"|confirmation|record)"
    rf"\s*(?:no\.?|number|num\.?|#|[I1l]D|code)\s*[:#.]?\s*{_ID}"
    rf"|\bcertificate\s*:?\s*{_BARE_ID}",
    re.I,
)
_APPROVAL_NUMBER = re.compile(
    r"\b(?:(?:SDMS\s+)?file\s*(?:no\.?|number|#)?|(?:program\s+|course\s+)?approval\s*"
    rf"(?:no\.?|number|#|code|id)?|{_ACCREDITORS}\s*#|{_ACCREDITORS}?\s*(?:activity|reference)\s*"
    rf"(?:[I1l]D|no\.?|number|#))\s*[:#.]?\s*{_ID}",
    re.I,
)


def _reference(flat: str, pattern: re.Pattern[str]) -> str | None:
    """The first reference number under one of ``pattern``'s labels that has a digit; an O, I
    or l next to a digit is taken for 0 or 1 ("SIEO819648" is "SIE0819648"); "Certificate" may
    be misread ("Cortficate No.")."""
    for match in pattern.finditer(flat):
        value = next(filter(None, match.groupdict().values())).strip(".-/")
        if re.search(r"\d", value):
            return re.sub(r"[OoIl](?=\d)|(?<=\d)[OoIl]", _lookalike, value)
    return None


def _lookalike(match: re.Match[str]) -> str:
    return match.group().translate(_LOOKALIKES)
