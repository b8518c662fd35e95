"""Every command, however it is built (API, portal, CSV import), is refused over the length caps
and outside the date range, with the limit in the message."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
import pytest

from domain.credits.credit import RecordCredit, decide_record_credit
from domain.credits.providers import AddProvider, decide_add_provider
from domain.people.person import AssignPerson, RegisterPerson, decide_register_person
from domain.shared.errors import DomainError
from domain.shared.limits import (
    EARLIEST_ACTIVITY_DAY,
    EARLIEST_DAY,
    LATEST_DAY,
    NAME_LENGTH,
    TITLE_LENGTH,
    DateOutOfRange,
    TextTooLong,
    check_day,
    parse_decimal,
)
from tests.unit.domain.cme_builders import NOW, details, new_id

pytestmark = pytest.mark.unit


def refusal(decide: object, command: object) -> DomainError:
    with pytest.raises(DomainError) as refused:
        decide(None, command, now=NOW, ids=new_id)  # type: ignore[operator]
    return refused.value


def test_a_credit_title_over_the_cap_is_refused_with_the_cap() -> None:
    command = RecordCredit(
        credit_id=new_id(),
        person_id=new_id(),
        details=details(date(2026, 1, 5), title="x" * (TITLE_LENGTH + 1)),
    )
    refused = refusal(decide_record_credit, command)
    assert isinstance(refused, TextTooLong)
    assert f"at most {TITLE_LENGTH} characters" in str(refused)


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1949, 12, 31)])
def test_a_credit_completed_before_the_earliest_activity_day_is_refused(day: date) -> None:
    command = RecordCredit(credit_id=new_id(), person_id=new_id(), details=details(day))
    refused = refusal(decide_record_credit, command)
    assert isinstance(refused, DateOutOfRange)
    assert EARLIEST_ACTIVITY_DAY.isoformat() in str(refused)


@pytest.mark.parametrize("field", ["full_name", "department", "site", "employee_number"])
def test_a_person_registered_with_over_long_text_is_refused(field: str) -> None:
    command = RegisterPerson(person_id=new_id(), full_name="Nia Okafor")
    command = msgspec.structs.replace(command, **{field: "x" * (NAME_LENGTH + 1)})
    assert isinstance(refusal(decide_register_person, command), TextTooLong)


def test_capped_command_structs_refuse_over_long_text_when_decoded() -> None:
    with pytest.raises(msgspec.ValidationError, match=f"length <= {NAME_LENGTH}"):
        msgspec.json.decode(b'{"department": "' + b"x" * 201 + b'"}', type=AssignPerson)
    with pytest.raises(msgspec.ValidationError, match="length <= 1000"):
        msgspec.json.decode(
            b'{"name": "Acme", "reference": "' + b"r" * 1001 + b'"}', type=AddProvider
        )


def test_a_provider_reference_over_the_cap_is_refused() -> None:
    refused = refusal(decide_add_provider, AddProvider(name="Acme Imaging", reference="r" * 1001))
    assert isinstance(refused, TextTooLong)


@pytest.mark.parametrize("moment", [EARLIEST_DAY, LATEST_DAY, datetime(2200, 12, 31, 23, 59, 59)])
def test_the_ends_of_the_range_are_in_it(moment: date) -> None:
    check_day("as_of", moment)


@pytest.mark.parametrize("moment", [date(1899, 12, 31), date(2201, 1, 1), date.max, date.min])
def test_days_outside_the_range_are_refused_naming_the_field(moment: date) -> None:
    with pytest.raises(DateOutOfRange, match=r"^as_of must lie between 1900-01-01 and 2200-12-31"):
        check_day("as_of", moment)


@pytest.mark.parametrize(
    ("text", "value"),
    [("2", "2"), ("1.25", "1.25"), ("0.5", "0.5"), ("1000", "1000")],
)
def test_decimal_text_is_digits_with_an_optional_fraction(text: str, value: str) -> None:
    assert str(parse_decimal(text)) == value


@pytest.mark.parametrize(
    "text", ["1_000", " 1", "+1", "-1", "1e3", "NaN", "Infinity", ".5", "1.", "\u0661", "0x10"]
)
def test_loose_number_syntax_is_not_decimal_text(text: str) -> None:
    assert parse_decimal(text) is None
