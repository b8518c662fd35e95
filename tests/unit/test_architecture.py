"""Import direction: domain imports nothing of ours outside itself and no infrastructure;
services.core never imports the api or worker layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
DOMAIN_ALLOWED_THIRD_PARTY = {"msgspec"}


def _imports(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((path, node.module))
    return found


def test_domain_imports_only_the_standard_library_msgspec_and_itself() -> None:
    import sys

    stdlib = sys.stdlib_module_names
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in _imports("domain")
        if (top := module.split(".")[0]) not in stdlib
        and top not in DOMAIN_ALLOWED_THIRD_PARTY
        and top != "domain"
    ]
    assert offenders == []


def test_core_does_not_depend_on_api_or_worker() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in _imports("services.core")
        if module.startswith(("services.api", "services.worker"))
        and path.name != "cli.py"  # the command line starts every process
    ]
    assert offenders == []


CSV_WRITER = "services/core/csv_export.py"
CSV_WRITERS = {"writer", "DictWriter"}


def test_only_the_shared_csv_writer_writes_csv() -> None:
    """Every export goes through ``services.core.csv_export`` (formula cells neutralised): no
    other module of the product creates a ``csv.writer`` or ``csv.DictWriter``."""
    offenders = []
    for package in ("domain", "services"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.relative_to(ROOT).as_posix() == CSV_WRITER:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                uses_attribute = (
                    isinstance(node, ast.Attribute)
                    and node.attr in CSV_WRITERS
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "csv"
                )
                imports_name = (
                    isinstance(node, ast.ImportFrom)
                    and node.module == "csv"
                    and any(alias.name in CSV_WRITERS for alias in node.names)
                )
                if uses_attribute or imports_name:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
