"""Refusal codes are stable for clients (problem types): every ``Refusal`` subclass keeps the code
it was saved with (``refusal_codes.json``). A subclass's code is its class name in snake
case unless it sets its own, so renaming a class would change a code: this test says so. A new
refusal is a new line there: ``python tests/unit/test_refusal_codes.py`` adds it, and refuses to
change or drop a saved one."""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import domain
import services.core
from domain.shared.errors import DomainError, Refusal

pytestmark = pytest.mark.unit
SAVED = Path(__file__).with_name("refusal_codes.json")


def _subclasses(cls: type[Refusal]) -> Iterator[type[Refusal]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def refusal_codes() -> dict[str, str]:
    """Each refusal declared in ``domain`` or ``services.core``, by module and name, with its
    code."""
    for package in (domain, services.core):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    return {
        f"{cls.__module__}.{cls.__qualname__}": cls.code
        for cls in _subclasses(Refusal)
        if cls.__module__.startswith(("domain.", "services.core."))
    }


def test_every_refusal_keeps_the_code_it_was_saved_with() -> None:
    saved = json.loads(SAVED.read_text())
    current = refusal_codes()
    changed = sorted(k for k in saved.keys() | current.keys() if saved.get(k) != current.get(k))
    assert not changed, f"refusal codes changed (clients match on them): {changed}"


def test_a_code_is_the_class_name_in_snake_case_unless_the_class_sets_one() -> None:
    class NotAMember(DomainError): ...

    class HTTPRefused(NotAMember): ...

    class Gone(NotAMember):
        code = "invitation_closed"

    class GoneForGood(Gone): ...

    assert [c.code for c in (NotAMember, HTTPRefused, Gone, GoneForGood)] == [
        "not_a_member",
        "http_refused",
        "invitation_closed",
        "gone_for_good",
    ]
    assert DomainError.code == "domain_error"


def with_new_refusals(saved: dict[str, str], current: dict[str, str]) -> dict[str, str]:
    """``saved`` with the refusals declared since added; a saved refusal whose code changed or
    that is gone (renamed or moved) is refused with the list, never overwritten."""
    changed = sorted(k for k in saved if current.get(k) != saved[k])
    if changed:
        raise SystemExit(f"saved refusals changed or gone (clients match on them): {changed}")
    return saved | current


def test_saving_adds_new_refusals_and_refuses_a_changed_one() -> None:
    saved = {"domain.a.Gone": "gone"}
    assert with_new_refusals(saved, {**saved, "domain.a.New": "new"}) == {
        "domain.a.Gone": "gone",
        "domain.a.New": "new",
    }
    with pytest.raises(SystemExit, match=r"domain\.a\.Gone"):
        with_new_refusals(saved, {"domain.a.Renamed": "renamed"})


if __name__ == "__main__":  # to save the code of a refusal just added
    codes = with_new_refusals(json.loads(SAVED.read_text()), refusal_codes())
    SAVED.write_text(json.dumps(codes, indent=0, sort_keys=True) + "\n")
