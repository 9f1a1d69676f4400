"""What Eurostat's reader refuses: a problem in a row is a RowError naming the line (header = 1), the column and the
value, all of them collected; a file that cannot be read at all raises EurostatError with one line."""

from __future__ import annotations

import gzip

import pytest

from safeschool.indicators import eurostat, formats
from safeschool.indicators.eurostat import EurostatError, Observation, read

ESL = (("freq", "A"), ("unit", "PC"), ("sex", "T"), ("age", "Y18-24"))
HEADER = "freq,unit,sex,age,geo\\TIME_PERIOD\t2019 \t2019Q1\t2020 \n"


def test_every_row_problem_is_named_by_line_column_and_value():
    text = (HEADER
            + "A,PC,T,Y18-24,EL\tabc\t1.0\t3.0 x\n"  # line 2: not a number; unknown flag
            + "A,PC,T,Y18-24,ES\t17.3\t1.0\t16.0\n"  # line 3: fine
            + "A,PC,T,Y18-24,ES\t17.3\t1.0\t16.0\n"  # line 4: duplicates line 3
            + "A,PC,T,Y18-24,IT\t13.5\n"  # line 5: too few cells
            + "A,PC,T,Y18-24,Italy\t1\t1\t1\n"  # line 6: not a geo code
            + "A,PC,T,Y18-24,\t1\t1\t1\n"  # line 7: no geo
            + "A,PC,T,Y18-24,PT\t120\t1\t10.5\n"  # line 8: 120 % is not a percentage
            + "A,PC,T,PT\t1\t1\t1\n")  # line 9: a series key one code short
    release = read(text, name="sdg_04_10.tsv")
    assert not release.ok
    found = [(error.row, error.field) for error in release.errors]
    assert found == [(1, "2019Q1"), (2, "2019"), (2, "2020"), (4, "2019"), (4, "2020"), (5, "row"), (6, "geo"),
                     (7, "geo"), (8, "2019"), (9, "freq,unit,sex,age,geo\\TIME_PERIOD")]
    messages = [error.message for error in release.errors]
    assert "'2019Q1'" in messages[0] and "not a year" in messages[0]
    assert "'abc'" in messages[1] and "not a number" in messages[1]
    assert "unknown flag 'x'" in messages[2]
    assert "duplicates line 3" in messages[3]
    assert "2 cells" in messages[5] and "4" in messages[5]
    assert "'Italy'" in messages[6]
    assert messages[7] == "geo is missing"
    assert "'120'" in messages[8] and "0-100" in messages[8]
    assert all("\n" not in message for message in messages)
    # the cells without a problem are read all the same
    assert release.observations == [Observation("sdg_04_10", "ES", 2019, 17.3, "", ESL),
                                    Observation("sdg_04_10", "ES", 2020, 16.0, "", ESL),
                                    Observation("sdg_04_10", "PT", 2020, 10.5, "", ESL)]


def test_sdmx_rows_name_their_columns_and_a_long_value_is_cut():
    text = ("DATAFLOW,LAST UPDATE,freq,unit,sex,age,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
            "ESTAT:SDG_04_10(1.0),x,A,PC,T,Y18-24,EL,2019-A,4.1,\n"
            "ESTAT:SDG_04_10(1.0),x,A,PC,T,Y18-24,EL,2020," + "9" * 60 + "x,\n"
            "ESTAT:SDG_04_10(1.0),x,A,PC,T,Y18-24,EL,2021,4.0,q\n"
            "ESTAT:SDG_04_10(1.0),x,A,PC,T,Y18-24,EL,2022,-1,\n")
    errors = read(text).errors
    assert [(error.row, error.field) for error in errors] == [(2, "TIME_PERIOD"), (3, "OBS_VALUE"), (4, "OBS_FLAG"),
                                                               (5, "OBS_VALUE")]
    assert "'2019-A'" in errors[0].message
    assert "'" + "9" * 39 + "…'" in errors[1].message
    assert "'q'" in errors[2].message


def test_a_year_twice_in_the_header_is_an_error_once():
    release = read("freq,unit,sex,age,geo\\TIME_PERIOD\t2019 \t2019\nA,PC,T,Y18-24,EL\t4.0\t5.0\n", name="sdg_04_10.tsv")
    assert [(error.row, error.field) for error in release.errors] == [(1, "2019")]
    assert "twice" in release.errors[0].message
    assert [(row.year, row.value) for row in release.observations] == [(2019, 4.0)]


