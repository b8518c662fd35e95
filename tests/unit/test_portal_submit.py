"""``submit``: a portal form runs its use case only when it has no problems; a refusal lands on
the form, an access refusal does not."""

from __future__ import annotations

from typing import Any, cast

import pytest

from domain.shared.errors import DomainError
from services.api.portal.forms import Form, submit
from services.core.accounts.identity import InvalidEmail
from services.core.application import AccessDenied, UseCases

pytestmark = pytest.mark.unit


class Refused(DomainError):
    code = "refused"


class Runner:
    """Runs a use case without a unit of work (none of these use cases reads it)."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    async def run(self, use_case: Any, command: str) -> Any:
        self.ran.append(command)
        return await use_case(None, command)


async def answer(_: object, command: str) -> str:
    if command == "refuse":
        raise Refused("not like that")
    if command == "bad email":
        raise InvalidEmail("enter an email address like name@example.org")
    if command == "not yours":
        raise AccessDenied("only owners may do this")
    return command.upper()


def runner() -> tuple[Runner, UseCases]:
    found = Runner()
    return found, cast("UseCases", found)


async def test_a_form_without_problems_runs_the_use_case_and_answers_its_result() -> None:
    form = Form("f")
    ran, use_cases = runner()
    assert await submit(form, use_cases, answer, "go") == "GO"
    assert form.ok
    assert ran.ran == ["go"]


async def test_a_form_with_problems_runs_nothing() -> None:
    form = Form("f")
    form.fail("name", "enter the name")
    ran, use_cases = runner()
    assert await submit(form, use_cases, answer, "go") is None
    assert ran.ran == []


@pytest.mark.parametrize(
    ("command", "field", "message"),
    [("refuse", "reason", "Not like that"), ("bad email", "email", "Enter an email address")],
)
async def test_a_refusal_is_put_on_the_form_at_the_field_it_is_about(
    command: str, field: str, message: str
) -> None:
    form = Form("f")
    _, use_cases = runner()
    named = {Refused: "reason", InvalidEmail: "email"}
    assert await submit(form, use_cases, answer, command, field=lambda e: named[type(e)]) is None
    assert not form.ok
    assert form.errors[field].startswith(message)


async def test_an_access_refusal_is_not_the_forms_it_propagates() -> None:
    form = Form("f")
    _, use_cases = runner()
    with pytest.raises(AccessDenied):
        await submit(form, use_cases, answer, "not yours", field="reason")
    assert form.ok
