"""The domain's words are defined once, in safeschool/vocabulary.py: no other module defines the disclosure
threshold, the stages, the levels, the groups or their labels again (found by reading every module's syntax tree)."""

from __future__ import annotations

import ast
from pathlib import Path

from safeschool import vocabulary

SRC = Path(__file__).resolve().parents[1] / "src" / "safeschool"
OWNER = SRC / "vocabulary.py"
# names under which a second definition used to hide
NAMES = {"MIN_CELL", "MIN_CELL_SIZE", "MIN_DISPLAY", "SMALL", "K_MIN", "STAGES", "STAGE_LABELS", "SECONDARY_STAGES",
         "LEVELS", "PILLARS", "GROUPS", "VALUE_LABELS", "GROUP_LABELS", "ALIASES", "GROUP_ALIASES"}
LABELS = ({*vocabulary.STAGE_LABELS.values(), *vocabulary.PILLARS.values()}
          | {title for title, _ in vocabulary.GROUPS.values()}
          | {label for _, labels in vocabulary.GROUPS.values() for label in labels.values()})
CODES = [set(vocabulary.STAGES), set(vocabulary.LEVELS)]


def _modules():
    return [p for p in SRC.rglob("*.py") if p != OWNER and "migrations" not in p.parts]


def _literal_strings(node) -> set[str]:
    """The strings a tuple, list or set literal lists (a dict keyed by stage codes holds per-stage parameters,
    which is fine; a dict of labels is caught by its labels)."""
    if not isinstance(node, ast.Tuple | ast.List | ast.Set):
        return set()
    return {i.value for i in node.elts if isinstance(i, ast.Constant) and isinstance(i.value, str)}


def test_no_second_definition_of_the_vocabulary():
    offenders = []
    for path in _modules():
        where = path.relative_to(SRC)
        tree = ast.parse(path.read_text())
        # the name given to a choices enum made with Django's functional API is not a label
        enum_names = {id(n.args[0]) for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args
                      and isinstance(n.func, ast.Attribute) and n.func.attr.endswith("Choices")}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = {t.id for t in targets if isinstance(t, ast.Name)}
                if names & NAMES and not isinstance(node.value, ast.Name | ast.Attribute):
                    offenders.append(f"{where}:{node.lineno} defines {sorted(names & NAMES)[0]}")
            if isinstance(node, ast.Constant) and node.value in LABELS and id(node) not in enum_names:
                offenders.append(f"{where}:{node.lineno} writes the label {node.value!r}")
            strings = _literal_strings(node)
            if any(len(strings & codes) >= 3 for codes in CODES):
                offenders.append(f"{where}:{node.lineno} lists stage or level codes")
    assert offenders == []


def test_the_checker_would_see_a_second_definition(tmp_path):
    """The test above can fail: a module that redefines the threshold and a label is caught."""
    bad = ast.parse('MIN_DISPLAY = 10\nLABEL = "Migrant background"\nSTAGE_SET = ("ecec", "primary", "lower_secondary")')
    assigns = [n for n in ast.walk(bad) if isinstance(n, ast.Assign)]
    assert {t.id for n in assigns for t in n.targets} & NAMES == {"MIN_DISPLAY"}
    assert any(isinstance(n, ast.Constant) and n.value in LABELS for n in ast.walk(bad))
    assert any(len(_literal_strings(n) & CODES[0]) >= 3 for n in ast.walk(bad))


def test_the_vocabulary_is_consistent():
    assert vocabulary.MIN_CELL == 10  # DESIGN.md: aggregates over fewer than 10 students are suppressed
    assert set(vocabulary.PILLARS) == set(vocabulary.LEVELS) == set(vocabulary.PILLAR_TEXTS)
    assert set(vocabulary.SECONDARY_STAGES) <= set(vocabulary.STAGES)
    assert set(vocabulary.GROUP_ALIASES.values()) <= set(vocabulary.GROUPS)
    assert vocabulary.group_label("gender", "F") == "Girls" and vocabulary.group_label("x", "1") == "x=1"
