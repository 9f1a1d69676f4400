"""Dependencies point one way: the pure packages never import Django or the web layer."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "safeschool"


@pytest.mark.parametrize("package", ["stats", "cohort", "ingest", "instruments"])
def test_pure_packages_do_not_import_django(package):
    offenders = []
    for path in (SRC / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in {"django", "rules"} or name.startswith("safeschool.web"):
                    offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []


def test_views_do_not_write_to_the_database():
    """Views are thin: no .save(), .create(), .delete() or bulk writes; those live in services."""
    for path in (SRC / "web").rglob("views.py"):
        text = path.read_text()
        for call in (".save(", ".objects.create(", ".delete(", "bulk_create("):
            assert call not in text, f"{path.relative_to(SRC)} calls {call}"
