"""Query parameters shared by the controllers: days and moments, with their documented range
(``domain.shared.limits``); one outside it is a 422 problem naming the parameter."""

from __future__ import annotations

from datetime import date, datetime

from litestar.params import KwargDefinition, QueryParameter

from domain.shared.limits import EARLIEST_DAY, LATEST_DAY, check_day

DAY_RANGE = f"between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}"


def day_parameter(description: str) -> KwargDefinition:
    """A date or date-time query parameter, its range appended to ``description``."""
    return QueryParameter(description=f"{description}; {DAY_RANGE}")


def check_days(**days: date | datetime | None) -> None:
    """Refuse (``DateOutOfRange``) the first given day or moment outside the range."""
    for name, value in days.items():
        if value is not None:
            check_day(name, value)
