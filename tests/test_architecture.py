"""The code's shape, checked: layers that point one way, no private names across modules, small pieces.

Imports are counted wherever they stand (top level, inside functions, under TYPE_CHECKING): a cycle
through a function-level import is still a cycle a reader has to hold in their head.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "episode_renderer"
#: Modules that are mostly data (word lists, tables) may be longer than a module of code.
DATA_TABLES: set[str] = set()
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 600


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("episode_renderer", *path.relative_to(PACKAGE).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _trees() -> dict[str, ast.Module]:
    return {name: ast.parse(path.read_text("utf-8")) for name, path in MODULES.items()}


TREES = _trees()


def _imports(name: str) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import in ``name``, wherever it stands."""
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names]
    return [item for item in found if item[0].startswith("episode_renderer")]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name in MODULES:
        for target, names, _line in _imports(name):
            for candidate in (target, *(f"{target}.{n}" for n in names)):
                if candidate in MODULES and candidate != name:
                    graph[name].add(candidate)
                    graph[name] |= _outer_packages(name, candidate)
    return graph


def _outer_packages(name: str, imported: str) -> set[str]:
    """Importing ``a.b.c`` runs ``a/b/__init__`` first: a package ``name`` is not inside is imported too."""
    parts = imported.split(".")
    outer = {".".join(parts[:n]) for n in range(2, len(parts))}
    return {p for p in outer if p in MODULES and p != name and not name.startswith(p + ".")}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_a_private_name_of_another():
    private = [f"{MODULES[name].relative_to(PACKAGE)}:{line} imports {n} from {target}"
               for name in MODULES for target, names, line in _imports(name)
               for n in names if n.startswith("_") and not n.startswith("__") and target != name]
    assert private == []


def test_tests_use_the_package_through_public_names():
    """A test that imports or calls ``module._helper`` pins an implementation, not a behaviour."""
    reached = []
    for path in sorted(PACKAGE.parents[1].joinpath("tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("episode_renderer"):
                reached += [f"{path.name}:{node.lineno} {a.name}" for a in node.names
                            if a.name.startswith("_") and not a.name.startswith("__")]
    assert reached == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_functions_are_short(name):
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
            for node in ast.walk(TREES[name]) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []


@pytest.mark.parametrize("name", sorted(set(MODULES) - DATA_TABLES))
def test_modules_are_small(name):
    assert len(MODULES[name].read_text("utf-8").splitlines()) <= MAX_MODULE_LINES
