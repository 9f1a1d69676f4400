"""Analysis tables: CSV through the importers' reader (same decoding, delimiter and row checks), typed; Parquet."""

from __future__ import annotations

import pandas as pd
import pytest

from safeschool.ingest.readers import TableReadError, read_table


def test_csv_is_decoded_and_split_like_an_import_but_typed(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("school;score;lang\n1;3.5;español\n2;;english\n".encode("cp1252"))
    frame = read_table(path)
    assert list(frame.columns) == ["school", "score", "lang"]
    assert frame.school.dtype.kind == "i" and frame.score.dtype.kind == "f" and pd.isna(frame.score[1])
    assert frame.lang[0] == "español"


def test_parquet_round_trip(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"y": [1.0, 2.0], "g": ["a", "b"]}).to_parquet(path)
    assert read_table(path).to_dict("list") == {"y": [1.0, 2.0], "g": ["a", "b"]}


@pytest.mark.parametrize(("name", "make", "message"), [
    ("none.csv", None, "none.csv: file does not exist"),
    ("t.json", lambda p: p.write_text("{}"), "unsupported file type '.json' \\(use .csv or .parquet\\)"),
    ("t.csv", lambda p: p.write_bytes(b""), "t.csv: the file is empty"),
    ("t.csv", lambda p: p.write_text("a,b\n1,2,3\n"), "t.csv: row 2 has 3 fields where the header has 2"),
    ("t.csv", lambda p: p.write_text("a,a\n1,2\n"), "header 'a' appears twice"),
    ("t.csv", lambda p: p.write_bytes(b"PK\x03\x04\x00\x00binary"), "t.csv: this is not a text file"),
    ("t.parquet", lambda p: p.write_text("not parquet"), "t.parquet: cannot be read"),
])
def test_unreadable_tables_are_one_line_naming_the_file(tmp_path, name, make, message):
    path = tmp_path / name
    if make:
        make(path)
    with pytest.raises(TableReadError, match=message):
        read_table(path)


def test_a_read_file_kept_as_parquet_comes_back_as_read(tmp_path):
    import pyreadstat

    from safeschool.ingest.readers import read_file, read_parsed, write_parsed

    path = tmp_path / "s.sav"
    pyreadstat.write_sav(pd.DataFrame({"pupil": ["1", "2"], "q1": [1.0, 99.0]}), str(path),
                         variable_value_labels={"q1": {1: "never", 99: "no answer"}}, column_labels=["Pupil", "Q 1"])
    table = read_file(path)
    write_parsed(table, tmp_path)
    again = read_parsed(tmp_path)
    pd.testing.assert_frame_equal(again.frame, table.frame)
    assert again.value_labels == {"q1": {1: "never", 99: "no answer"}} == table.value_labels
    for attribute in ("format", "name", "size", "sha256", "encoding", "delimiter", "column_labels", "first_row"):
        assert getattr(again, attribute) == getattr(table, attribute), attribute
