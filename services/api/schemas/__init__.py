"""The JSON bodies of the API: request and response structs apart from the domain's.

Domain structs are event payloads and aggregate state; the API's public bodies are declared
here, field for field, so that a change in the domain does not silently change the public API
(and a change of the API does not touch stored history). Requests map to commands in the
controllers; responses are built from views and aggregate state by ``from_view``, which copies
the fields by name and fails loudly when the two no longer match.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

T = TypeVar("T")


def from_view(view: Any, schema: type[T]) -> T:
    """``view`` (a struct or any object with the schema's fields as attributes, nested ones too)
    as the response struct ``schema``."""
    return msgspec.convert(view, schema, from_attributes=True)
