"""Checking a file costs per distinct cell, not per row (issue 20: a 75,833-row survey's import preview took 17 s,
most of it parsing every cell of 71 answer columns and hashing every id again on each view)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from safeschool.ingest import validation
from safeschool.ingest.mapping import parse_mapping
from safeschool.ingest.readers import read_file
from safeschool.instruments.registry import registry

PSSM = registry()["pssm"]
MAPPING = parse_mapping({"target": "student_survey", "id": "pupil", "wave": {"column": "wave"}, "language": "es",
                         "columns": {item.upper(): item for item in PSSM.items}})


def survey(tmp_path, students: int):
    """Every student answering twice (waves 1 and 2), answers 1-5 with a few blanks; one bad cell, one off-scale."""
    rng = np.random.default_rng(students)
    frame = pd.DataFrame({"pupil": [str(i) for i in range(students)] * 2, "wave": [1] * students + [2] * students})
    for item in PSSM.items:
        frame[item.upper()] = rng.integers(1, 6, 2 * students).astype(str)
        frame.loc[rng.choice(2 * students, 3, replace=False), item.upper()] = ""
    frame.loc[7, "PSSM_1"], frame.loc[students + 3, "PSSM_2"] = "x", "9"
    path = tmp_path / f"s{students}.csv"
    frame.to_csv(path, index=False)
    return read_file(path)


@pytest.mark.parametrize("students", [100, 1000])
def test_cells_are_parsed_and_ids_hashed_once_per_distinct_value(tmp_path, monkeypatch, students):
    parsed, hashed = [], []
    to_numeric = pd.to_numeric
    monkeypatch.setattr(validation.pd, "to_numeric", lambda arg, *a, **k: parsed.append(len(arg)) or to_numeric(
        arg, *a, **k))
    prepared = validation.prepare(survey(tmp_path, students), MAPPING, pseudonymise=lambda v: hashed.append(v) or f"k{v}",
                                  known_ids={f"k{i}" for i in range(students)}, waves={1, 2})
    # answers 1-5 and "x" per column (and the wave column's 1, 2): a number that does not grow with the rows
    assert sum(parsed) <= 6 * len(PSSM.items) + 2
    assert sorted(hashed) == sorted(str(i) for i in range(students))  # each id once, not once per wave
    assert len(prepared.rows) == 2 * students and prepared.rows.key.iloc[students + 5] == "k5"
    assert [(p.row, p.column, p.rule) for p in prepared.problems] == [(9, "PSSM_1", "type"),
                                                                     (students + 5, "PSSM_2", "range")]
    assert prepared.rows["pssm_1"].isna().sum() == 4 and prepared.rows["pssm_1"].dtype == float
