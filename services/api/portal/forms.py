"""Forms: what a person typed, read back field by field into typed values, and what is wrong.

A ``Form`` keeps every value as typed, so a refused form is shown again exactly as it was sent
(passwords excepted: templates never echo them). Each reader (``text``, ``day``, ``amount`` ...)
returns the typed value, or records a message for the field and returns None; ``refuse`` records
a refusal of the domain or of identity checks. The templates' macros (``macros/forms.html``) show
a summary of the problems at the top, linked to the fields, and each message at its field.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from typing import Any, TypeVar

import dateparser  # type: ignore[import-untyped]
from litestar import Request
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException

from domain.compliance.standing import day_text
from domain.shared.errors import Refusal
from domain.shared.limits import EARLIEST_DAY, LATEST_DAY, parse_decimal
from services.api.idempotency import FORM_KEY_FIELD, remember_form_key
from services.api.input_limits import NUL, NUL_REFUSED
from services.core.application import AccessDenied, NotFound, UseCase, UseCases

K = TypeVar("K", bound=str)
C = TypeVar("C")
R = TypeVar("R")
NOT_FIELDS = frozenset({"_csrf_token", FORM_KEY_FIELD})

DAY_EXAMPLE = "7 Dec 2026"
DAY_HINT = f"For example, {DAY_EXAMPLE}. Also 2026-12-07, or 12/7/2026 (month first)."
"""Shown under every date field: the way pages print days, and the other ways read."""
_DAY_SETTINGS = {
    "DATE_ORDER": "MDY",
    "STRICT_PARSING": True,
    "PARSERS": ["absolute-time"],
    "RETURN_AS_TIMEZONE_AWARE": False,
}
_LONGEST_DAY = len("Wednesday, 30 September 2026")
_YEAR_FIRST = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_FULL_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_NUMBERS = re.compile(r"(?<!\d)\d{1,2}(?!\d)")
_DAY_MONTH_DOTTED = re.compile(r"^\s*(\d{1,2})\s*\.\s*(\d{1,2})\s*\.\s*\d{4}\s*$")
_LONGEST_TYPED = 64
"""Characters of a typed day or moment, at most: the longest written out, "Wednesday, 30
September 2026 23:59:59.999999" (44), with room for stray spaces. Longer text is refused before
any pattern or dateparser reads it."""
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_AT_TIME = re.compile(
    r"^(?P<day>[^\sT,](?:.*[^\sT,])?)[\sT,]+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::\d{2}(?:\.\d{1,6})?)?\s*$"
)
"""A day, then a time; the day starts and ends with a character that cannot separate it from
the time, so each run of separators is tried once (linear, not quadratic, in the length)."""
_DAY_WORDS = frozenset(
    [m.lower() for m in (*calendar.month_name, *calendar.month_abbr, *calendar.day_name)]
    + [d.lower() for d in calendar.day_abbr]
    + ["sept", "tues", "thur", "thurs", "st", "nd", "rd", "th", "of", ""]
)
_TOKENS = re.compile(r"[a-z]+|\d+|[^a-z\d\s,./-]")
_TIME = re.compile(r"\d\s*[:h]|\d\s*[ap]\.?\s*m\b|\bmidnight\b|\bnoon\b|\dt\d")
MOMENT_HINT = f"For example, {DAY_EXAMPLE} 14:30 (a 24-hour time)."


class DayNotRead(ValueError):
    """What is wrong with a typed day, as a sentence for the person."""


def _typed_date(typed: str, label: str, too_long: str) -> str:
    """The gate every typed day and moment passes before any pattern or dateparser reads it:
    ``typed`` as it is, or ``DayNotRead`` (``too_long`` when over ``_LONGEST_TYPED``
    characters: a regular expression must never see unbounded text; or a control character,
    which no day holds)."""
    if len(typed) > _LONGEST_TYPED:
        raise DayNotRead(too_long)
    if CONTROL_CHARACTER.search(typed):
        raise DayNotRead(f"Enter the {label} without control characters (such as a tab or NUL)")
    return typed


def read_day(typed: str, label: str = "date") -> date:
    """The one reader of days typed into the portal: "7 Dec 2026" (the way pages print days),
    "December 7, 2026", "2026-12-07", "12/7/2026" (numbers: month first, the US order). The
    year is written in full; a day that does not exist (31 Feb), a dotted "7.12.2026" (7 Dec
    or 12 Jul?) and a day outside ``EARLIEST_DAY`` .. ``LATEST_DAY`` are refused with
    ``DayNotRead`` saying why. Times, relative words ("yesterday") and other languages are not
    read: a day with a time ("7 Dec 2026 0:00", "... midnight") or a control character is
    refused."""
    text = " ".join(_typed_date(typed, label, _not_a_date(label)).split())
    numbers = _YEAR_FIRST.match(text)
    if numbers is None:
        found = _parsed_day(text, label)
    else:
        try:
            found = date(*map(int, numbers.groups()))
        except ValueError:
            raise DayNotRead(f"There is no such day as “{text}”: check the {label}") from None
    if not EARLIEST_DAY <= found <= LATEST_DAY:
        raise DayNotRead(
            f"Enter the {label} between {day_text(EARLIEST_DAY)} and {day_text(LATEST_DAY)}"
        )
    return found


def _not_a_date(label: str) -> str:
    return f"Enter the {label} as a date, like {DAY_EXAMPLE}"


def _parsed_day(text: str, label: str) -> date:
    if len(text) > _LONGEST_DAY:
        raise DayNotRead(_not_a_date(label))
    lowered = text.lower()
    if _TIME.search(lowered) or len(re.findall(r"\d+", lowered)) > 3:
        raise DayNotRead(f"Enter the {label} as a day without a time, like {DAY_EXAMPLE}")
    if not set(_TOKENS.findall(lowered)) <= _DAY_WORDS | set(re.findall(r"\d+", lowered)):
        raise DayNotRead(_not_a_date(label))
    if re.search(r"\d", text) and not _FULL_YEAR.search(text):
        raise DayNotRead(f"Enter the {label} with the year in full, like {DAY_EXAMPLE}")
    dotted = _DAY_MONTH_DOTTED.match(text)
    if dotted and dotted.group(1) != dotted.group(2) and max(map(int, dotted.groups())) <= 12:
        raise DayNotRead(
            f"“{text}” could be read two ways: write the month of the {label} as a word, like"
            f" {DAY_EXAMPLE}"
        )
    parsed = dateparser.parse(text, languages=["en"], settings=_DAY_SETTINGS)
    if parsed is not None and parsed.time() == time():
        return date(parsed.year, parsed.month, parsed.day)
    if parsed is None and _parses(_NUMBERS.sub("1", text)):
        raise DayNotRead(f"There is no such day as “{text}”: check the {label}")
    raise DayNotRead(_not_a_date(label))


def _parses(text: str) -> bool:
    return dateparser.parse(text, languages=["en"], settings=_DAY_SETTINGS) is not None


def day_in_words(day: date) -> str:
    """A day read back to the person who typed it: "Monday 7 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def shown_day(typed: str) -> str:
    """A day (or a day and time) field's value as shown: a day in ISO form (filled in by the
    portal, or in a link) as pages print days, anything else as typed."""
    try:
        at = _AT_TIME.match(_typed_date(typed, "date", ""))
    except DayNotRead:
        return typed
    day, rest = (at["day"], f" {int(at['hour']):02}:{at['minute']}") if at else (typed, "")
    try:
        return day_text(date.fromisoformat(day)) + rest if len(day) == 10 else typed
    except ValueError:
        return typed


