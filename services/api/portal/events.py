"""Events as people read them: a type tag in words, and an event's data as label and value
pairs (nested values flattened with dotted labels)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_WORD = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def event_label(tag: str) -> str:
    """``people.CredentialAdded`` -> ``Credential added``; ``audits.ApiTokenCreated`` ->
    ``Api token created``."""
    name = tag.rpartition(".")[2]
    words = _WORD.sub(" ", name).split()
    if not words:
        return tag
    return " ".join([words[0][:1].upper() + words[0][1:], *(w.lower() for w in words[1:])])


def event_fields(data: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """The data's leaves in stored order: ``("details.title", "Carotid duplex")``; an empty
    list or object is shown as empty, None as "none"."""
    if isinstance(data, dict) and data:
        for key, value in data.items():
            yield from event_fields(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list) and data and any(isinstance(v, dict | list) for v in data):
        for index, value in enumerate(data, start=1):
            yield from event_fields(value, f"{prefix}[{index}]")
    elif isinstance(data, list):
        yield prefix, ", ".join(str(v) for v in data)
    elif isinstance(data, dict):
        yield prefix, ""
    else:
        yield prefix, "none" if data is None else str(data)
