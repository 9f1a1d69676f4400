"""Importers without a database: formats, encodings, mapping, validation and every kind of bad file."""

from __future__ import annotations

import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from safeschool.ingest.mapping import MappingError, parse_mapping, suggest_mapping
from safeschool.ingest.readers import FileProblem, read_file
from safeschool.ingest.validation import prepare
from safeschool.instruments.registry import registry

PSSM = registry()["pssm"]
KNOWN = {"k1", "k2", "k3", "k4"}


def key(raw: str) -> str:
    return f"k{raw}"


def survey(n: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"pupil": [str(i) for i in range(1, n + 1)], "lang": "es"})
    for item in PSSM.items:
        frame[item.upper()] = rng.integers(1, 6, n)
    return frame


MAPPING = {"target": "student_survey", "id": "pupil", "wave": 1, "language": {"column": "lang"},
           "columns": {item.upper(): item for item in PSSM.items}}


def check(path, mapping=None, **kwargs):
    table = read_file(path)
    return prepare(table, parse_mapping(mapping or MAPPING), pseudonymise=key, known_ids=KNOWN, waves={1, 2},
                      **kwargs)


def test_csv_semicolon_cp1252_is_detected_and_scored(tmp_path):
    frame = survey()
    frame["lang"] = "español"
    path = tmp_path / "s.csv"
    path.write_bytes(frame.to_csv(index=False, sep=";").encode("cp1252"))
    table = read_file(path)
    assert table.delimiter == ";" and table.encoding.replace("-", "").lower() in ("cp1252", "windows1252", "latin_1")
    assert table.frame.lang[0] == "español"
    prepared = check(path)
    assert prepared.ok, prepared.problems
    # belonging = mean of the 18 items with 5 reversed (6 - x): computed by hand for the first row
    row = frame.iloc[0]
    expected = np.mean([6 - row[i.upper()] if i in PSSM.reverse else row[i.upper()] for i in PSSM.items])
    assert prepared.rows["score:belonging"][0] == pytest.approx(expected, abs=1e-3)
    assert prepared.rows.key.tolist() == ["k1", "k2", "k3", "k4"]


def test_sav_keeps_value_labels_and_drops_labelled_missing_codes(tmp_path):
    frame = survey().astype({i.upper(): float for i in PSSM.items})
    frame.loc[1, "PSSM_1"] = 99
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"PSSM_1": {1: "not at all true", 5: "completely true",
                                                                              99: "no answer"}})
    table = read_file(path)
    assert table.format == "sav" and table.value_labels["PSSM_1"][99] == "no answer" and table.first_row == 1
    prepared = check(path)
    assert prepared.ok and np.isnan(prepared.rows["pssm_1"][1])  # 99 carries a label outside 1-5: missing


def test_dta_and_xlsx_read_like_csv(tmp_path):
    frame = survey()
    dta = tmp_path / "s.dta"
    pyreadstat.write_dta(frame.rename(columns=str.lower).assign(pupil=frame.pupil.astype(int)), str(dta))
    mapping = MAPPING | {"columns": {i: i for i in PSSM.items}}
    assert check(dta, mapping).ok
    xlsx = tmp_path / "s.xlsx"
    frame.to_excel(xlsx, index=False)
    prepared = check(xlsx)
    assert prepared.ok and prepared.rows.key.tolist() == ["k1", "k2", "k3", "k4"]


def test_suggested_mapping_reads_item_spellings(tmp_path):
    frame = pd.DataFrame({"Student ID": ["1"], "Wave": ["1"], "PSSM-03": ["4"], "pssm q4": ["2"], "notes": ["x"]})
    path = tmp_path / "s.csv"
    frame.to_csv(path, index=False)
    m = suggest_mapping(read_file(path), "student_survey")
    assert m.id == "Student ID" and m.wave_column == "Wave"
    assert m.columns == {"PSSM-03": "pssm_3", "pssm q4": "pssm_4"} and m.ignore == ["notes"]


@pytest.mark.parametrize(("edit", "row", "column", "rule"), [
    (lambda f: f.loc.__setitem__((2, "PSSM_2"), "often"), 4, "PSSM_2", "type"),
    (lambda f: f.loc.__setitem__((0, "PSSM_5"), 7), 2, "PSSM_5", "range"),
    (lambda f: f.loc.__setitem__((1, "PSSM_5"), 2.5), 3, "PSSM_5", "range"),
    (lambda f: f.loc.__setitem__((3, "pupil"), "1"), 2, "pupil", "duplicate"),
    (lambda f: f.loc.__setitem__((3, "pupil"), "77"), 5, "pupil", "reference"),
    (lambda f: f.loc.__setitem__((1, "pupil"), ""), 3, "pupil", "required"),
    (lambda f: f.loc.__setitem__((1, "PSSM_7"), "x" * 5000), 3, "PSSM_7", "length"),
])
def test_bad_cells_are_named_by_row_and_column(tmp_path, edit, row, column, rule):
    frame = survey().astype(object)
    edit(frame)
    path = tmp_path / "s.csv"
    frame.to_csv(path, index=False)
    problems = check(path).problems
    assert any(p.row == row and p.column == column and p.rule == rule for p in problems), problems