class Form:
    """One form's values (as typed) and problems (by field; ``None``: the whole form)."""

    def __init__(self, prefix: str, values: Mapping[str, str | list[str]] | None = None) -> None:
        self.prefix = prefix
        """Makes the field ids unique on a page with several forms."""
        self.values: dict[str, str | list[str]] = dict(values or {})
        self.errors: dict[str | None, str] = {}
        self.files: dict[str, list[UploadFile]] = {}
        self.read_back: dict[str, str] = {}
        """What day fields were read as, in words, echoed under them when the form comes back."""
        self.read_shown: dict[str, str] = {}
        """Day fields read, as pages print days: the field shows this when the form comes back."""

    @property
    def ok(self) -> bool:
        return not self.errors

    def field_id(self, name: str) -> str:
        return f"{self.prefix}-{name.replace('_', '-')}"

    def value(self, name: str) -> str:
        found = self.values.get(name, "")
        return found if isinstance(found, str) else (found[0] if found else "")

    def selected(self, name: str) -> list[str]:
        found = self.values.get(name, [])
        return [found] if isinstance(found, str) else list(found)

    def fail(self, name: str | None, message: str) -> None:
        """Record ``message`` for the field ``name`` (the first message per field stays)."""
        self.errors.setdefault(name, message[:1].upper() + message[1:])

    def refuse(self, exc: Refusal, name: str | None = None) -> None:
        """Record a refusal by the domain or identity checks, at ``name`` when it is clear which
        field it is about."""
        self.fail(name, str(exc))

    def text(self, name: str, label: str, *, required: bool = True, max_length: int = 200) -> str:
        value = self.value(name).strip()
        if required and not value:
            self.fail(name, f"Enter the {label}")
        elif len(value) > max_length:
            self.fail(name, f"The {label} must be at most {max_length} characters")
        return value

    def password(self, name: str, missing: str) -> str:
        """A password as typed (never trimmed); ``missing`` is the message when it is empty."""
        value = self.value(name)
        if not value:
            self.fail(name, missing)
        return value

    def day(self, name: str, label: str) -> date | None:
        """The day typed in the field ``name`` (``read_day``), or None with the problem."""
        value = self.value(name).strip()
        if not value:
            self.fail(name, f"Enter the {label}")
            return None
        try:
            day = read_day(value, label)
        except DayNotRead as exc:
            self.fail(name, str(exc))
            return None
        self.read_back[name] = day_in_words(day)
        self.read_shown[name] = day_text(day)
        return day

    def shown_day(self, name: str) -> str:
        """A day field's value: the day read, as pages print days; as typed when refused;
        else ``shown_day`` (a day the portal filled in)."""
        if name in self.errors:
            return self.value(name)
        return self.read_shown.get(name) or shown_day(self.value(name))

    def moment(self, name: str, label: str, zone: tzinfo = UTC) -> datetime | None:
        """A day and a time of day ("7 Dec 2026 14:30", or ISO) read in ``zone`` (the
        organisation's), in UTC; the day is read as ``day`` reads it."""
        typed = self.value(name).strip()
        not_a_moment = f"Enter the {label} as a day and a time, like {DAY_EXAMPLE} 14:30"
        try:
            at = _AT_TIME.match(_typed_date(typed, label, not_a_moment))
            if at is None:
                raise DayNotRead(not_a_moment)
            day = read_day(at["day"], label)
            local = datetime.combine(day, time(int(at["hour"]), int(at["minute"])))
        except (DayNotRead, ValueError) as exc:
            message = str(exc) if isinstance(exc, DayNotRead) else f"Enter a time of the {label}"
            self.fail(name, message)
            return None
        self.read_back[name] = f"{day_in_words(day)}, {local:%H:%M}"
        self.read_shown[name] = f"{day_text(day)} {local:%H:%M}"
        return local.replace(tzinfo=zone).astimezone(UTC)

    def amount(self, name: str, label: str, *, required: bool = True) -> Decimal | None:
        value = self.value(name).strip().replace(",", ".")
        if not value:
            if required:
                self.fail(name, f"Enter the {label}")
            return None
        found = parse_decimal(value)
        if found is None:
            self.fail(name, f"Enter the {label} as a number, like 1.25")
        return found

    def choice(self, name: str, label: str, options: Mapping[K, Any]) -> K | None:
        value = self.value(name)
        for option in options:
            if option == value:
                return option
        self.fail(name, f"Choose the {label}")
        return None

    def choices(
        self, name: str, label: str, options: Mapping[K, Any], *, at_least_one: bool = False
    ) -> list[K]:
        chosen = [option for option in options if option in self.selected(name)]
        if len(chosen) != len(set(self.selected(name))):
            self.fail(name, f"Choose the {label} from the list")
        elif at_least_one and not chosen:
            self.fail(name, f"Choose at least one {label}")
        return chosen


