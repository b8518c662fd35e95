"""Limits on what any command may carry, however it arrives (API, portal, CSV import).

Dates: every date and moment lies in ``EARLIEST_DAY`` .. ``LATEST_DAY``; the day something was
done (a credit completed, a credential earned) lies in ``EARLIEST_ACTIVITY_DAY`` .. today.
Within these, date arithmetic (cycles of a few years, reminders, windows) cannot overflow.

Text: every free-text field has a length cap (``NAME_LENGTH`` ...); a longer value is refused
with the cap in the message, never cut.

Decimal amounts typed by people (credits, academic units) are digits with an optional fraction,
``DECIMAL_TEXT``: no sign, exponent, spaces, digit separators (``1_000``) or non-ASCII digits,
all of which Python's ``Decimal`` would otherwise accept.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from domain.shared.errors import DomainError

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2200, 12, 31)
EARLIEST_ACTIVITY_DAY = date(1950, 1, 1)
"""No credential or CE activity of a working technologist is older."""

NAME_LENGTH = 200
"""Names: a person's, a department's, a site's, a provider's, an organisation's."""
TITLE_LENGTH = 300
"""A CE activity's title."""
CODE_LENGTH = 100
"""Identifiers people type: employee numbers, registry ids, references."""
REASON_LENGTH = 1000
"""Reasons and notes."""
STATEMENT_LENGTH = 2000
"""Sentences copied off a certificate (an accreditation statement)."""


DECIMAL_TEXT = r"^[0-9]{1,7}(\.[0-9]{1,6})?$"
"""A decimal amount as text: ``2``, ``1.25``."""
_DECIMAL_TEXT = re.compile(DECIMAL_TEXT, re.ASCII)


def parse_decimal(text: str) -> Decimal | None:
    """``text`` as a ``Decimal`` if it matches ``DECIMAL_TEXT``, else None."""
    return Decimal(text) if _DECIMAL_TEXT.fullmatch(text) else None


Name = Annotated[str, msgspec.Meta(max_length=NAME_LENGTH)]
Title = Annotated[str, msgspec.Meta(max_length=TITLE_LENGTH)]
Code = Annotated[str, msgspec.Meta(max_length=CODE_LENGTH)]
ReasonText = Annotated[str, msgspec.Meta(max_length=REASON_LENGTH)]
Statement = Annotated[str, msgspec.Meta(max_length=STATEMENT_LENGTH)]
DecimalText = Annotated[
    str,
    msgspec.Meta(
        max_length=14,
        pattern=DECIMAL_TEXT,
        description="Digits with an optional fraction, as a string: 2, 1.25",
        examples=["1.25"],
    ),
]
"""Capped text for command structs decoded from requests (the deciders check the caps too, for
commands built otherwise)."""
Moment = Annotated[datetime, msgspec.Meta(tz=True)]
"""A moment sent in a request: with its time zone (``Z`` or an offset), which the deciders need
to compare it with the clock."""


class OutOfLimits(DomainError):
    """A value breaks one of these limits, whichever command carries it."""


class DateOutOfRange(OutOfLimits): ...


class TextTooLong(OutOfLimits): ...


def check_day(
    field: str,
    value: date | datetime,
    *,
    earliest: date = EARLIEST_DAY,
    latest: date = LATEST_DAY,
) -> None:
    """Refuse ``value`` (a day, or a moment's day) outside ``earliest`` .. ``latest``."""
    day = value.date() if isinstance(value, datetime) else value
    if not earliest <= day <= latest:
        raise DateOutOfRange(
            f"{field} must lie between {earliest.isoformat()} and {latest.isoformat()},"
            f" not {day.isoformat()}"
        )


def check_length(field: str, value: str | None, limit: int) -> None:
    """Refuse text longer than ``limit`` characters."""
    if value is not None and len(value) > limit:
        raise TextTooLong(f"{field} must be at most {limit} characters, not {len(value)}")
