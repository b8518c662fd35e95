"""Errors the domain raises; the application layer maps them to problem details."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused by a business rule. ``code`` is stable for clients."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
