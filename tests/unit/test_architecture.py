"""Import direction: domain imports nothing of ours outside itself and no infrastructure;
services.core imports neither the api nor the worker (the command line that starts every process
lives outside core, in ``services.main``); the api does not import the worker; and no module of
ours imports itself back through others (no import cycles)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
DOMAIN_ALLOWED_THIRD_PARTY = {"msgspec"}
OUR_PACKAGES = ("domain", "services")
# Known offenders, each to be removed with the change that fixes it; an entry that no longer
# offends fails the test, so the lists only shrink.
KNOWN_LAYER_OFFENDERS: set[str] = set()
KNOWN_CYCLES: list[list[str]] = []


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at module level or inside functions, except those under
    ``if TYPE_CHECKING:`` (never executed, so they cannot form a cycle at run time)."""
    for node in ast.iter_child_nodes(tree):
        if _is_type_checking_block(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _import_nodes(node)


def _is_module(name: str) -> bool:
    path = ROOT / name.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imported(path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules ``node`` imports, with relative imports resolved: ``from package import
    name`` imports ``package.name`` when that is a module of ours, else ``package``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = _module_name(path).split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([base] if base else [])])
    names = [f"{base}.{alias.name}" for alias in node.names]
    return sorted({name if _is_module(name) else base for name in names})


def _imports(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found += [(path, module) for module in _imported(path, node) if module]
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


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("services.core", ("services.api", "services.worker", "services.main")),
        ("services.api", ("services.worker", "services.main")),
        ("services.worker", ("services.api", "services.main")),
    ],
)
def test_layers_import_only_downwards(package: str, forbidden: tuple[str, ...]) -> None:
    """No exception, not even for a command line: the composition root is ``services.main``."""
    offenders = {
        path.relative_to(ROOT).as_posix(): module
        for path, module in _imports(package)
        if module in forbidden or module.startswith(tuple(f"{f}." for f in forbidden))
    }
    known = {path for path in KNOWN_LAYER_OFFENDERS if path.startswith(package.replace(".", "/"))}
    assert sorted(set(offenders) - known) == []
    assert sorted(known - set(offenders)) == [], "fixed: remove from KNOWN_LAYER_OFFENDERS"


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports (top-level and function-level imports; not
    those under ``if TYPE_CHECKING:``)."""
    paths = {
        _module_name(path): path
        for package in OUR_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        tree = ast.parse(path.read_text(), str(path))
        graph[module] = {
            imported
            for node in _import_nodes(tree)
            for imported in _imported(path, node)
            if imported in paths and imported != module
        }
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.get(module, ())):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def test_the_cycle_finder_finds_a_loop_and_only_loops() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert import_cycles(graph) == [["a", "b", "c"]]


def test_no_module_of_ours_imports_itself_back() -> None:
    """Imports under ``if TYPE_CHECKING:`` are left out: they only name types for mypy."""
    assert import_cycles(import_graph()) == KNOWN_CYCLES


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


DATA_ACCESS = re.compile(
    r"\.transaction\(|\.pg\.|\bstate\.store\b|\.append\(tx|\.append_many\(|\bread_stream\(|"
    r"[\"']\s*(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\s"
)


def test_the_http_layer_opens_no_transaction_runs_no_sql_and_appends_nothing() -> None:
    """Controllers and portal pages only translate HTTP: every transaction, query and append is
    a use case's (``services.core``), called through the ``UseCases`` runner."""
    assert _http_layer_lines(DATA_ACCESS) == []


def _http_layer_lines(pattern: re.Pattern[str], *, apart: str = "") -> list[str]:
    """The lines of ``services/api`` (except the module ``apart``) that ``pattern`` matches."""
    return [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "services" / "api").rglob("*.py"))
        if path.relative_to(ROOT).as_posix() != apart
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]


WALL_CLOCK = re.compile(r"\bdatetime\.(now|utcnow)\(|\bdate\.today\(")
UNTYPED_STATE = re.compile(r"\bstate\.(?!get\(|setdefault\()\w+")
"""An attribute read of Litestar's ``State`` (``Any``); scope-state dict lookups are apart."""


def test_the_http_layer_tells_the_time_by_the_stores_clock() -> None:
    """Pages, sessions and forms take "now" from the clock events are recorded with
    (``services.api.application.now``), so a test's clock governs all of it."""
    assert _http_layer_lines(WALL_CLOCK) == []


def test_the_http_layer_reads_the_apps_state_through_its_typed_accessors() -> None:
    """``State`` answers ``Any``: the accessors of one module read the application, the mailer
    and the certificate readings from it and check their types; everything else asks them."""
    accessor = "services/api/application.py"
    assert _http_layer_lines(UNTYPED_STATE, apart=accessor) == []


def _classes_apart_from_controllers(root: Path) -> list[str]:
    """The classes of ``services/api/controllers`` that are not Litestar controllers."""
    return [
        f"{path.relative_to(root)}:{node.lineno}: {node.name}"
        for path in sorted((root / "services" / "api" / "controllers").glob("*.py"))
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.ClassDef)
        and not any(isinstance(base, ast.Name) and base.id == "Controller" for base in node.bases)
    ]


def test_request_and_response_bodies_live_in_the_schemas_package() -> None:
    """Controllers declare routes only; the bodies they read and answer are declared in
    ``services/api/schemas`` (one module per context), apart from the domain's structs."""
    assert _classes_apart_from_controllers(ROOT) == []
