"""CSV injection: the one writer neutralises formula cells, numbers stay numbers, and no other module writes CSV."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from safeschool import csvsafe
from safeschool.ingest.validation import Problem, report_csv, write_report

SRC = Path(__file__).resolve().parents[1] / "src" / "safeschool"
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_cells_get_a_quote(value):
    assert csvsafe.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", [-1.5, 0, 3, None, "-1.5", "+2", "-3e-4", "plain", "", "a=b", True])
def test_numbers_and_plain_text_are_unchanged(value):
    assert csvsafe.neutralise(value) == value


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_writer_dict_writer_and_frames_neutralise():
    buffer = io.StringIO()
    csvsafe.writer(buffer).writerows([["=1+1", -1.5, "-1.5"]])
    assert read(buffer.getvalue()) == [["'=1+1", "-1.5", "-1.5"]]
    buffer = io.StringIO()
    writer = csvsafe.dict_writer(buffer, ["a", "b"], extrasaction="ignore")
    writer.writeheader()
    writer.writerow({"a": "@cmd", "b": -2, "c": "ignored"})
    assert read(buffer.getvalue()) == [["a", "b"], ["'@cmd", "-2"]]
    frame = pd.DataFrame({"text": ["=cmd|' /C calc'!A0", "ok", None], "x": [-1.5, 2.0, 3.0]})
    out = csvsafe.frame_to_csv(frame, index=False)
    assert read(out) == [["text", "x"], ["'=cmd|' /C calc'!A0", "-1.5"], ["ok", "2.0"], ["", "3.0"]]
    assert frame.loc[0, "text"].startswith("=")  # the caller's frame is not changed


def test_the_import_problem_report_neutralises(tmp_path):
    problems = [Problem(row=2, column="kss_2", value='=HYPERLINK("http://evil","x")', rule="type",
                        message="'=HYPERLINK' is not a number")]
    assert read(report_csv(problems))[1][:3] == ["2", "kss_2", "'=HYPERLINK(\"http://evil\",\"x\")"]
    path = write_report(problems, tmp_path / "problems.csv")
    assert read(path.read_text())[1][2].startswith("'=")


def test_only_the_writer_writes_csv():
    """No module but csvsafe calls csv.writer / csv.DictWriter or DataFrame.to_csv (which would skip the check)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path == SRC / "csvsafe.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr == "to_csv" or (node.func.attr in ("writer", "DictWriter")
                                              and isinstance(node.func.value, ast.Name) and node.func.value.id == "csv"):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == [], "write CSV through safeschool.csvsafe: " + ", ".join(offenders)
