"""Validation of a cohort directory names the file, line and column of every problem."""

import shutil

import pandas as pd
import pytest

from safeschool.ingest.cohort_files import CohortFileError, read_cohort_dir


@pytest.fixture
def copy(tmp_path, cohort_dir):
    target = tmp_path / "cohort"
    shutil.copytree(cohort_dir, target)
    return target


def _edit(directory, table, row, column, value):
    path = directory / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(path, index=False)


def test_a_valid_directory_reads_with_a_stable_fingerprint(cohort_dir):
    a, b = read_cohort_dir(cohort_dir), read_cohort_dir(cohort_dir)
    assert a.fingerprint == b.fingerprint and a.simulated
    assert len(a.tables["students"]) == 540


@pytest.mark.parametrize(("table", "column", "value", "message"), [
    ("outcomes", "attendance_rate", "1.7", "outcomes.csv line 5, column 'attendance_rate': 1.7 is outside 0-1"),
    ("students", "gender", "Q", "students.csv line 5, column 'gender': 'Q' is not one of F, M, X"),
    ("students", "class_id", "NOPE", "students.csv line 5, column 'class_id': 'NOPE' is not a class_id in classes.csv"),
    ("scales", "security", "abc", "scales.csv line 5, column 'security': 'abc' is not a number"),
    ("students", "sen", "maybe", "students.csv line 5, column 'sen': 'maybe' is not true/false"),
])
def test_bad_values_are_named_by_file_line_and_column(copy, table, column, value, message):
    _edit(copy, table, 3, column, value)
    with pytest.raises(CohortFileError) as info:
        read_cohort_dir(copy)
    assert str(info.value).startswith(message)
    assert info.value.problems[0].row == 5


def test_missing_file_is_reported(copy):
    (copy / "waves.csv").unlink()
    with pytest.raises(CohortFileError, match="waves.csv: required file is missing"):
        read_cohort_dir(copy)


def test_duplicate_student_is_reported(copy):
    students = pd.read_csv(copy / "students.csv", dtype=str)
    pd.concat([students, students.iloc[[0]]]).to_csv(copy / "students.csv", index=False)
    with pytest.raises(CohortFileError, match="students.csv line 542, column 'student_id': duplicate student_id"):
        read_cohort_dir(copy)


def test_missing_column_is_reported(copy):
    pd.read_csv(copy / "schools.csv").drop(columns=["stage"]).to_csv(copy / "schools.csv", index=False)
    with pytest.raises(CohortFileError, match="schools.csv, column 'stage': missing column"):
        read_cohort_dir(copy)
