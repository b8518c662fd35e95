"""Facts that no aggregate decides have one append path:
``services.core.eventsourcing.commands.record_fact``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    "services/core/eventsourcing/store.py",  # defines it
    "services/core/eventsourcing/memory.py",  # the in-memory adapter
    "services/core/eventsourcing/commands.py",  # record_fact
}


def test_only_record_fact_appends_without_a_version_check() -> None:
    """No other product module names ``ANY_VERSION``: an append either states the version it
    decided on (``execute``, an aggregate) or records a fact through ``record_fact``."""
    offenders = []
    for package in ("domain", "services"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.relative_to(ROOT).as_posix() in ALLOWED:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                named = (isinstance(node, ast.Name) and node.id == "ANY_VERSION") or (
                    isinstance(node, ast.alias) and node.name == "ANY_VERSION"
                )
                if named:
                    offenders.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}")
    assert offenders == []