async def read_form(request: Request[Any, Any, Any], prefix: str) -> Form:
    """The submitted form: text values as typed (repeated names as lists), files apart; its
    one-time key becomes the request's idempotency key. A NUL character in any text value
    refuses the whole form (400: PostgreSQL cannot store it)."""
    data = await request.form()
    remember_form_key(request.scope, data.get(FORM_KEY_FIELD))
    form = Form(prefix)
    for name in data:
        if name in NOT_FIELDS:
            continue
        values = data.getall(name)
        files = [v for v in values if isinstance(v, UploadFile)]
        if files:
            form.files[name] = files
        texts = [v for v in values if isinstance(v, str)]
        if any(NUL in text for text in [name, *texts]):
            raise ClientException(f"The form is refused: {NUL_REFUSED}")
        if texts:
            form.values[name] = texts if len(texts) > 1 else texts[0]
    return form


async def submit(
    form: Form,
    use_cases: UseCases,
    use_case: UseCase[C, R],
    command: C,
    *,
    field: Callable[[Refusal], str | None] | str | None = None,
) -> R | None:
    """Run ``use_case`` with ``command`` if ``form`` has no problems: its result, or None with
    the domain's (or identity checks') refusal on the form, at the field ``field`` names (a
    name, or a function of the refusal). Whether it ran is ``form.ok`` afterwards. Access
    refusals are not the form's: ``AccessDenied`` and ``NotFound`` propagate (403, 404)."""
    if not form.ok:
        return None
    try:
        return await use_cases.run(use_case, command)
    except (AccessDenied, NotFound):
        raise
    except Refusal as exc:
        form.refuse(exc, field(exc) if callable(field) else field)
        return None