def test_records_codes_and_ranges(tmp_path):
    path = tmp_path / "r.csv"
    pd.DataFrame({"id": ["1", "2", "3"], "left": ["yes", "maybe", "0"], "att": ["0.9", "1.2", ""]}).to_csv(path,
                                                                                                         index=False)
    mapping = {"target": "school_records", "id": "id", "wave": 2, "columns": {"left": "dropped_out",
                                                                              "att": "attendance_rate"}}
    problems = check(path, mapping).problems
    assert [(p.row, p.column, p.rule) for p in problems] == [(3, "left", "code"), (3, "att", "range")]
    assert "'maybe' is not a yes/no answer" in problems[0].message


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_bytes(b""), "the file is empty"),
    (lambda p: p.write_text("pupil,PSSM_1\n"), "header row but no data rows"),
    (lambda p: p.write_bytes(b"PK\x03\x04\x00\x00binary"), "not a text file"),
    (lambda p: p.write_text("a,b\n1,2,3\n"), "row 2 has 3 fields where the header has 2"),
    (lambda p: p.write_text("a,a\n1,2\n"), "header 'a' appears twice"),
    (lambda p: p.write_text("a,,c\n1,2,3\n"), "column B has no header"),
])
def test_bad_csv_files(tmp_path, make, message):
    path = tmp_path / "bad.csv"
    make(path)
    with pytest.raises(FileProblem, match=message):
        read_file(path)


def test_truncated_sav_and_merged_header_xlsx(tmp_path):
    good = tmp_path / "s.sav"
    pyreadstat.write_sav(survey().astype({i.upper(): float for i in PSSM.items}), str(good))
    cut = tmp_path / "cut.sav"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(FileProblem, match="cut.sav: the SPSS file cannot be read .* truncated"):
        read_file(cut)
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Student", None, "PSSM"])
    ws.append(["1", "es", 3])
    ws.merge_cells("A1:B1")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    with pytest.raises(FileProblem, match="merged header cells A1:B1"):
        read_file(path)
    assert zipfile.is_zipfile(path)


def test_mapping_errors_name_the_key():
    with pytest.raises(MappingError, match="target must be one of"):
        parse_mapping({"target": "x", "id": "a", "wave": 1, "columns": {"a": "b"}})
    with pytest.raises(MappingError, match="'pssm_30', which is not an item .*did you mean pssm_1"):
        parse_mapping(MAPPING | {"columns": {"Q": "pssm_30"}})
    with pytest.raises(MappingError, match="'pssm_1' is mapped from two columns"):
        parse_mapping(MAPPING | {"columns": {"A": "pssm_1", "B": "pssm_1"}})
    with pytest.raises(MappingError, match="'wave' must be"):
        parse_mapping(MAPPING | {"wave": "first"})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.integers(0, 3), item=st.sampled_from(PSSM.items),
       value=st.one_of(st.integers(-5, 12), st.text(max_size=8), st.floats(allow_nan=False, allow_infinity=False)))
@example(row=0, item="pssm_1", value="\r")  # once crashed the row check (csv.Error); now a named problem
@example(row=1, item="pssm_2", value="\x00")
def test_any_single_bad_cell_is_reported_where_it_is(tmp_path, row, item, value):
    frame = survey().astype(object)
    frame.loc[row, item.upper()] = value
    path = tmp_path / "h.csv"
    frame.to_csv(path, index=False)
    if "\x00" in str(value):  # a control character: the file is refused, naming the row
        with pytest.raises(FileProblem, match=f"row {row + 2} contains a NUL character"):
            check(path)
        return
    if "\r" in str(value) and "\n" not in str(value):  # a bare carriage return, left unquoted: a broken row
        with pytest.raises(FileProblem, match=f"row {row + 2} "):
            check(path)
        return
    prepared = check(path)
    text = str(value).strip()
    try:
        number = float(text)
        valid = text != "" and 1 <= number <= 5 and number == int(number)  # inf and nan fail the range first
    except ValueError:
        valid = text == ""  # a blank cell is an unanswered item
    if valid:
        assert prepared.ok
    else:
        assert [(p.row, p.column) for p in prepared.problems] == [(row + 2, item.upper())]
