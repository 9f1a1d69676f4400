"""Hostile Eurostat files (red team, issue 19): each is refused with a reason a person can act on, or read safely;
none crashes, hangs or stores a code that could be markup or a spreadsheet formula."""

from __future__ import annotations

import gzip
import io
import time
import zipfile

import pytest

from safeschool.indicators import eurostat

HEAD = "freq,unit,sex,age,geo\\TIME_PERIOD"
NAME = "estat_sdg_04_10.tsv"


def tsv(*rows: str, years: tuple[str, ...] = ("2019", "2020")) -> str:
    return HEAD + "\t" + "\t".join(years) + "\n" + "".join(row + "\n" for row in rows)


def sdmx(*rows: str) -> str:
    return ("DATAFLOW,LAST UPDATE,freq,unit,sex,age,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
            + "".join(f"ESTAT:SDG_04_10(1.0),01/01/25,{row}\n" for row in rows))


def problems(text) -> list[str]:
    release = eurostat.read(text, name=NAME)
    return [error.message for error in release.errors]


@pytest.mark.parametrize("year", ["0001", "0000", "1949", "2101", "9999"])
def test_an_implausible_year_is_a_row_problem_in_both_formats(year):
    assert any(f"year '{year}' is outside" in m for m in problems(tsv("A,PC,T,Y18-24,IT\t1\t2", years=(year, "2020"))))
    assert any(f"year '{year}' is outside" in m for m in problems(sdmx(f"A,PC,T,Y18-24,IT,{year},1,")))


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf", "1e309", "1e3", "Infinity"])
def test_nan_and_infinity_are_not_numbers(cell):
    assert any("is not a number" in m for m in problems(tsv(f"A,PC,T,Y18-24,IT\t{cell}\t2")))
    assert any("is not a number" in m for m in problems(sdmx(f"A,PC,T,Y18-24,IT,2019,{cell},")))


def test_a_percentage_just_over_100_is_named_exactly_and_a_negative_count_is_refused():
    assert problems(tsv("A,PC,T,Y18-24,IT\t100.0001\t2")) == ["'100.0001' is outside 0-100 for a percentage (unit PC)"]
    assert problems(tsv("A,PC,T,Y18-24,IT\t100\t0")) == []
    assert problems(tsv("A,THS_PER,T,Y18-24,IT\t-1\t2")) == ["'-1' is negative"]


def test_minus_zero_is_read_as_zero_so_no_chart_says_minus_zero():
    release = eurostat.read(tsv("A,PC,T,Y18-24,IT\t-0.0\t-0"), name=NAME)
    assert [repr(o.value) for o in release.observations] == ["0.0", "0.0"]
    release = eurostat.read(sdmx("A,PC,T,Y18-24,IT,2019,-0,"), name=NAME)
    assert repr(release.observations[0].value) == "0.0"


@pytest.mark.parametrize("code", ["<script>alert(1)</script>", '=HYPERLINK("http://x","y")', "+cmd", "@SUM(A1)",
                                  "T\u202e", "a b"])
def test_markup_or_formula_in_a_code_is_refused_in_both_formats(code):
    for text in (tsv(f"A,PC,{code},Y18-24,IT\t1\t2"), tsv(f"A,PC,T,Y18-24,{code}\t1\t2")):
        release = eurostat.read(text, name=NAME)
        assert release.errors and not release.observations
    assert any("is not a Eurostat code" in m
               for m in problems(sdmx(f"A,PC,\"{code.replace(chr(34), chr(34) * 2)}\",Y18-24,IT,2019,1,")))


@pytest.mark.parametrize("flags", ["<b>", "x", "=1", "é"])
def test_markup_in_flags_is_refused(flags):
    assert problems(tsv(f"A,PC,T,Y18-24,IT\t1 {flags}\t2"))
    assert problems(sdmx(f"A,PC,T,Y18-24,IT,2019,1,{flags}"))


def test_a_million_columns_is_refused_at_once():
    started = time.perf_counter()
    years = "\t".join(str(1950 + i % 150) for i in range(1_000_000))
    with pytest.raises(eurostat.EurostatError, match="columns"):
        eurostat.read(f"{HEAD}\t{years}\nA,PC,T,Y18-24,IT\t1\n", name=NAME)
    with pytest.raises(eurostat.EurostatError, match="columns"):
        eurostat.read("TIME_PERIOD,OBS_VALUE," + ",".join(["x"] * 1_000_000) + "\n", name=NAME)
    assert time.perf_counter() - started < 5


def test_a_one_megabyte_header_cell_is_quoted_short():
    text = "freq,unit,sex,age," + "g" * 1_000_000 + "\\TIME_PERIOD\t2019\nA,PC,T,Y18-24,IT\t1\n"
    with pytest.raises(eurostat.EurostatError) as refused:
        eurostat.read(text, name=NAME)
    assert len(str(refused.value)) < 200


@pytest.mark.parametrize("data, reason", [
    (tsv("A,PC,T,Y18-24,IT\t1\t2").encode("utf-16"), "not UTF-8"),
    (tsv("A,PC,T,Y18-24,IT\t1\t2").replace("\t2", "\t\x002").encode(), "binary"),
    (b"PK\x03\x04" + bytes(range(256)), "not UTF-8"),
    (gzip.compress(b"\x00" * (51 * 1024 * 1024)), "unpacks to over"),
    (b"\x1f\x8b\x08\x00garbage", "damaged gzip"),
])
def test_binary_wide_or_bombed_files_are_refused_in_one_line(data, reason):
    with pytest.raises(eurostat.EurostatError, match=reason) as refused:
        eurostat.read(data, name=NAME + ".gz")
    assert "\n" not in str(refused.value)


def test_a_zip_or_xlsx_archive_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # an .xlsx is a zip archive too
        archive.writestr("xl/worksheets/sheet1.xml", tsv("A,PC,T,Y18-24,IT\t1\t2"))
    with pytest.raises(eurostat.EurostatError):
        eurostat.read(buffer.getvalue(), name="sdg_04_10.xlsx")


def test_a_dataset_given_that_disagrees_with_the_file_is_refused():
    with pytest.raises(eurostat.EurostatError, match="name different datasets"):
        eurostat.read(tsv("A,PC,T,Y18-24,IT\t1\t2"), name=NAME, dataset="edat_lfse_16")
    with pytest.raises(eurostat.EurostatError, match="name different datasets"):
        eurostat.read(sdmx("A,PC,T,Y18-24,IT,2019,1,"), name="x.csv", dataset="edat_lfse_14")
