"""The layers of the interfaces: the API (``interfaces.api``) and the web pages
(``interfaces.web``) share what is below them (``interfaces.http``: request context,
error classification, report downloads) and never import each other; only the app
assembly (``interfaces.api.app``) joins them. Checked on the import graph read from the
source (imports inside functions count too), and every module imports on its own."""

from __future__ import annotations

import ast
import importlib
from importlib import resources
from pathlib import Path

import pytest

ASSEMBLY = "greenfolio.interfaces.api.app"
ROOT = Path(str(resources.files("greenfolio")))


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = ["greenfolio", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """The greenfolio modules ``path`` imports, anywhere in it."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {n for n in names if n in MODULES}


GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _loaded_imports(source: str) -> set[str]:
    """The modules a source imports while it is itself imported: its top level, the
    branches of its ``if``/``try``/``with`` and its class bodies, but neither function
    bodies (imported when called) nor ``if TYPE_CHECKING`` blocks (never run)."""
    names: set[str] = set()
    pending: list[ast.stmt] = list(ast.parse(source).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.If):
            pending += node.orelse if _is_type_checking(node.test) else node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            pending += [stmt for handler in node.handlers for stmt in handler.body]
        elif isinstance(node, ast.With | ast.ClassDef):
            pending += node.body
    return names


LOADED = {
    name: {n for n in _loaded_imports(path.read_text(encoding="utf-8")) if n in MODULES} - {name}
    for name, path in MODULES.items()
}


def _layer(module: str) -> str:
    """``api``, ``web``, ``http`` or ``cli`` for an interface, else the package below
    ``greenfolio`` (``services``, ``domain`` …)."""
    parts = module.split(".")
    if len(parts) > 2 and parts[1] == "interfaces":
        return parts[2]
    return parts[1] if len(parts) > 1 else ""


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph[step]))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                part = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    part.append(member)
                    if member == node:
                        break
                if len(part) > 1:
                    found.append(sorted(part))
    return found


def test_the_graph_finds_a_cycle_when_there_is_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_imports_made_on_loading_are_told_from_lazy_ones() -> None:
    source = (
        "import a\n"
        "from b import c\n"
        "if TYPE_CHECKING:\n    import d\n"
        "try:\n    import e\nexcept ImportError:\n    import f\n"
        "class K:\n    import g\n"
        "def later():\n    import h\n"
    )
    assert _loaded_imports(source) == {"a", "b", "b.c", "e", "f", "g"}


def test_no_import_cycle_among_greenfolio_modules() -> None:
    """A cycle among imports made on loading breaks as soon as one of its modules is
    imported first; an import inside a function (made when called) may close a loop."""
    assert not _cycles(LOADED), _cycles(LOADED)


def test_api_and_web_never_import_each_other() -> None:
    wrong = []
    for module, imported in GRAPH.items():
        layer = _layer(module)
        for target in imported:
            other = _layer(target)
            if layer == "api" and other == "web" and module != ASSEMBLY:
                wrong.append((module, target))
            if layer == "web" and other == "api":
                wrong.append((module, target))
            if layer == "http" and other in ("api", "web"):
                wrong.append((module, target))
    assert not wrong, wrong
    assert any(_layer(t) == "http" for t in GRAPH["greenfolio.interfaces.web.pages"])
    assert any(_layer(t) == "http" for t in GRAPH["greenfolio.interfaces.api.errors"])


def test_no_import_cycle_runs_through_the_interfaces() -> None:
    interfaces = ("api", "web", "http")
    through = [c for c in _cycles(GRAPH) if any(_layer(m) in interfaces for m in c)]
    assert not through, through


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if not m.startswith("greenfolio.store.migrations"))
)  # the migrations run inside alembic only
def test_every_module_imports(module: str) -> None:
    assert importlib.import_module(module).__name__ == module
