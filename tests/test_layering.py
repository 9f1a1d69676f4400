"""Dependencies point one way, computed from the source (docs/development.md draws the layers):

- the pure packages (stats, cohort, ingest, instruments, screening, vocabulary) never import Django or the web layer;
- web/core, the floor the feature apps stand on, imports none of them (accounts sits below core);
- no module under web/ imports safeschool.web inside a function (the import cycles this used to hide), except in
  an AppConfig.ready(), where Django requires it;
- views are thin: no file whose name ends in views.py writes to the database;
- selectors never import services;
- neither the web apps nor the modules inside web/ import each other in a cycle;
- no source file is over 450 lines (migrations excepted).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "safeschool"
WEB = SRC / "web"
PURE = ["stats", "cohort", "ingest", "instruments", "screening", "selfeval", "trials", "partnership", "publishing", "indicators", "vocabulary.py"]
BELOW_CORE = {"core", "accounts"}  # accounts (users and roles) sits below core
WRITES = (".save(", ".create(", ".delete(", ".update(", "bulk_")


def _modules(root: Path) -> list[Path]:
    paths = [root] if root.suffix == ".py" else root.rglob("*.py")
    return sorted(p for p in paths if "migrations" not in p.parts)


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _imports(path: Path) -> tuple[tuple[str, bool, str], ...]:
    """(imported module, inside a function?, the enclosing function's name) for every import in the file."""
    tree = ast.parse(path.read_text())
    found = []

    def visit(node, function: str | None):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
                continue
            names = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names = [child.module] + [f"{child.module}.{a.name}" for a in child.names]
            found.extend((name, function is not None, function or "") for name in names)
            visit(child, function)

    visit(tree, None)
    return tuple(found)


def _web_app(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["safeschool", "web"] and (WEB / parts[2]).is_dir() else None


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_do_not_import_django(package):
    offenders = [f"{path.relative_to(SRC)} imports {name}" for path in _modules(SRC / package)
                 for name, _, _ in _imports(path)
                 if name.split(".")[0] in {"django", "rules", "django_tasks"} or name.startswith("safeschool.web")]
    assert offenders == []


def test_core_imports_no_feature_app():
    offenders = [f"{path.relative_to(SRC)} imports {name}" for path in _modules(WEB / "core")
                 for name, _, _ in _imports(path) if (_web_app(name) or "core") not in BELOW_CORE]
    assert offenders == []


def test_no_web_module_imports_the_web_layer_inside_a_function():
    offenders = [f"{path.relative_to(SRC)}: {function}() imports {name}" for path in _modules(WEB)
                 for name, inside, function in _imports(path)
                 if inside and name.startswith("safeschool.web") and not (path.name == "apps.py" and function == "ready")]
    assert offenders == []


def test_views_do_not_write_to_the_database():
    """Views are thin: writes live in services."""
    views = [p for p in _modules(WEB) if p.name.endswith("views.py")]
    assert len(views) >= 8  # every app's views (and the split ones, e.g. fieldwork_views.py) are looked at
    offenders = [f"{path.relative_to(SRC)} calls {call}" for path in views for call in WRITES
                 if call in path.read_text()]
    assert offenders == []


def test_selectors_never_import_services():
    selectors = [p for p in _modules(WEB) if p.stem.startswith("selectors") or p.parent.name == "selectors"]
    assert selectors
    offenders = [f"{path.relative_to(SRC)} imports {name}" for path in selectors for name, _, _ in _imports(path)
                 if name.startswith("safeschool.web") and "services" in name.split(".")]
    assert offenders == []


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the directed graph (as a path that returns to its start), or [] when it has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := walk(node)):
            return found
    return []


def _graph(key) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _modules(WEB):
        source = key(_module_name(path))
        for name, _, _ in _imports(path):
            target = key(name)
            if source and target and target != source:
                graph.setdefault(source, set()).add(target)
    return graph


def test_web_apps_import_each_other_without_a_cycle():
    graph = _graph(_web_app)
    assert {"core", "research", "network", "cocreation"} <= set(graph)  # the graph is really computed
    assert _cycle(graph) == []


def test_web_modules_import_each_other_without_a_cycle():
    """Within and across apps (services -> tasks -> execution, never back)."""
    known = {_module_name(p) for p in _modules(WEB)}

    def module(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name if name.startswith("safeschool.web.") and name.count(".") > 2 else None

    assert _cycle(_graph(module)) == []


def test_the_cycle_finder_finds_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_source_file_over_450_lines():
    """Large modules that hold several things are split along their seams (migrations are generated)."""
    long = [f"{p.relative_to(SRC)}: {n} lines" for p in _modules(SRC) if (n := len(p.read_text().splitlines())) > 450]
    assert long == []
