"""Refusals: requests refused on purpose, the domain's and the application's; the API maps them
to problem details."""

from __future__ import annotations

import re
from typing import Any

_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


class Refusal(Exception):
    """A request refused on purpose. ``code`` is stable for clients: a subclass's code is its
    name in snake case (``NotAMember``: ``not_a_member``) unless it sets its own.
    ``tests/unit/refusal_codes.json`` holds every code, so a renamed class cannot change one."""

    code = "refusal"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = _WORD_START.sub("_", cls.__name__).lower()

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DomainError(Refusal):
    """A command was refused by a business rule."""