def test_errors_stop_at_the_cap():
    text = HEADER.replace("\t2019Q1", "") + "".join(f"A,PC,T,Y18-24,EL{n:03d}\tx\tx\n" for n in range(80))
    assert len(read(text, name="sdg_04_10.tsv").errors) == eurostat.MAX_ERRORS


@pytest.mark.parametrize(("data", "why"), [
    (b"", "empty"),
    (b"  \n\n", "empty"),
    (bytes(range(256)) * 4, "not UTF-8"),
    (b"freq\x00\x00\x00", "binary"),
    (b"\x1f\x8b\x08\x00garbage", "damaged gzip"),
    ("a,b,c\n1,2,3\n", "neither"),
    ("freq,unit,sex,age,geo\\TIME_PERIOD\t2019 \n", "no observations"),
    ("freq,unit,sex,age\\TIME_PERIOD\t2019 \nA,PC,T,Y18-24\t1.0\n", "no geo"),
    ("DATAFLOW,geo,TIME_PERIOD,OBS_VALUE\nESTAT:SDG_04_10(1.0),EL,2019,\"" + "9" * 200_000 + "\"\n", "line 2 cannot be read as CSV"),
])
def test_files_that_are_not_eurostat_files_are_refused(data, why):
    with pytest.raises(EurostatError, match=why):
        read(data, name="sdg_04_10.tsv")


def test_a_gzip_bomb_is_refused_before_it_is_unpacked_whole():
    bomb = gzip.compress(b"0" * (eurostat.MAX_BYTES + 10), compresslevel=1)
    assert len(bomb) < eurostat.MAX_BYTES // 100
    with pytest.raises(EurostatError, match="over 50 MB"):
        read(bomb, name="sdg_04_10.tsv.gz")


def test_too_many_observations_are_refused(monkeypatch):
    monkeypatch.setattr(formats, "MAX_ROWS", 3)
    text = HEADER.replace("\t2019Q1", "") + "A,PC,T,Y18-24,EL\t1\t2\nA,PC,T,Y18-24,ES\t1\t2\n"
    with pytest.raises(EurostatError, match="over 3 observations"):
        read(text, name="sdg_04_10.tsv")


SDMX = ("DATAFLOW,LAST UPDATE,freq,unit,sex,age,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
        "ESTAT:{flow}(1.0),x,A,PC,T,Y18-24,EL,2019,4.1,\n")


@pytest.mark.parametrize(("text", "name", "dataset", "why"), [
    (HEADER, "download.tsv", "", "cannot tell which dataset"),
    (HEADER, "", "nama_10_gdp", "'nama_10_gdp' is not supported"),
    (SDMX.format(flow="NAMA_10_GDP"), "", "", "'nama_10_gdp' is not supported"),
    (SDMX.format(flow="SDG_04_10"), "edat_lfse_16_sdmx.csv", "", "DATAFLOW 'ESTAT:SDG_04_10.*file name 'edat_lfse_16"),
    (HEADER, "edat_lfse_16.tsv", "sdg_04_10", "dataset 'sdg_04_10' and the file name 'edat_lfse_16.tsv'"),
    (SDMX.format(flow="SDG_04_10") + "ESTAT:EDAT_LFSE_14(1.0),x,A,PC,T,Y18-24,ES,2019,4.1,\n", "", "", "mixes"),
])
def test_a_file_whose_dataset_is_unknown_or_disputed_is_refused(text, name, dataset, why):
    with pytest.raises(EurostatError, match=why):
        read(text, name=name, dataset=dataset)


def test_the_dataset_is_told_from_the_name_the_dataflow_or_the_caller():
    assert eurostat.dataset_code("estat_sdg_04_10.tsv.gz") == "sdg_04_10"
    assert eurostat.dataset_code("edat_lfse_16_sdmx.csv") == "edat_lfse_16"
    assert eurostat.dataset_code("ESTAT:EDAT_LFSE_14(1.0)") == "edat_lfse_14"
    assert eurostat.dataset_code("edat_lfse_140.tsv") == ""
    assert read(HEADER, dataset="EDAT_LFSE_14").dataset == "edat_lfse_14"
    assert read(SDMX.format(flow="SDG_04_10"), name="sdg_04_10.csv", dataset="sdg_04_10").ok


def test_a_missing_path_is_refused_with_one_line(tmp_path):
    with pytest.raises(EurostatError, match="cannot read"):
        read(tmp_path / "sdg_04_10.tsv")
